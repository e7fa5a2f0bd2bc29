// The documented JSON of module records (`conductor status --json`, `conduct --json`).
import type { Discovery } from '../core/discoveries/discovery';
import type { PhaseRun } from '../core/run/model';
import { discoveryReports } from '../core/report/phaseReport';
import { phaseUsage } from '../core/report/usage';
import { phaseState } from '../core/planRun/planStep';

export function phaseStatusJson(run: PhaseRun, displayState: (m: PhaseRun['modules'][number]) => string = (m) => m.state, discoveries: readonly Discovery[] = []) {
  return {
    number: run.number,
    slug: run.slug,
    name: run.name,
    /** Where the phase is in the plan: pending … done, failed, gated. */
    state: phaseState(run),
    /** Its modules' run: running, done or halted. */
    conductState: run.state,
    checkpoint: run.progress?.checkpoint ?? null,
    fixRound: run.progress?.fixRound ?? 0,
    reason: run.progress?.reason ?? null,
    // --validate-waves: each check of a dependency set's merged result.
    waveChecks: (run.waveChecks ?? []).map((c) => ({ deps: c.deps, passed: c.passed, summary: c.summary, at: c.at })),
    haltReason: run.haltReason,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    baseCommit: run.baseCommit,
    modules: run.modules.map((m) => ({
      id: m.id,
      state: displayState(m),
      attempts: m.attempts,
      startedAt: m.startedAt,
      finishedAt: m.finishedAt,
      branch: m.branch,
      worktree: m.worktree,
      wave: m.wave,
      baseCommit: m.baseCommit,
      lastSummary: m.lastSummary,
      fixRounds: m.fixRounds ?? 0,
      fixFindings: m.fixFindings ?? null,
      sessionId: m.sessionId ?? null,
      usage: m.usage ?? null,
      resumeAt: m.resumeAt ?? null,
      /** The agent of its latest attempt (null before the first); the phase's is `agent`. */
      agent: m.agent ?? null,
    })),
    agent: run.agent,
    usage: phaseUsage(run),
    /** What its agents reported with `conductor-hook discovery` and `spec-correction`. */
    discoveries: discoveryReports(discoveries, run.number),
  };
}
