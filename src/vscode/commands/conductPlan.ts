// Conductor: Conduct Plan — every phase from the chosen one on (or the whole plan), each on the
// validated result of the ones before: conduct, merge, validate, fix rounds, checkpoint. The same
// runner as `conductor run`; agents in terminals, progress in the tree and a notification.
import * as vscode from 'vscode';
import type { PlannedPhase } from '../../core/model';
import { phaseState, phasesInRange } from '../../core/planRun/planStep';
import { ConductError } from '../../core/run/errors';
import { showError } from '../log';
import { agentSpec } from '../settings';
import { requireTrust } from '../trust';
import { asTarget, confirmDirtyCheckout, type CommandContext } from './context';

export async function conductPlan(ctx: CommandContext, arg: unknown, approved: ReadonlySet<number> = new Set()): Promise<void> {
  if (!(await requireTrust('Conduct Plan'))) return;
  const plan = ctx.view.plan;
  if (!plan || plan.phases.length === 0) {
    void vscode.window.showWarningMessage('Spec Conductor: the plan has no phases yet (READY.md, "## Implementation Phases").');
    return;
  }
  if (ctx.host.isRunningPlan()) {
    await vscode.commands.executeCommand('workbench.view.extension.specConductor');
    return;
  }
  const errors = plan.problems.filter((p) => p.severity === 'error');
  if (errors.length > 0) {
    const choice = await vscode.window.showErrorMessage(`Spec Conductor: the plan has ${errors.length} error(s); fix them first.`, 'Show Problems');
    if (choice) await vscode.commands.executeCommand('workbench.actions.view.problems');
    return;
  }
  const numbers = plan.phases.map((p) => p.number);
  const from = asTarget(arg).phase ?? Math.min(...numbers);
  const range = { from, to: Math.max(...numbers) };
  const s = ctx.host.settings();
  const first = phasesInRange(plan, range)[0];
  if (first.dependsOn.length === 0 && !ctx.view.state.phases[first.slug] && !(await confirmDirtyCheckout(ctx))) return;
  if (!(await confirm(ctx, phasesInRange(plan, range)))) return;

  ctx.log.info(`Conducting the plan, phases ${range.from} to ${range.to}.`);
  void vscode.commands.executeCommand('workbench.view.extension.specConductor');
  try {
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Spec Conductor: conducting the plan', cancellable: true },
      async (progress, token) => {
        token.onCancellationRequested(() => void ctx.host.stopAll());
        const shown = ctx.view.onDidChange(() => {
          const current = phasesInRange(plan, range).find((p) => !['done', 'pending'].includes(phaseState(ctx.view.state.phases[p.slug])));
          if (current) progress.report({ message: `phase ${current.number} (${current.name}): ${phaseState(ctx.view.state.phases[current.slug])}` });
        });
        try {
          return await ctx.host.conductPlan(plan, { range, approved, fixRounds: s.fixRounds });
        } finally {
          shown.dispose();
        }
      },
    );
    if (result.outcome === 'done') {
      void vscode.window.showInformationMessage(`Spec Conductor: phases ${result.phases.join(', ')} done — merged, validated and checkpointed.`, 'Show Report').then((c) => {
        if (c) void vscode.commands.executeCommand('specConductor.showReport', { phase: result.phases[result.phases.length - 1] });
      });
    } else if (result.outcome === 'gated') {
      const choice = await vscode.window.showWarningMessage(`Spec Conductor: ${result.reason}`, 'Approve and Continue');
      if (choice) await conductPlan(ctx, { phase: result.phase }, new Set([...approved, result.phase]));
    } else if (result.outcome === 'failed') {
      ctx.log.warn(`Phase ${result.phase} failed: ${result.reason}`);
      const choice = await vscode.window.showErrorMessage(`Spec Conductor: phase ${result.phase} failed: ${result.reason}`, 'Show Report', 'Show Problems');
      if (choice === 'Show Report') await vscode.commands.executeCommand('specConductor.showReport', { phase: result.phase });
      if (choice === 'Show Problems') await vscode.commands.executeCommand('workbench.actions.view.problems');
    } else {
      void vscode.window.showInformationMessage('Spec Conductor: the plan run was stopped; Conduct Plan again resumes it.');
    }
  } catch (e) {
    if (e instanceof ConductError) {
      ctx.log.warn(e.message);
      void vscode.window.showWarningMessage(`Spec Conductor: ${e.message}`);
    } else await showError(ctx.log, `Conducting the plan failed: ${(e as Error).message}`, e);
  }
}

/** The phases, their waves, the agent and parallelism, confirmed before anything runs. */
async function confirm(ctx: CommandContext, phases: readonly PlannedPhase[]): Promise<boolean> {
  const s = ctx.host.settings();
  const detail = [
    ...phases.flatMap((p) => [`Phase ${p.number}: ${p.name}${p.gate === 'manual' ? ' (Gate: manual)' : ''} — ${phaseState(ctx.view.state.phases[p.slug])}`, ...p.waves.map((w, i) => `  wave ${i + 1}: ${w.join(', ')}`)]),
    '',
    `Agent: ${agentSpec(s) ?? '(none set)'} · up to ${ctx.host.maxParallel(s)} at once · ${s.fixRounds} fix round(s) per phase`,
    'Each phase starts from the validated result of the ones before; your checkout is not touched.',
    ...(s.validateWaves ? ["Within a phase, a wave starts once the merged result of the modules it builds on passes the phase's check and lint commands."] : []),
  ].join('\n');
  const choice = await vscode.window.showInformationMessage(`Conduct phases ${phases[0].number}–${phases[phases.length - 1].number}?`, { modal: true, detail }, 'Conduct Plan');
  return Boolean(choice);
}
