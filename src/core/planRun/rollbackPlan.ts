// `conductor rollback <phase>`: which phases go back to pending, and the commit their integration
// branches are reset to (the checkpoint of the phase before, or the first phase's base). Pure.
import type { Plan, PlannedPhase } from '../model';
import type { RunStateFile } from '../run/model';

export interface RollbackPlan {
  /** The phases reset, in plan order: the given one and every later one with a record. */
  phases: PlannedPhase[];
  /** Reset to this phase's checkpoint; null: to `baseCommit`, where the first rolled-back phase started. */
  toCheckpointOf: PlannedPhase | null;
  baseCommit: string | null;
}

export function planRollback(plan: Plan, state: RunStateFile, phaseNumber: number): RollbackPlan | { error: string } {
  const phase = plan.phases.find((p) => p.number === phaseNumber);
  if (!phase) return { error: `the plan has no phase ${phaseNumber} (phases: ${plan.phases.map((p) => p.number).join(', ')})` };
  const ordered = [...plan.phases].sort((a, b) => a.number - b.number);
  const before = ordered.filter((p) => p.number < phaseNumber).pop() ?? null;
  const phases = ordered.filter((p) => p.number >= phaseNumber && state.phases[p.slug] !== undefined);
  if (phases.length === 0) return { error: `phase ${phaseNumber} and the phases after it have not been conducted: there is nothing to roll back` };
  // Without a checkpoint before it (the phase was conducted before the one it follows was done), it
  // goes back to where it started.
  const checkpointed = before && state.phases[before.slug]?.progress?.state === 'done' ? before : null;
  return { phases, toCheckpointOf: checkpointed, baseCommit: checkpointed ? null : (state.phases[phases[0].slug]?.baseCommit ?? null) };
}
