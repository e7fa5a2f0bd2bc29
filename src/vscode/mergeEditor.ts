// VS Code's 3-way merge editor on a conflict prepared in an integration worktree. It is opened with
// `_open.mergeEditor` ({ base, input1, input2, output }: what the built-in git extension itself
// calls), the three sides read from the index's stage blobs through the `conductor-stage` scheme:
// the git extension need not know the worktree (it lies outside the workspace). Saving a file
// ("Complete Merge" saves) moves its diagnostics to the conflict blocks left; when none is left
// anywhere, Commit Resolved Merge is offered.
import * as vscode from 'vscode';
import { markerRanges, type UnmergedFile } from '../core/merge/resolution';
import { conflictFinding, type SendableFinding } from '../core/planRun/sendToAgent';
import type { EngineHost } from './engineHost';
import { COMMAND, CONTEXT } from './ids';
import type { Log } from './log';
import type { MergeDiagnostics } from './mergeDiagnostics';

/** The scheme of one side of a conflict: `conductor-stage:<output path>?blob=<sha>` (an empty blob: the side has no file). */
export const STAGE_SCHEME = 'conductor-stage';

const BLOB = /^[0-9a-f]{40,64}$/;

export function stageUri(output: vscode.Uri, blob: string | null): vscode.Uri {
  return output.with({ scheme: STAGE_SCHEME, query: new URLSearchParams({ blob: blob ?? '' }).toString() });
}

/** Serves a stage's blob, read-only; only in a trusted workspace. */
class StageContentProvider implements vscode.TextDocumentContentProvider {
  constructor(private readonly host: EngineHost) {}

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    if (!vscode.workspace.isTrusted) throw new Error('Spec Conductor reads git only in a trusted workspace.');
    const blob = new URLSearchParams(uri.query).get('blob');
    if (blob === '') return '';
    if (!blob || !BLOB.test(blob)) throw new Error(`Not a Spec Conductor stage uri: ${uri.toString()}`);
    const [engine, { readBlobs }] = await Promise.all([this.host.repository(), import('../infra/git/objects')]);
    const [text] = await readBlobs(engine.git, engine.repo.root, [blob]);
    if (text === null) throw new Error(`git has no blob ${blob}`);
    return text;
  }
}

/** A conflict opened in the merge editor: which module, its files, and the names of its sides. */
export interface Resolution {
  phase: number;
  phaseSlug: string;
  module: string;
  worktree: string;
  integrationBranch: string;
  moduleBranch: string;
  files: readonly UnmergedFile[];
}

export class MergeEditorSessions implements vscode.Disposable {
  private readonly open = new Map<string, { resolution: Resolution; offered: boolean }>();
  /** Phases (slug → number) with a resolution in progress that this window did not open: before a reload, or elsewhere. */
  private readonly found = new Map<string, number>();
  private readonly disposables: vscode.Disposable[];

  constructor(
    private readonly host: EngineHost,
    private readonly merges: MergeDiagnostics,
    private readonly log: Log,
  ) {
    this.disposables = [
      vscode.workspace.registerTextDocumentContentProvider(STAGE_SCHEME, new StageContentProvider(host)),
      vscode.workspace.onDidSaveTextDocument((doc) => void this.saved(doc.uri)),
    ];
  }

  /** The phase a resolution is in progress in, when exactly one is. */
  get onlyPhase(): number | undefined {
    const all = new Set([...[...this.open.values()].map((s) => s.resolution.phase), ...this.found.values()]);
    return all.size === 1 ? [...all][0] : undefined;
  }

  /** Opens the merge editor on each conflicting file and puts the diagnostics on the conflict blocks. */
  async show(resolution: Resolution): Promise<void> {
    this.open.set(resolution.phaseSlug, { resolution, offered: false });
    this.found.delete(resolution.phaseSlug);
    this.updateContext();
    await this.refresh(resolution);
    for (const f of resolution.files) {
      const output = this.output(resolution, f.path);
      await this.inSync(output);
      // The same shape the git extension passes: input1 is the current branch (here the integration branch), input2 the incoming one.
      await vscode.commands.executeCommand('_open.mergeEditor', {
        base: stageUri(output, f.base),
        input1: { uri: stageUri(output, f.ours), title: 'Integration', description: resolution.integrationBranch, detail: 'merged so far' },
        input2: { uri: stageUri(output, f.theirs), title: resolution.module, description: resolution.moduleBranch, detail: 'the module' },
        output,
      });
    }
    this.log.info(`Resolve in Merge Editor: ${resolution.module} (phase ${resolution.phase}), ${resolution.files.map((f) => f.path).join(', ')} in ${resolution.worktree}.`);
  }

