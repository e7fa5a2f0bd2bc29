// What commands need: the folder's engine host, the view model, live diagnostics, merge editor sessions and the log.
import * as vscode from 'vscode';
import type { PlannedPhase } from '../../core/model';
import type { PhaseRun } from '../../core/run/model';
import type { ConductorState } from '../conductorState';
import type { EngineHost } from '../engineHost';
import type { Log } from '../log';
import type { MergeDiagnostics } from '../mergeDiagnostics';
import type { MergeEditorSessions } from '../mergeEditor';

export interface CommandContext {
  host: EngineHost;
  view: ConductorState;
  log: Log;
  merges: MergeDiagnostics;
  /** Conflicts opened in the merge editor (Resolve in Merge Editor), until committed or aborted. */
  resolutions: MergeEditorSessions;
}

/** Tree items and CodeLenses pass `{ phase, module? }`; the palette passes nothing. */
export interface Target {
  phase?: number;
  module?: string;
}

export function asTarget(arg: unknown): Target {
  if (arg && typeof arg === 'object') {
    const a = arg as Record<string, unknown>;
    return { phase: typeof a.phase === 'number' ? a.phase : undefined, module: typeof a.module === 'string' ? a.module : undefined };
  }
  if (typeof arg === 'number') return { phase: arg };
  return {};
}

export function phaseState(ctx: CommandContext, phase: PlannedPhase): PhaseRun | null {
  return ctx.view.state.phases[phase.slug] ?? null;
}

/** The phase named by the target, or one the user picks (with its state) from the plan. */
export async function pickPhase(ctx: CommandContext, target: Target, placeHolder: string): Promise<PlannedPhase | undefined> {
  const plan = ctx.view.plan;
  if (!plan || plan.phases.length === 0) {
    void vscode.window.showWarningMessage('Spec Conductor: the plan has no phases yet (READY.md, "## Implementation Phases").');
    return undefined;
  }
  if (target.phase !== undefined) return plan.phases.find((p) => p.number === target.phase);
  if (plan.phases.length === 1) return plan.phases[0];
  const items = plan.phases.map((p) => {
    const run = phaseState(ctx, p);
    const done = run ? run.modules.filter((m) => m.state === 'complete' || m.state === 'complete-unverified').length : 0;
    return {
      label: `Phase ${p.number}: ${p.name}`,
      description: run ? `${done}/${run.modules.length} done${ctx.host.isConducting(p.slug) ? ' · running' : ''}` : `${p.modules.length} module(s) in ${p.waves.length} wave(s)`,
      detail: p.gate === 'manual' ? 'Gate: manual — needs approval' : undefined,
      phase: p,
    };
  });
  return (await vscode.window.showQuickPick(items, { placeHolder }))?.phase;
}

/** The run of a phase, or a message saying it has none yet. */
export function conductedRun(ctx: CommandContext, phase: PlannedPhase): PhaseRun | undefined {
  const run = phaseState(ctx, phase);
  if (!run) void vscode.window.showInformationMessage(`Spec Conductor: phase ${phase.number} has not been conducted yet.`);
  return run ?? undefined;
}

/** A phase named by the target or picked, with its run; undefined (having said why) when it has none. */
export async function pickConductedPhase(ctx: CommandContext, target: Target, placeHolder: string): Promise<{ phase: PlannedPhase; run: PhaseRun } | undefined> {
  const phase = await pickPhase(ctx, target, placeHolder);
  const run = phase && conductedRun(ctx, phase);
  return phase && run ? { phase, run } : undefined;
}

/** A module named by the target (tree items), or one the user picks from the phase's records. */
export async function pickModule(ctx: CommandContext, target: Target, placeHolder: string, filter: (m: PhaseRun['modules'][number]) => boolean = () => true): Promise<{ phase: PlannedPhase; run: PhaseRun; module: string } | undefined> {
  const conducted = await pickConductedPhase(ctx, target, 'Which phase?');
  if (!conducted) return undefined;
  const { phase, run } = conducted;
  if (target.module) return { phase, run, module: target.module };
  const picked = await vscode.window.showQuickPick(
    run.modules.filter(filter).map((m) => ({ label: m.id, description: m.state, detail: m.lastSummary ?? undefined })),
    { placeHolder },
  );
  return picked ? { phase, run, module: picked.label } : undefined;
}

/** Agents start from the last commit: uncommitted changes are the user's to keep out, knowingly. False: they said no. */
export async function confirmDirtyCheckout(ctx: CommandContext): Promise<boolean> {
  const dirty = await ctx.host.changedFiles();
  if (dirty.length === 0) return true;
  const choice = await vscode.window.showWarningMessage(
    `Your checkout has uncommitted changes (${dirty.slice(0, 3).join(', ')}${dirty.length > 3 ? ', …' : ''}). Agents start from the last commit and will not see them.`,
    { modal: true },
    'Conduct Anyway',
  );
  return Boolean(choice);
}
