// What the views show: the latest plan (from live validation) and the run state (from the engine
// running in this window, or from `.conductor/state.json` written by a `conductor` CLI elsewhere).
// Views read it synchronously: getChildren never touches the disk. Agents the state file records as
// live but no engine here follows (after a window reload, or a CLI that was killed) are shown as
// interrupted once their process is gone.
import * as vscode from 'vscode';
import { parseDiscoveryLog, type Discovery } from '../core/discoveries/discovery';
import type { Plan } from '../core/model';
import { CONDUCTOR_DIR, DISCOVERIES_LOG } from '../core/run/paths';
import { emptyState, type RunStateFile, type PhaseRun } from '../core/run/model';
import { parseState } from '../core/run/validateState';
import { parsePhaseConflicts, type PhaseConflicts } from '../core/view/conflictNodes';
import { unfollowedAgentPids, withGoneAgentsInterrupted } from '../core/view/liveness';
import type { MergeResult } from '../infra/merge/phaseMerge';
import { processAlive } from '../infra/process/processAlive';
import { StateFileWatcher } from '../infra/state/stateFileWatcher';
import type { Log } from './log';

const STATE_DEBOUNCE_MS = 30;
/**
 * How often agents nobody here follows are checked for life (as often as the engine checks adopted
 * ones); the state file is re-read then too if it changed, in case the file watcher missed a write.
 */
const LIVENESS_MS = 2000;

export interface ConductorView {
  readonly plan: Plan | null;
  readonly state: RunStateFile;
  /** Phase slugs being conducted by this window. */
  readonly active: ReadonlySet<string>;
  /** `<phase-slug>/<module>` keys that have an open agent terminal. */
  readonly terminals: ReadonlySet<string>;
  /** The last Merge & Validate result per phase slug (run in this window). */
  readonly merges: ReadonlyMap<string, MergeResult>;
  /** Each phase's conflicts in its last merge: this window's, else the one recorded in `.conductor/merge/` (a CLI's, an earlier window's). */
  readonly conflicts: ReadonlyMap<string, PhaseConflicts>;
  /** Every discovery the agents reported (`.conductor/discoveries.jsonl`). */
  readonly discoveries: readonly Discovery[];
  readonly onDidChange: vscode.Event<void>;
}

export class ConductorState implements ConductorView, vscode.Disposable {
  plan: Plan | null = null;
  state: RunStateFile = emptyState();
  readonly active = new Set<string>();
  readonly terminals = new Set<string>();
  readonly merges = new Map<string, MergeResult>();
  /** Merge results read from `.conductor/merge/<slug>.json`, and the slugs already looked for. */
  private readonly recorded = new Map<string, PhaseConflicts>();
  private readonly lookedFor = new Set<string>();
  discoveries: readonly Discovery[] = [];
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.emitter.event;
  private readonly disposables: vscode.Disposable[] = [this.emitter];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private livenessTimer: ReturnType<typeof setInterval> | undefined;
  private readonly direct: StateFileWatcher | null;
  /** The state file's mtime and size when it was last read. */
  private lastRead = '';
  /** The last warning about an unusable state file, so a reload does not repeat it. */
  private warned = '';

