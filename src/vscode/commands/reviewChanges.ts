// Conductor: Review Changes — a module's work (its worktree, uncommitted files included) or a phase's
// integration result against its base, in VS Code's multi-file diff editor. The left side is read
// from git through GitContentProvider (read-only), the right side is the worktree's file on disk.
import * as vscode from 'vscode';
import { integrationBranch } from '../../core/merge/planMerge';
import { gitQuery, moduleReview, parseGitQuery, phaseReview, reviewEntries, type DiffSide, type ReviewSource } from '../../core/view/reviewChanges';
import { showError } from '../log';
import type { EngineHost } from '../engineHost';
import { requireTrust } from '../trust';
import { asTarget, pickConductedPhase, pickModule, type CommandContext } from './context';

/** The scheme of a file at a commit: `conductor-git:<absolute path>?commit=…&path=…`. */
export const GIT_SCHEME = 'conductor-git';

/** Serves `git show <commit>:<path>` for the diff's read-only sides; only in a trusted workspace. */
export class GitContentProvider implements vscode.TextDocumentContentProvider {
  constructor(private readonly host: EngineHost) {}

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    if (!vscode.workspace.isTrusted) throw new Error('Spec Conductor reads git only in a trusted workspace.');
    const q = parseGitQuery(uri.query);
    if (!q) throw new Error(`Not a Spec Conductor git uri: ${uri.toString()}`);
    const [engine, { fileAtCommit }] = await Promise.all([this.host.repository(), import('../../infra/git/changes')]);
    return fileAtCommit(engine.git, engine.repo.root, q.commit, q.path);
  }
}

export function registerGitContent(host: EngineHost): vscode.Disposable {
  return vscode.workspace.registerTextDocumentContentProvider(GIT_SCHEME, new GitContentProvider(host));
}

export async function reviewModuleChanges(ctx: CommandContext, arg: unknown): Promise<void> {
  if (!(await requireTrust('Review Changes'))) return;
  const target = await pickModule(ctx, asTarget(arg), 'Review which module\'s changes?', (m) => m.baseCommit !== null);
  if (!target) return;
  const record = target.run.modules.find((m) => m.id === target.module);
  if (!record) return;
  const [engine, { directoryExists }] = await Promise.all([ctx.host.repository(), import('../../infra/git/changes')]);
  await openReview(ctx, moduleReview(target.phase, record, engine.repo.root, directoryExists(record.worktree)));
}

export async function reviewPhaseChanges(ctx: CommandContext, arg: unknown): Promise<void> {
  if (!(await requireTrust('Review Phase Changes'))) return;
  const conducted = await pickConductedPhase(ctx, asTarget(arg), 'Review which phase\'s integration result?');
  if (!conducted) return;
  const { phase, run } = conducted;
  const [engine, { refCommit }, { checkpointRef }] = await Promise.all([ctx.host.repository(), import('../../infra/git/changes'), import('../../infra/git/checkpoints')]);
  const [tip, checkpoint] = await Promise.all([refCommit(engine.git, engine.repo.root, integrationBranch(run.slug)), refCommit(engine.git, engine.repo.root, checkpointRef(phase.number))]);
  await openReview(ctx, phaseReview(run, engine.repo.root, tip, checkpoint));
}

async function openReview(ctx: CommandContext, source: ReviewSource | { unavailable: string }): Promise<void> {
  if ('unavailable' in source) {
    void vscode.window.showInformationMessage(`Spec Conductor: ${source.unavailable}`);
    return;
  }
  try {
    const [engine, { reviewChanges }] = await Promise.all([ctx.host.repository(), import('../../infra/git/changes')]);
    const changes = await reviewChanges(engine.git, source);
    if (changes.files.length === 0) {
      void vscode.window.showInformationMessage(`Spec Conductor: ${source.title} — no file changed.`);
      return;
    }
    const dir = vscode.Uri.file(source.dir);
    const resources = reviewEntries(changes.files, changes.base, source.tip === null ? null : await resolved(engine, source.tip)).map((e) => {
      const label = vscode.Uri.joinPath(dir, e.path);
      return [label, sideUri(label, e.path, e.original), sideUri(label, e.path, e.modified)] as const;
    });
    ctx.log.info(`Review Changes: ${source.title}, ${resources.length} file(s) against ${changes.base.slice(0, 8)}.`);
    await vscode.commands.executeCommand('vscode.changes', source.title, resources);
  } catch (e) {
    await showError(ctx.log, `Review Changes failed: ${(e as Error).message}`, e);
  }
}

/** The editor infers a rename when the sides' paths differ: a git side keeps the file's path, only scheme and query differ. */
function sideUri(label: vscode.Uri, path: string, side: DiffSide): vscode.Uri | undefined {
  if (side === null) return undefined;
  if (side.kind === 'disk') return label;
  return label.with({ scheme: GIT_SCHEME, query: gitQuery(side.commit, path) });
}

async function resolved(engine: Awaited<ReturnType<EngineHost['repository']>>, rev: string): Promise<string> {
  const { refCommit } = await import('../../infra/git/changes');
  const commit = await refCommit(engine.git, engine.repo.root, rev);
  if (!commit) throw new Error(`${rev} names no commit`);
  return commit;
}
