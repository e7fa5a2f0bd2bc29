// `conductor rollback <phase>`: which phases go back to pending, and the commit their integration
// branches are reset to (the checkpoint of the phase before, or the first phase's base), and how the
// editor says so before it happens. Pure.
import { integrationBranch } from '../merge/planMerge';
import type { Plan, PlannedPhase } from '../model';
import type { RunStateFile } from '../run/model';

/** Where a rollback keeps the refs it moves (infra/git/checkpoints.ts writes them there). */
export const BACKUP_REFS = 'refs/conductor/backup';

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

/** The folder a rollback keeps old refs and files under: the time, `20260102T030405Z`. */
export function backupStamp(now: Date): string {
  return now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

/** Where the integration branches go back to: a checkpoint (its ref) or the first phase's start. */
export interface RollbackTarget {
  commit: string;
  /** `refs/conductor/checkpoints/phase-<N>` of `toCheckpointOf`; null when going back to `baseCommit`. */
  checkpointRef: string | null;
}

/** What a rollback resets, said before it happens: a question and the lines of its detail. */
export function describeRollback(decided: RollbackPlan, target: RollbackTarget, stamp: string): { message: string; detail: string[] } {
  const [first] = decided.phases;
  const numbers = decided.phases.map((p) => p.number);
  const later = decided.phases.length > 1 ? ` and ${decided.phases.length === 2 ? 'phase' : 'phases'} ${numbers.slice(1).join(', ')} after it` : '';
  const short = target.commit.slice(0, 8);
  const to = decided.toCheckpointOf && target.checkpointRef
    ? `phase ${decided.toCheckpointOf.number}'s checkpoint ${target.checkpointRef} (${short})`
    : `${short}, where phase ${first.number} started`;
  return {
    message: `Roll back phase ${first.number} (${first.name})${later}?`,
    detail: [
      `Integration branches reset to ${to}:`,
      ...decided.phases.map((p) => `  ${integrationBranch(p.slug)} (phase ${p.number}: ${p.name})`),
      `Their old tips, checkpoints and module branches are kept under ${BACKUP_REFS}/${stamp}/; their status files, prompts, logs and merge results move to .conductor/backup/${stamp}/.`,
      'Their module and integration worktrees are removed (one with uncommitted changes stops the rollback, unless you choose to discard them).',
      `${decided.phases.length === 1 ? `Phase ${first.number} goes` : `Phases ${numbers.join(', ')} go`} back to pending: conducting again starts ${decided.phases.length === 1 ? 'it' : 'them'} over.`,
      'Your checkout (its branch and files) is not touched.',
    ],
  };
}
