// Conductor: Roll Back to Before This Phase — on a done phase of the tree (or the palette): the
// phase and every later one with a record go back to pending, their integration branches to the
// checkpoint before them. The engine is `conductor rollback`'s (planRollback, infra rollback); a
// modal says first exactly what it resets. Trusted workspaces only: it runs git.
import * as vscode from 'vscode';
import type { PlannedPhase } from '../../core/model';
import { backupStamp, describeRollback, planRollback, type RollbackPlan, type RollbackTarget } from '../../core/planRun/rollbackPlan';
import { ConductError } from '../../core/run/errors';
import type { RollbackResult } from '../../infra/planRun/rollback';
import { showError } from '../log';
import { requireTrust } from '../trust';
import { asTarget, pickPhase, type CommandContext } from './context';

const ROLL_BACK = 'Roll Back';
const DISCARD = 'Discard Changes and Roll Back';

export async function rollbackPhase(ctx: CommandContext, arg: unknown): Promise<void> {
  if (!(await requireTrust('Roll Back to Before This Phase'))) return;
  const phase = await pickPhase(ctx, asTarget(arg), 'Roll back to before which phase? It and the phases after it go back to pending.');
  const plan = ctx.view.plan;
  if (!phase || !plan) return;
  const refuse = (why: string): void => void vscode.window.showInformationMessage(`Spec Conductor: nothing rolled back — ${why}`);
  if (ctx.host.isRunningPlan() || ctx.view.active.size > 0) {
    refuse('a phase is being conducted in this window; stop it first.');
    return;
  }
  const { RollbackRefused } = await import('../../infra/planRun/rollback');
  try {
    const [engine, { Checkpoints, checkpointRef }] = await Promise.all([ctx.host.repository(), import('../../infra/git/checkpoints')]);
    const decided = planRollback(plan, await engine.state.read(), phase.number);
    if ('error' in decided) {
      refuse(`${decided.error}.`);
      return;
    }
    const back = decided.toCheckpointOf;
    const commit = back ? await new Checkpoints(engine.repo.root, engine.git).commitOf(back.number) : decided.baseCommit;
    if (!commit) {
      refuse(back ? `phase ${back.number}'s checkpoint ${checkpointRef(back.number)} is missing.` : `phase ${phase.number} has no recorded base commit.`);
      return;
    }
    const target: RollbackTarget = { commit, checkpointRef: back ? checkpointRef(back.number) : null };
    const stamp = backupStamp(new Date());
    const text = describeRollback(decided, target, stamp);
    if ((await vscode.window.showWarningMessage(text.message, { modal: true, detail: text.detail.join('\n') }, ROLL_BACK)) !== ROLL_BACK) return;

    let result: RollbackResult;
    try {
      result = await ctx.host.rollback(decided, { force: false, stamp });
    } catch (e) {
      if (!(e instanceof RollbackRefused) || e.dirtyWorktree === null) throw e;
      const choice = await vscode.window.showWarningMessage(
        `The worktree ${e.dirtyWorktree} has uncommitted changes.`,
        { modal: true, detail: 'Rolling back removes it. Its committed work stays on a backup ref; the uncommitted changes are lost.' },
        DISCARD,
      );
      if (choice !== DISCARD) return;
      result = await ctx.host.rollback(decided, { force: true, stamp });
    }
    await rolledBack(ctx, decided, target, stamp, result);
  } catch (e) {
    if (e instanceof ConductError || e instanceof RollbackRefused) {
      ctx.log.warn(e.message);
      void vscode.window.showWarningMessage(`Spec Conductor: not rolled back — ${e.message}`);
    } else await showError(ctx.log, `Rolling back to before phase ${phase.number} failed: ${(e as Error).message}`, e);
  }
}

async function rolledBack(ctx: CommandContext, decided: RollbackPlan, target: RollbackTarget, stamp: string, result: RollbackResult): Promise<void> {
  const phases: PlannedPhase[] = decided.phases;
  ctx.view.forgetMerges(phases.map((p) => p.slug));
  ctx.merges.forgetPhases(phases.map((p) => p.number));
  await ctx.view.reload();
  const numbers = phases.map((p) => p.number).join(', ');
  const to = target.checkpointRef ?? `${target.commit.slice(0, 8)}, where phase ${phases[0].number} started`;
  ctx.log.info(`Rolled back phase(s) ${numbers} to ${to} (${result.target.slice(0, 8)}); ${result.backups.length} ref(s) kept under refs/conductor/backup/${stamp}/; worktrees removed: ${result.removedWorktrees.join(', ') || 'none'}.`);
  void vscode.window.showInformationMessage(`Spec Conductor: phase(s) ${numbers} rolled back to ${to}; they are pending again. Old refs are kept under refs/conductor/backup/${stamp}/.`);
}
