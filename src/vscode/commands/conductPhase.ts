// Conductor: Conduct Phase — pick a phase, see the plan (modules, waves, agent, parallelism), confirm,
// and follow it in the tree, the status bar and one terminal per agent.
import * as vscode from 'vscode';
import type { PlannedPhase } from '../../core/model';
import { moduleFacts } from '../../core/plan/moduleFacts';
import { ConductError } from '../../core/run/errors';
import type { PhaseRun } from '../../core/run/model';
import { showError } from '../log';
import { agentSpec } from '../settings';
import { requireTrust } from '../trust';
import { asTarget, confirmDirtyCheckout, phaseState, pickPhase, type CommandContext } from './context';

export async function conductPhase(ctx: CommandContext, arg: unknown, options: { approve?: boolean; resume?: boolean } = {}): Promise<void> {
  if (!(await requireTrust('Conduct Phase'))) return;
  const phase = await pickPhase(ctx, asTarget(arg), 'Conduct which phase?');
  if (!phase || !ctx.view.plan) return;
  if (ctx.host.isConducting(phase.slug)) {
    await vscode.commands.executeCommand('workbench.view.extension.specConductor');
    return;
  }
  const errors = ctx.view.plan.problems.filter((p) => p.severity === 'error');
  if (errors.length > 0) {
    const choice = await vscode.window.showErrorMessage(`Spec Conductor: the plan has ${errors.length} error(s); fix them first.`, 'Show Problems');
    if (choice) await vscode.commands.executeCommand('workbench.actions.view.problems');
    return;
  }
  const run = phaseState(ctx, phase);
  let approve = Boolean(options.approve) || Boolean(run?.approvedAt);
  if (phase.gate === 'manual' && !approve) {
    const choice = await vscode.window.showWarningMessage(`Phase ${phase.number} (${phase.name}) has "Gate: manual": it starts only when you approve it.`, { modal: true }, 'Approve and Conduct');
    if (!choice) return;
    approve = true;
  }
  const interrupted = run?.modules.filter((m) => m.state === 'interrupted').map((m) => m.id) ?? [];
  let restartInterrupted = Boolean(options.resume);
  if (interrupted.length > 0 && !restartInterrupted) {
    const choice = await vscode.window.showWarningMessage(`${interrupted.join(', ')} ${interrupted.length === 1 ? 'was' : 'were'} interrupted. Restart ${interrupted.length === 1 ? 'it' : 'them'}?`, { modal: true }, 'Restart', 'Leave Them');
    if (!choice) return;
    restartInterrupted = choice === 'Restart';
  }
  if (!run && !(await confirmDirtyCheckout(ctx))) return;
  if (!(await confirmPreview(ctx, phase, Boolean(run)))) return;

  ctx.log.info(`Conducting phase ${phase.number} (${phase.name}).`);
  void vscode.commands.executeCommand('workbench.view.extension.specConductor');
  try {
    await reportConducted(phase, await ctx.host.conduct({ plan: ctx.view.plan, phase, approve, restartInterrupted }));
  } catch (e) {
    if (e instanceof ConductError) {
      ctx.log.warn(e.message);
      void vscode.window.showWarningMessage(`Spec Conductor: ${e.message}`);
    } else await showError(ctx.log, `Conducting phase ${phase.number} failed: ${(e as Error).message}`, e);
  }
}

/** How a conduct ended: complete (Merge & Validate offered), or which modules did not finish. */
export async function reportConducted(phase: PlannedPhase, result: PhaseRun): Promise<void> {
  const notDone = result.modules.filter((m) => m.state !== 'complete');
  if (notDone.length === 0) {
    const choice = await vscode.window.showInformationMessage(`Phase ${phase.number} complete: ${count(result.modules.length, 'module')}.`, 'Merge & Validate');
    if (choice) await vscode.commands.executeCommand('specConductor.mergePhase', { phase: phase.number });
  } else {
    void vscode.window.showWarningMessage(
      `Phase ${phase.number} ended with ${notDone.map((m) => `${m.id} ${m.state}`).join(', ')}${result.haltReason ? ` — ${result.haltReason}` : ''}.`,
    );
  }
}

/** Seed 004: the plan is shown for confirmation before anything runs. */
async function confirmPreview(ctx: CommandContext, phase: PlannedPhase, resuming: boolean): Promise<boolean> {
  const s = ctx.host.settings();
  const lines = phase.waves.map((wave, i) => `Wave ${i + 1}: ${wave.join(', ')}`);
  const detail = [
    `${count(phase.modules.length, 'module')} in ${count(phase.waves.length, 'wave')}:`,
    ...lines,
    '',
    `Agent: ${agentSpec(s) ?? '(none set)'} · up to ${ctx.host.maxParallel(s)} at once · ${s.retries} retr${s.retries === 1 ? 'y' : 'ies'}`,
    ...phase.modules.filter((m) => moduleFacts(m, { tags: false }).length > 0).map((m) => `${m.id}: ${moduleFacts(m, { tags: false }).join(' · ')}`),
    'Each module gets its own git worktree, branch and terminal; your checkout is not touched.',
  ].join('\n');
  const choice = await vscode.window.showInformationMessage(`${resuming ? 'Resume' : 'Conduct'} Phase ${phase.number}: ${phase.name}?`, { modal: true, detail }, resuming ? 'Resume' : 'Conduct');
  return Boolean(choice);
}

function count(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
