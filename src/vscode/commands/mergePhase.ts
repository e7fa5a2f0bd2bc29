// Conductor: Merge & Validate Phase — merges the completed modules in the integration worktree,
// validates, and puts conflicts and findings in the Problems panel.
import * as vscode from 'vscode';
import { mergeNotice } from '../../core/merge/mergeVerdict';
import { LIVE_STATES } from '../../core/run/model';
import { COMMAND } from '../ids';
import { showError } from '../log';
import { requireTrust } from '../trust';
import { asTarget, phaseState, pickConductedPhase, pickPhase, type CommandContext } from './context';

export async function mergePhaseCommand(ctx: CommandContext, arg: unknown): Promise<void> {
  if (!(await requireTrust('Merge & Validate'))) return;
  const conducted = await pickConductedPhase(ctx, asTarget(arg), 'Merge and validate which phase?');
  if (!conducted) return;
  const { phase, run } = conducted;
  try {
    ctx.merges.beginMerge();
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Merge & Validate phase ${phase.number}` },
      () => ctx.host.merge(phase, run, null),
    );
    // Its conflicts and findings are in the Problems panel already (EngineHost.onDidMerge).
    const failedChecks = result.validation.filter((v) => v.findings.some((f) => f.severity === 'error')).length;
    // The modules left out are named: a phase with a failed module is not "merged".
    const notice = mergeNotice({ ...result, failedChecks });
    const resolve = result.conflicts.length > 0 ? ['Resolve in Merge Editor'] : [];
    const actions = result.ok ? ['Show Report'] : [...resolve, 'Show Problems', 'Show Report'];
    const choice = result.ok
      ? await vscode.window.showInformationMessage(notice, ...actions)
      : await vscode.window.showWarningMessage(notice, ...actions);
    if (choice === 'Resolve in Merge Editor') await vscode.commands.executeCommand(COMMAND.resolveInMergeEditor, { phase: phase.number, module: result.conflicts[0].module });
    if (choice === 'Show Problems') await vscode.commands.executeCommand('workbench.actions.view.problems');
    if (choice === 'Show Report') await vscode.commands.executeCommand('specConductor.showReport', { phase: phase.number });
  } catch (e) {
    if ((e as { reason?: unknown }).reason === 'resolution-in-progress') {
      // The user's resolution is in that worktree: they finish it or drop it, then the merge goes on.
      ctx.resolutions.noteInProgress(phase);
      const choice = await vscode.window.showWarningMessage(`Spec Conductor: ${(e as Error).message}.`, 'Commit Resolved Merge', 'Abort Resolved Merge');
      if (choice === 'Commit Resolved Merge') await vscode.commands.executeCommand(COMMAND.commitResolvedMerge, { phase: phase.number });
      if (choice === 'Abort Resolved Merge') await vscode.commands.executeCommand(COMMAND.abortResolvedMerge, { phase: phase.number });
      return;
    }
    await showError(ctx.log, `Merge & Validate of phase ${phase.number} failed: ${(e as Error).message}`, e);
  }
}

export async function predictConflictsCommand(ctx: CommandContext, arg: unknown, quiet = false): Promise<void> {
  if (!vscode.workspace.isTrusted) {
    if (!quiet) await requireTrust('Predict Conflicts');
    return;
  }
  const phase = await pickPhase(ctx, asTarget(arg), 'Predict conflicts in which phase?');
  if (!phase) return;
  const run = phaseState(ctx, phase);
  if (!run) return;
  try {
    const generation = ctx.merges.mergeGeneration;
    const prediction = await ctx.host.predict(phase, run);
    const engine = await ctx.host.repository();
    // The periodic prediction is about agents at work: between finished modules, the merge tells.
    const live = new Set(run.modules.filter((m) => LIVE_STATES.has(m.state)).map((m) => m.id));
    const pairs = quiet ? prediction.pairs.filter((p) => live.has(p.a) || live.has(p.b)) : prediction.pairs;
    const count = ctx.merges.showPredicted(vscode.Uri.file(engine.repo.root), pairs, generation);
    // A merge finished while predicting: its result is what counts now.
    if (count === null) return;
    for (const v of prediction.ownershipViolations) ctx.log.warn(`Module ${v.module} changed ${v.file}, which module ${v.owner} owns.`);
    if (!quiet) {
      void vscode.window.showInformationMessage(count ? `Spec Conductor: ${count} predicted conflict(s) between ${pairs.length} pair(s) of agents.` : 'Spec Conductor: no conflicts predicted between the agents.');
    }
  } catch (e) {
    if (quiet) ctx.log.warn(`Conflict prediction failed: ${(e as Error).message}`);
    else await showError(ctx.log, `Conflict prediction failed: ${(e as Error).message}`, e);
  }
}
