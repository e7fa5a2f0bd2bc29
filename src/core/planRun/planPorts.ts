// What a plan run acts through. Implemented in infra (git, the phase conductor, merge and
// validation); the runner itself only sequences them.
import type { PlannedPhase } from '../model';
import type { PhaseRun, RunStateFile } from '../run/model';
import type { MergeOutcome } from './outcome';

export interface PhaseConductHandle {
  /** Runs the phase's modules to the end (resuming what is there); the final record. */
  result: Promise<PhaseRun>;
  stop(): Promise<void>;
}

export interface PlanPorts {
  readState(): Promise<RunStateFile>;
  /** Writes one phase's record, leaving the others as they are on disk. */
  savePhase(run: PhaseRun): Promise<void>;
  /** A commit id for a revision. */
  resolve(rev: string): Promise<string>;
  /** A commit merging the given commits (no worktree, no ref); conflicts when they do not merge. */
  mergeCommits(commits: readonly string[], message: string): Promise<{ commit: string } | { conflicts: string[] }>;
  isAncestor(a: string, b: string): Promise<boolean>;
  /** Conducts the phase's modules: new attempts for pending ones, starting new runs from `startFrom`. */
  conduct(phase: PlannedPhase, options: { startFrom: string | null; approve: boolean }): PhaseConductHandle;
  /** Merge & Validate in the phase's integration worktree (under the phase lock); writes the report. */
  merge(phase: PlannedPhase, run: PhaseRun, onValidating: () => void): Promise<MergeOutcome>;
  /** A fix attempt of a conflicting module: its worktree gets the integration result merged in, markers left. */
  prepareConflictFix(run: PhaseRun, module: string, integrationCommit: string): Promise<string>;
  /** `refs/conductor/checkpoints/phase-<N>` at `commit`, the report as its message; the ref's name. */
  writeCheckpoint(phase: PlannedPhase, run: PhaseRun, commit: string): Promise<string>;
  /** The commit a phase's checkpoint points at, or null. */
  checkpointCommit(phase: PlannedPhase): Promise<string | null>;
  /** Removes a done phase's module worktrees (branches kept); what it could not remove, and why. */
  removeWorktrees(run: PhaseRun): Promise<string[]>;
  /** Moves the user's branch to `commit` (`--into`). */
  bringInto(branch: string, commit: string): Promise<string>;
  now(): string;
}