  /** The resolution of the phase was committed or aborted. */
  ended(phaseSlug: string): void {
    const session = this.open.get(phaseSlug);
    this.open.delete(phaseSlug);
    this.found.delete(phaseSlug);
    if (session) this.merges.clearConflict(session.resolution);
    this.updateContext();
  }

  /**
   * A resolution is in progress in the phase's integration worktree that this window did not open:
   * found there after a reload, or by Merge & Validate. Commit and Abort Resolved Merge are offered.
   */
  noteInProgress(phase: { slug: string; number: number }): void {
    if (this.open.has(phase.slug)) return;
    this.found.set(phase.slug, phase.number);
    this.updateContext();
  }

  /** After a reload: the conducted phases whose integration worktree holds a merge in progress. Only in a trusted workspace (it runs git). */
  async restore(phases: readonly { slug: string; number: number }[]): Promise<void> {
    if (!vscode.workspace.isTrusted || phases.length === 0) return;
    const slugs = new Set(await this.host.resolutionsInProgress(phases.map((p) => p.slug)));
    for (const phase of phases) if (slugs.has(phase.slug)) this.noteInProgress(phase);
    if (slugs.size > 0) this.log.info(`A merge conflict is being resolved in the integration worktree of phase(s) ${phases.filter((p) => slugs.has(p.slug)).map((p) => p.number).join(', ')}: Commit or Abort Resolved Merge.`);
  }

  private updateContext(): void {
    void vscode.commands.executeCommand('setContext', CONTEXT.resolving, this.open.size + this.found.size > 0);
  }

  /**
   * The merge editor resets a result to its base only when it sees conflict markers in it. A
   * document VS Code already holds for the file (opened from its conflict row) may still have the
   * text from before git wrote the markers: wait until it has the file's text, else reload it.
   */
  private async inSync(uri: vscode.Uri): Promise<void> {
    const disk = await readText(uri);
    const held = (): vscode.TextDocument | undefined => vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    for (let waited = 0; waited < 3_000; waited += 100) {
      const doc = held();
      if (!doc || doc.isDirty || doc.getText() === disk) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const stale = held();
    if (!stale || stale.isDirty) return;
    this.log.info(`Reloading ${uri.fsPath} from disk: VS Code still had its text from before the merge.`);
    await vscode.window.showTextDocument(stale, { preview: false });
    await vscode.commands.executeCommand('workbench.action.files.revert');
  }

  private output(r: Resolution, file: string): vscode.Uri {
    return vscode.Uri.joinPath(vscode.Uri.file(r.worktree), ...file.split('/'));
  }

  /** Re-reads the files of `r` and shows their conflict blocks; true when none is left. */
  private async refresh(r: Resolution): Promise<boolean> {
    const files = await Promise.all(
      r.files.map(async (f) => {
        const uri = this.output(r, f.path);
        const text = await readText(uri);
        const send: SendableFinding = {
          phase: r.phase,
          module: r.module,
          finding: conflictFinding({ module: r.module, with: [], file: f.path, startLine: 1, endLine: 1 }, r.integrationBranch),
        };
        return { uri, text, send };
      }),
    );
    this.merges.showResolution({ phase: r.phase, module: r.module }, files);
    return files.every((f) => f.text === null || markerRanges(f.text).length === 0);
  }

  private async saved(uri: vscode.Uri): Promise<void> {
    for (const session of this.open.values()) {
      const r = session.resolution;
      if (!r.files.some((f) => this.output(r, f.path).toString() === uri.toString())) continue;
      const resolved = await this.refresh(r);
      if (!resolved || session.offered) continue;
      session.offered = true;
      const choice = await vscode.window.showInformationMessage(`Spec Conductor: every conflict of ${r.module} is resolved. Commit the merge to go on with Merge & Validate.`, 'Commit Resolved Merge');
      // Committed or aborted meanwhile (from the palette or the tree): the offer is stale.
      if (choice && this.open.get(r.phaseSlug) === session) await vscode.commands.executeCommand(COMMAND.commitResolvedMerge, { phase: r.phase });
    }
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

async function readText(uri: vscode.Uri): Promise<string | null> {
  try {
    return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  } catch (e) {
    if (e instanceof vscode.FileSystemError && e.code === 'FileNotFound') return null;
    throw e;
  }
}
