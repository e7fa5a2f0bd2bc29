// A fresh PhaseRun for a planned phase, or the existing one brought in line with the plan.
import type { PlannedPhase } from '../model';
import type { ModuleRecord, PhaseRun } from './model';

export const BRANCH_PREFIX = 'conductor';

export function moduleBranch(phaseSlug: string, module: string): string {
  return `${BRANCH_PREFIX}/${phaseSlug}/${module}`;
}

export function moduleWorktree(worktreeRoot: string, phaseSlug: string, module: string): string {
  return `${worktreeRoot.replace(/\/+$/, '')}/${phaseSlug}/${module}`;
}

/** The sibling folder outside the repository: `/src/shop` -> `/src/shop.worktrees`. */
export function defaultWorktreeRoot(repoRoot: string): string {
  return `${repoRoot.replace(/\/+$/, '')}.worktrees`;
}

export interface NewRunOptions {
  runId: string;
  baseCommit: string;
  now: string;
  worktreeRoot: string;
  agent: string;
  maxParallel: number;
  retries: number;
}

export function createPhaseRun(phase: PlannedPhase, o: NewRunOptions): PhaseRun {
  const waveOf = new Map<string, number>();
  phase.waves.forEach((wave, i) => wave.forEach((id) => waveOf.set(id, i + 1)));
  const sameSet = new Set(phase.modules.map((m) => m.id));
  const modules: ModuleRecord[] = phase.modules.map((m) => ({
    id: m.id,
    featureId: m.featureId,
    wave: waveOf.get(m.id) ?? 1,
    dependsOn: m.dependsOn.filter((d) => sameSet.has(d)),
    state: 'pending',
    attempts: 0,
    attemptLimit: 1 + Math.max(0, o.retries),
    startedAt: null,
    finishedAt: null,
    branch: moduleBranch(phase.slug, m.id),
    worktree: moduleWorktree(o.worktreeRoot, phase.slug, m.id),
    baseCommit: null,
    lastSummary: null,
    pid: null,
    exitCode: null,
    reportedComplete: false,
    filesCreated: [],
    testsPassing: null,
  }));
  return {
    number: phase.number,
    slug: phase.slug,
    name: phase.name,
    runId: o.runId,
    state: 'running',
    baseCommit: o.baseCommit,
    startedAt: o.now,
    finishedAt: null,
    haltReason: null,
    approvedAt: null,
    agent: o.agent,
    maxParallel: Math.max(1, o.maxParallel),
    retries: Math.max(0, o.retries),
    modules,
  };
}

/**
 * Resuming: keep what the earlier run knew (completed modules stay complete), take the options of
 * this invocation, and add modules the plan gained since (pending). Modules the plan lost are kept,
 * so their work is not forgotten.
 */
export function resumePhaseRun(existing: PhaseRun, fresh: PhaseRun): PhaseRun {
  // A session id is only good for the CLI that made it: with another agent, retries start afresh.
  // A module that ran an agent of its own (its tasks.csv row) keeps it: the launch compares agents.
  const ranTheRunsAgent = (m: ModuleRecord): boolean => (m.agent ?? existing.agent) === existing.agent;
  const forget = (m: ModuleRecord): ModuleRecord => (existing.agent !== fresh.agent && ranTheRunsAgent(m) ? { ...m, sessionId: null } : m);
  const known = new Map(existing.modules.map((m) => [m.id, forget(m)]));
  const modules = fresh.modules.map((m) => {
    const old = known.get(m.id);
    if (!old) return m;
    const kept = { ...old, wave: m.wave, dependsOn: m.dependsOn, branch: m.branch, worktree: m.worktree };
    if (old.state === 'complete' || old.state === 'complete-unverified') return kept;
    // Running the phase again asks for another try at everything unfinished, with a new budget.
    return { ...kept, state: old.state === 'blocked' ? ('pending' as const) : old.state, attemptLimit: old.attempts + 1 + fresh.retries };
  });
  for (const old of known.values()) if (!modules.some((m) => m.id === old.id)) modules.push(old);
  return {
    ...existing,
    state: 'running',
    haltReason: null,
    finishedAt: null,
    agent: fresh.agent,
    maxParallel: fresh.maxParallel,
    retries: fresh.retries,
    modules,
    // --validate-waves: another try judges failed checks afresh (the user may have fixed the work).
    ...(existing.waveChecks ? { waveChecks: existing.waveChecks.filter((r) => r.passed) } : {}),
  };
}
