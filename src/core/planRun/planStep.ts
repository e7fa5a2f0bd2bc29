// The pure planner of a plan run (`conductor run`, Conduct Plan): given the plan and the state, the
// next thing to do. Phases go in plan order; each starts from the integrated result of the phases it
// depends on, and only once they are done. The runner does the step and asks again.
import type { Plan, PlannedPhase } from '../model';
import { DONE_STATES, type PhaseRun, type PhaseState, type RunStateFile } from '../run/model';

export interface PlanRange {
  from: number;
  to: number;
}

export interface PlanStepOptions {
  range: PlanRange;
  /** Phases whose `Gate: manual` the user approved for this run (`--approve`). */
  approved: ReadonlySet<number>;
}

export type PlanStep =
  /** Conduct the phase's modules (first run, resumed, or a fix round's attempts). */
  | { type: 'conduct'; phase: PlannedPhase; startFrom: StartFrom }
  /** Merge the phase's branches in its integration worktree and validate the result. */
  | { type: 'merge'; phase: PlannedPhase }
  /** Stop: a gate, a failure, a dependency outside the range that is not done. */
  | { type: 'stop'; phase: PlannedPhase; state: PhaseState; reason: string; exit: 'gated' | 'failed' }
  /** Every phase of the range is done. */
  | { type: 'finished'; last: PlannedPhase | null };

/** Where a phase's modules start: the user's HEAD (no dependencies) or its dependencies' integrated results. */
export type StartFrom = { kind: 'head' } | { kind: 'phases'; phases: { number: number; slug: string }[] };

/**
 * The phase's state in a plan run. A phase conducted alone (`conduct`, no progress recorded) is
 * conducting while it runs; then merging is next when every module completed, else it failed.
 */
export function phaseState(run: PhaseRun | undefined): PhaseState {
  if (!run) return 'pending';
  if (run.progress) return run.progress.state;
  if (run.state === 'running') return 'conducting';
  if (run.state === 'halted') return 'failed';
  return run.modules.every((m) => DONE_STATES.has(m.state)) ? 'merging' : 'failed';
}

export function phasesInRange(plan: Plan, range: PlanRange): PlannedPhase[] {
  return plan.phases.filter((p) => p.number >= range.from && p.number <= range.to).sort((a, b) => a.number - b.number);
}

export function nextPlanStep(plan: Plan, state: RunStateFile, options: PlanStepOptions): PlanStep {
  const phases = phasesInRange(plan, options.range);
  let last: PlannedPhase | null = null;
  for (const phase of phases) {
    const run = state.phases[phase.slug];
    const current = phaseState(run);
    if (current === 'done') {
      const stale = staleOn(plan, state, phase, run!);
      if (stale) return { type: 'stop', phase, state: 'done', reason: stale, exit: 'failed' };
      last = phase;
      continue;
    }
    if (current === 'failed') {
      return { type: 'stop', phase, state: 'failed', reason: run?.progress?.reason ?? run?.haltReason ?? `not every module of phase ${phase.number} completed`, exit: 'failed' };
    }
    for (const dep of phase.dependsOn) {
      const depPhase = plan.phases.find((p) => p.number === dep);
      if (!depPhase || phaseState(state.phases[depPhase.slug]) === 'done') continue;
      // In the range it would have come first (plan order); outside it, the user must run it.
      return {
        type: 'stop',
        phase,
        state: current,
        reason: `phase ${phase.number} depends on phase ${dep}, which is not done: run it first (conductor run ${dep}..${phase.number})`,
        exit: 'failed',
      };
    }
    if (current === 'merging' || current === 'validating') return { type: 'merge', phase };
    if (phase.gate === 'manual' && !run?.approvedAt && !options.approved.has(phase.number)) {
      return {
        type: 'stop',
        phase,
        state: 'gated',
        reason: `phase ${phase.number} (${phase.name}) has "Gate: manual"${last ? `: review phase ${last.number}'s result first` : ''}, then approve it: conductor run ${phase.number}..${options.range.to} --approve ${phase.number}`,
        exit: 'gated',
      };
    }
    return { type: 'conduct', phase, startFrom: startFrom(plan, phase) };
  }
  return { type: 'finished', last };
}

/**
 * A done phase whose dependency has changed since the phase was built on it (sent back to fix and
 * done again, or being fixed): its checkpoint is no proof of the plan as it is now. Null when not.
 */
export function staleOn(plan: Plan, state: RunStateFile, phase: PlannedPhase, run: PhaseRun): string | null {
  const builtOn = run.progress?.builtOn;
  if (!builtOn) return null;
  for (const [number, commit] of Object.entries(builtOn)) {
    const dep = plan.phases.find((p) => String(p.number) === number);
    const now = dep ? state.phases[dep.slug]?.progress : undefined;
    if (!dep || (now?.state === 'done' && now.integrationCommit === commit)) continue;
    const what = now?.state === 'done' ? `is done again at ${now.integrationCommit?.slice(0, 8) ?? 'another commit'}` : `is ${now?.state ?? 'pending'} again`;
    return `phase ${phase.number} was built on phase ${dep.number}'s result at ${commit.slice(0, 8)}, and phase ${dep.number} ${what}: roll phase ${phase.number} back to conduct it on the new result (conductor rollback ${phase.number}, or Roll Back to Before This Phase in the Phases view)`;
  }
  return null;
}

/** The phases whose integrated results the phase starts from (the runner merges them when they diverge). */
export function startFrom(plan: Plan, phase: PlannedPhase): StartFrom {
  const deps = phase.dependsOn
    .map((n) => plan.phases.find((p) => p.number === n))
    .filter((p): p is PlannedPhase => p !== undefined)
    .sort((a, b) => a.number - b.number)
    .map((p) => ({ number: p.number, slug: p.slug }));
  return deps.length > 0 ? { kind: 'phases', phases: deps } : { kind: 'head' };
}