  constructor(
    private readonly folder: vscode.WorkspaceFolder,
    private readonly log: Log,
    private readonly isAlive: (pid: number) => boolean = processAlive,
  ) {
    // Another process (the CLI) may conduct too; follow its state file. The editor's watcher works
    // for any folder but reports late; a direct one on a local folder reports at once, once it exists.
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, '.conductor/state.json'));
    this.direct = folder.uri.scheme === 'file' ? new StateFileWatcher(this.stateUri.fsPath, () => this.scheduleReload()) : null;
    const reload = (): void => {
      this.direct?.attach();
      this.scheduleReload();
    };
    watcher.onDidChange(reload);
    watcher.onDidCreate(reload);
    watcher.onDidDelete(reload);
    this.direct?.attach();
    this.disposables.push(watcher);
    // Discoveries are appended to their own log (by this window's engine or a CLI elsewhere).
    const discoveries = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, `${CONDUCTOR_DIR}/${DISCOVERIES_LOG}`));
    const reloadDiscoveries = (): void => void this.reloadDiscoveries();
    discoveries.onDidChange(reloadDiscoveries);
    discoveries.onDidCreate(reloadDiscoveries);
    discoveries.onDidDelete(reloadDiscoveries);
    this.disposables.push(discoveries);
    // Merge results, written by whoever merged (this window, a CLI, another window).
    const merges = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, `${CONDUCTOR_DIR}/merge/*.json`));
    const readMerge = (uri: vscode.Uri): void => void this.readRecorded(uri.path.split('/').pop()!.replace(/\.json$/, ''));
    merges.onDidChange(readMerge);
    merges.onDidCreate(readMerge);
    merges.onDidDelete(readMerge);
    this.disposables.push(merges);
    if (this.direct) this.disposables.push(this.direct);
  }

  get stateUri(): vscode.Uri {
    return vscode.Uri.joinPath(this.folder.uri, '.conductor', 'state.json');
  }

  setPlan(plan: Plan): void {
    this.plan = plan;
    this.emitter.fire();
  }

  /** The engine in this window changed a phase: no need to wait for the file watcher. */
  setPhase(run: PhaseRun): void {
    this.state = { ...this.state, phases: { ...this.state.phases, [run.slug]: run } };
    this.emitter.fire();
  }

  setActive(slug: string, active: boolean): void {
    if (active) this.active.add(slug);
    else this.active.delete(slug);
    void vscode.commands.executeCommand('setContext', 'specConductor.running', this.active.size > 0);
    this.emitter.fire();
  }

  setTerminal(key: string, open: boolean): void {
    if (open) this.terminals.add(key);
    else this.terminals.delete(key);
    this.emitter.fire();
  }

  /** The engine in this window recorded a discovery. */
  setDiscoveries(all: readonly Discovery[]): void {
    this.discoveries = [...all];
    this.emitter.fire();
  }

  async reloadDiscoveries(): Promise<void> {
    const uri = vscode.Uri.joinPath(this.folder.uri, CONDUCTOR_DIR, DISCOVERIES_LOG);
    let text: string | null = null;
    try {
      text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
    } catch (e) {
      if (!(e instanceof vscode.FileSystemError && e.code === 'FileNotFound')) this.log.error(`Could not read ${uri.fsPath}`, e);
    }
    const entries = parseDiscoveryLog(text).entries;
    if (JSON.stringify(entries) === JSON.stringify(this.discoveries)) return;
    this.discoveries = entries;
    this.emitter.fire();
  }

  /** Rolled back: their last merge results (moved aside on disk) are no longer theirs. */
  forgetMerges(slugs: readonly string[]): void {
    for (const slug of slugs) {
      this.merges.delete(slug);
      this.recorded.delete(slug);
    }
    this.emitter.fire();
  }

  get conflicts(): ReadonlyMap<string, PhaseConflicts> {
    const all = new Map<string, PhaseConflicts>(this.recorded);
    for (const [slug, result] of this.merges) all.set(slug, result);
    return all;
  }

  /** Reads a phase's recorded merge result (gone or unreadable: nothing recorded). */
  private async readRecorded(slug: string): Promise<void> {
    this.lookedFor.add(slug);
    let found: PhaseConflicts | null = null;
    try {
      found = parsePhaseConflicts(new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(this.folder.uri, CONDUCTOR_DIR, 'merge', `${slug}.json`))));
    } catch (e) {
      if (!(e instanceof vscode.FileSystemError && e.code === 'FileNotFound')) this.log.warn(`Could not read the merge result of ${slug}: ${(e as Error).message}`);
    }
    if (found) this.recorded.set(slug, found);
    else if (!this.recorded.delete(slug)) return;
    this.emitter.fire();
  }

  setMerge(slug: string, result: MergeResult): void {
    this.merges.set(slug, result);
    this.emitter.fire();
  }

  async reload(): Promise<void> {
    void this.reloadDiscoveries();
    try {
      const stat = await vscode.workspace.fs.stat(this.stateUri);
      this.lastRead = `${stat.mtime}:${stat.size}`;
      const bytes = await vscode.workspace.fs.readFile(this.stateUri);
      const read = parseState(new TextDecoder().decode(bytes));
      if (!read.ok) {
        // The views keep what they showed; the file is left alone (conducting refuses a newer one).
        this.warnOnce(
          read.newerVersion !== null
            ? `${this.stateUri.fsPath} was written by a newer Spec Conductor (${read.reason}): update Spec Conductor; the file is left as it is.`
            : `${this.stateUri.fsPath} is unreadable (${read.reason}): the views cannot show its runs. Conducting a phase again rebuilds that phase's record from its branches and status files (keeping a copy of the file).`,
        );
        return;
      }
      this.warned = '';
      // Phases this window is conducting are newer in memory than on disk.
      const phases = { ...read.state.phases };
      for (const slug of this.active) if (this.state.phases[slug]) phases[slug] = this.state.phases[slug];
      this.state = this.showGoneAgents({ ...read.state, phases });
      for (const slug of Object.keys(phases)) if (!this.lookedFor.has(slug)) void this.readRecorded(slug);
    } catch (e) {
      if (e instanceof vscode.FileSystemError && e.code === 'FileNotFound') this.state = emptyState();
      else this.log.error('Could not read .conductor/state.json', e);
    }
    this.emitter.fire();
  }

  /** Says once (in the log and a notification) why the state file is not shown, until that changes. */
  private warnOnce(message: string): void {
    if (message === this.warned) return;
    this.warned = message;
    this.log.warn(message);
    void vscode.window.showWarningMessage(`Spec Conductor: ${message}`);
  }

  /** The state with gone agents shown interrupted; keeps checking while some recorded as live are not followed here. */
  private showGoneAgents(state: RunStateFile): RunStateFile {
    const shown = withGoneAgentsInterrupted(state, this.active, this.isAlive);
    const watch = unfollowedAgentPids(shown, this.active).length > 0;
    if (watch && this.livenessTimer === undefined) this.livenessTimer = setInterval(() => this.recheckAgents(), LIVENESS_MS);
    else if (!watch && this.livenessTimer !== undefined) {
      clearInterval(this.livenessTimer);
      this.livenessTimer = undefined;
    }
    return shown;
  }

  private recheckAgents(): void {
    void this.rereadIfChanged();
    const shown = this.showGoneAgents(this.state);
    if (shown === this.state) return;
    this.state = shown;
    this.emitter.fire();
  }

  private async rereadIfChanged(): Promise<void> {
    this.direct?.attach();
    try {
      const stat = await vscode.workspace.fs.stat(this.stateUri);
      if (`${stat.mtime}:${stat.size}` !== this.lastRead) this.scheduleReload();
    } catch {
      // Gone: the watcher's delete event (or the next run) takes care of it.
    }
  }

  private scheduleReload(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.reload(), STATE_DEBOUNCE_MS);
  }

  dispose(): void {
    clearTimeout(this.timer);
    clearInterval(this.livenessTimer);
    for (const d of this.disposables) d.dispose();
  }
}
