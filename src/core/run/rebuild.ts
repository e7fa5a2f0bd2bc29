// Rebuilding a phase's record from what the repository shows when state.json is missing or
// corrupt: the module branches and worktrees that exist and the last status each agent reported.
import type { PlannedPhase } from '../model';
import type { AgentStatus } from '../status/statusLine';
import { createPhaseRun, type NewRunOptions } from './createRun';
import type { ModuleRecord, PhaseRun } from './model';

export interface ModuleFacts {
  branchExists: boolean;
  worktreeExists: boolean;
  /** Commits on the branch beyond the phase base. */
  commitsAhead: number;
  lastStatus: { status: AgentStatus; summary: string; attempt: number | null; at: string } | null;
}

export function rebuildPhaseRun(phase: PlannedPhase, options: NewRunOptions, facts: ReadonlyMap<string, ModuleFacts>): PhaseRun | null {
  const fresh = createPhaseRun(phase, options);
  if (![...facts.values()].some((f) => f.branchExists || f.worktreeExists || f.lastStatus)) return null;
  return { ...fresh, modules: fresh.modules.map((m) => rebuildModule(m, facts.get(m.id))) };
}

function rebuildModule(m: ModuleRecord, f: ModuleFacts | undefined): ModuleRecord {
  if (!f || (!f.branchExists && !f.worktreeExists && !f.lastStatus)) return m;
  const attempts = Math.max(1, f.lastStatus?.attempt ?? 1);
  const base = { ...m, attempts, attemptLimit: Math.max(m.attemptLimit, attempts + 1), lastSummary: f.lastStatus?.summary ?? null };
  switch (f.lastStatus?.status) {
    case 'complete':
      return { ...base, state: f.commitsAhead > 0 ? 'complete' : 'complete-unverified', finishedAt: f.lastStatus.at };
    case 'failed':
      return { ...base, state: 'failed', finishedAt: f.lastStatus.at };
    default:
      // Started, in progress or waiting, and nobody is following it any more.
      return { ...base, state: 'interrupted', lastSummary: base.lastSummary ?? 'the run was interrupted (state rebuilt)' };
  }
}
