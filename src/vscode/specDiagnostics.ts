// Live validation of READY.md and contracts: re-plans from the editor's text as the user types
// (debounced) and from disk when files appear or vanish. Reads files only, so it also runs in a
// restricted workspace.
import * as vscode from 'vscode';
import picomatch from 'picomatch';
import type { Plan, Problem } from '../core/model';
import { loadSpecFiles } from '../core/spec/loadSpecFiles';
import { SPEC_CANDIDATES } from '../core/spec/locateSpec';
import { DIAGNOSTIC_SOURCE } from './ids';
import type { Log } from './log';
import { readSettings, type Settings } from './settings';
import { WorkerSpecModel } from './workerSpecModel';
import { WorkspaceSpecSource } from './workspaceSpecSource';

const TYPING_DEBOUNCE_MS = 200;

export class SpecDiagnostics implements vscode.Disposable {
  /** Parsing runs in a worker thread: a large READY.md never blocks the extension host. */
  private readonly workspace: WorkerSpecModel;
  private readonly source: WorkspaceSpecSource;
  private settings: Settings;
  private isContract: (rel: string) => boolean;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private watchers: vscode.FileSystemWatcher[] = [];
  private readonly disposables: vscode.Disposable[] = [];
  private readonly planEmitter = new vscode.EventEmitter<Plan>();
  readonly onDidPlan = this.planEmitter.event;
  private latest: Plan | null = null;
  private loading: Promise<Plan | null> | null = null;
  private loadAgain: Promise<Plan | null> | null = null;

  constructor(
    private readonly folder: vscode.WorkspaceFolder,
    private readonly collection: vscode.DiagnosticCollection,
    private readonly log: Log,
    distDir: string,
  ) {
    this.workspace = new WorkerSpecModel(distDir);
    this.source = new WorkspaceSpecSource(folder);
    this.settings = readSettings(folder.uri);
    this.isContract = picomatch([...this.settings.contractGlobs], { dot: true });
    this.disposables.push(
      this.planEmitter,
      vscode.workspace.onDidChangeTextDocument((e) => this.onEdit(e.document)),
      // A spec file closed with unsaved edits: its text on disk counts again.
      vscode.workspace.onDidCloseTextDocument((doc) => {
        if (this.kindOf(doc)) this.schedule(() => this.reload());
      }),
    );
    this.watch();
  }

  get plan(): Plan | null {
    return this.latest;
  }

  /** Settings changed: new globs, maybe a new plan file. */
  reconfigure(): void {
    this.settings = readSettings(this.folder.uri);
    this.isContract = picomatch([...this.settings.contractGlobs], { dot: true });
    this.watch();
    void this.reload();
  }

  /** Reads every spec file again. While a reload runs, further calls share one more reload after it. */
  reload(): Promise<Plan | null> {
    if (!this.loading) {
      this.loading = this.load().finally(() => {
        this.loading = null;
      });
      return this.loading;
    }
    this.loadAgain ??= this.loading.then(() => {
      this.loadAgain = null;
      return this.reload();
    });
    return this.loadAgain;
  }

  private async load(): Promise<Plan | null> {
    try {
      // Before the first plan, show the phases as soon as the plan file is read: the views need
      // nothing else to show phases and modules, and the search for contracts can take a second.
      const early = this.latest === null ? () => void this.publishEarly() : undefined;
      await loadSpecFiles(this.source, { specFile: this.settings.specFile, contractGlobs: this.settings.contractGlobs }, this.workspace, early);
      // Unsaved edits win over the disk.
      for (const doc of vscode.workspace.textDocuments) if (doc.isDirty) this.apply(doc);
      return await this.publish();
    } catch (e) {
      this.log.error(`Could not read the specs of ${this.folder.name}`, e);
      return null;
    }
  }

  private watch(): void {
    for (const w of this.watchers) w.dispose();
    // One watcher per glob: VS Code's globs do not nest alternatives ({a,{b,c}} never matches), and
    // a contract glob from the settings may hold braces of its own.
    const globs = [...this.settings.contractGlobs, ...(this.settings.specFile ? [this.settings.specFile] : SPEC_CANDIDATES)];
    const reload = (): void => this.schedule(() => this.reload());
    this.watchers = globs.map((glob) => {
      const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(this.folder, glob));
      watcher.onDidCreate(reload);
      watcher.onDidDelete(reload);
      watcher.onDidChange(reload);
      return watcher;
    });
  }

  /** Whether a document is this folder's plan file, one of its contracts, or neither. */
  private kindOf(doc: vscode.TextDocument): { kind: 'spec' | 'contract'; rel: string } | null {
    const rel = this.source.relative(doc.uri);
    if (rel === null) return null;
    if (rel === (this.latest?.spec || this.settings.specFile || 'READY.md')) return { kind: 'spec', rel };
    return this.isContract(rel) ? { kind: 'contract', rel } : null;
  }

  private onEdit(doc: vscode.TextDocument): void {
    if (this.apply(doc)) this.schedule(() => this.publish().catch((e: unknown) => this.log.error('Validating the specs failed', e)));
  }

  /** Feeds an open document's text into the model; false when it is not a spec file of this folder. */
  private apply(doc: vscode.TextDocument): boolean {
    const file = this.kindOf(doc);
    if (file?.kind === 'spec') this.workspace.setSpec(file.rel, doc.getText());
    else if (file?.kind === 'contract') this.workspace.setContract(file.rel, doc.getText());
    return file !== null;
  }

  private schedule(run: () => unknown): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(run, TYPING_DEBOUNCE_MS);
  }

  /** A plan of the plan file alone, for the views only (no diagnostics: contracts are not read yet). */
  private async publishEarly(): Promise<void> {
    try {
      const plan = await this.workspace.plan();
      if (this.latest === null) this.planEmitter.fire(plan);
    } catch {
      // The full plan that follows reports what went wrong.
    }
  }

  private async publish(): Promise<Plan> {
    const plan = await this.workspace.plan();
    this.latest = plan;
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const p of plan.problems) {
      const list = byFile.get(p.file) ?? [];
      list.push(toDiagnostic(p));
      byFile.set(p.file, list);
    }
    this.collection.clear();
    for (const [file, diagnostics] of byFile) {
      this.collection.set(vscode.Uri.joinPath(this.folder.uri, file), diagnostics);
    }
    this.planEmitter.fire(plan);
    return plan;
  }

  dispose(): void {
    clearTimeout(this.timer);
    for (const w of this.watchers) w.dispose();
    this.workspace.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

function toDiagnostic(p: Problem): vscode.Diagnostic {
  const start = new vscode.Position(p.line - 1, p.column - 1);
  const end = p.endLine !== undefined && p.endColumn !== undefined ? new vscode.Position(p.endLine - 1, p.endColumn - 1) : start;
  const severity =
    p.severity === 'error'
      ? vscode.DiagnosticSeverity.Error
      : p.severity === 'warning'
        ? vscode.DiagnosticSeverity.Warning
        : vscode.DiagnosticSeverity.Information;
  const d = new vscode.Diagnostic(new vscode.Range(start, end), p.message, severity);
  d.source = DIAGNOSTIC_SOURCE;
  d.code = p.code;
  return d;
}
