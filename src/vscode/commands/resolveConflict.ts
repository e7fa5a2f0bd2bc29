// Resolve in Merge Editor, Commit Resolved Merge, Abort Resolved Merge: a module that Merge & Validate
// could not merge is merged by hand in the phase's integration worktree. The merge is prepared there
// with the conflict in progress and each conflicting file opens in VS Code's merge editor; the
// resolution is committed on the integration branch, and Merge & Validate goes on with the modules
// after it (it finds the module merged: its tip is in the integration branch).
import * as vscode from 'vscode';
import { integrationBranch } from '../../core/merge/planMerge';
import type { PlannedPhase } from '../../core/model';
import type { PhaseRun } from '../../core/run/model';
import { showError } from '../log';
import { requireTrust } from '../trust';
import { asTarget, conductedRun, pickConductedPhase, type CommandContext, type Target } from './context';
import { mergePhaseCommand } from './mergePhase';

/** The phase and module of a conflict: from the tree row or quick fix, else picked among the last merges' conflicts. */
async function pickConflict(ctx: CommandContext, target: Target): Promise<{ phase: PlannedPhase; run: PhaseRun; module: string } | undefined> {
  const plan = ctx.view.plan;
  const known = (plan?.phases ?? []).flatMap((p) => [...new Set(ctx.view.conflicts.get(p.slug)?.conflicts.map((c) => c.module) ?? [])].map((module) => ({ phase: p, module })));
  const candidates = known.filter((k) => (target.phase === undefined || k.phase.number === target.phase) && (target.module === undefined || k.module === target.module));
  let picked: { phase: PlannedPhase; module: string } | undefined;
  if (target.phase !== undefined && target.module !== undefined) {
    const phase = plan?.phases.find((p) => p.number === target.phase);
    picked = phase && { phase, module: target.module };
  } else if (candidates.length === 0) {
    void vscode.window.showInformationMessage('Spec Conductor: no merge conflict to resolve — Merge & Validate shows conflicts in the Problems panel and the Phases view.');
    return undefined;
  } else if (candidates.length === 1) {
    picked = candidates[0];
  } else {
    const items = candidates.map((c) => ({ label: c.module, description: `Phase ${c.phase.number}: ${c.phase.name}`, c }));
    picked = (await vscode.window.showQuickPick(items, { placeHolder: 'Resolve which module\'s merge conflict?' }))?.c;
  }
  if (!picked) return undefined;
  const run = conductedRun(ctx, picked.phase);
  return run ? { ...picked, run } : undefined;
}

export async function resolveInMergeEditor(ctx: CommandContext, arg: unknown): Promise<void> {
  if (!(await requireTrust('Resolve in Merge Editor'))) return;
  const target = await pickConflict(ctx, asTarget(arg));
  if (!target) return;
  const { phase, run, module } = target;
  if (ctx.host.isConducting(phase.slug)) {
    void vscode.window.showInformationMessage(`Spec Conductor: phase ${phase.number} is being conducted; resolve the conflict once it has ended.`);
    return;
  }
  try {
    const outcome = await ctx.host.withResolution(phase, run, 'Resolve in Merge Editor', (port) => port.prepare(module));
    if (outcome.kind === 'merged') {
      ctx.log.info(`Resolve in Merge Editor: ${outcome.why} (${outcome.commit.slice(0, 8)}).`);
      void vscode.window.showInformationMessage(`Spec Conductor: ${outcome.why}; Merge & Validate goes on.`);
      await mergePhaseCommand(ctx, { phase: phase.number });
      return;
    }
    const record = run.modules.find((m) => m.id === module);
    await ctx.resolutions.show({
      phase: phase.number,
      phaseSlug: phase.slug,
      module,
      worktree: outcome.worktree,
      integrationBranch: integrationBranch(phase.slug),
      moduleBranch: record?.branch ?? module,
      files: outcome.files,
    });
    if (outcome.files.length === 0) {
      const choice = await vscode.window.showInformationMessage(`Spec Conductor: the merge of ${module} has no conflict left. Commit it to go on with Merge & Validate.`, 'Commit Resolved Merge');
      if (choice) await commitResolvedMerge(ctx, { phase: phase.number });
    }
  } catch (e) {
    await showError(ctx.log, `Resolve in Merge Editor (${module}) failed: ${(e as Error).message}`, e);
  }
}

export async function commitResolvedMerge(ctx: CommandContext, arg: unknown): Promise<void> {
  const resolving = await resolvingPhase(ctx, arg, 'Commit Resolved Merge', 'Commit the resolved merge of which phase?');
  if (!resolving) return;
  const { phase, run } = resolving;
  let committed: { module: string; commit: string };
  try {
    committed = await ctx.host.withResolution(phase, run, 'Commit Resolved Merge', (port) => port.commit());
  } catch (e) {
    // Markers left, nothing in progress: the user's to fix, said plainly.
    ctx.log.warn(`Commit Resolved Merge (phase ${phase.number}): ${(e as Error).message}`);
    void vscode.window.showWarningMessage(`Spec Conductor: not committed — ${(e as Error).message}.`);
    return;
  }
  ctx.resolutions.ended(phase.slug);
  ctx.log.info(`Commit Resolved Merge: ${committed.module} merged into ${integrationBranch(phase.slug)} at ${committed.commit.slice(0, 8)}; Merge & Validate goes on.`);
  await mergePhaseCommand(ctx, { phase: phase.number });
}

export async function abortResolvedMerge(ctx: CommandContext, arg: unknown): Promise<void> {
  const resolving = await resolvingPhase(ctx, arg, 'Abort Resolved Merge', 'Abort the merge being resolved in which phase?');
  if (!resolving) return;
  const { phase, run } = resolving;
  try {
    await ctx.host.withResolution(phase, run, 'Abort Resolved Merge', (port) => port.abort());
    ctx.resolutions.ended(phase.slug);
    ctx.log.info(`Abort Resolved Merge: the integration worktree of phase ${phase.number} is back at ${integrationBranch(phase.slug)}.`);
  } catch (e) {
    await showError(ctx.log, `Abort Resolved Merge (phase ${phase.number}) failed: ${(e as Error).message}`, e);
  }
}

/** The phase whose merge is being resolved: the one named, else the only one being resolved, else picked. */
async function resolvingPhase(ctx: CommandContext, arg: unknown, verb: string, placeHolder: string): Promise<{ phase: PlannedPhase; run: PhaseRun } | undefined> {
  if (!(await requireTrust(verb))) return undefined;
  return pickConductedPhase(ctx, { phase: asTarget(arg).phase ?? ctx.resolutions.onlyPhase }, placeHolder);
}
