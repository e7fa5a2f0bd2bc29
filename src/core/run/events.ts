// What happens to a module during a run, and how each happening changes its record. Pure: the
// runner feeds events in, saves the result and prints the transitions.
import type { AgentSignal } from '../agents/streams/signals';
import type { AgentStatus } from '../status/statusLine';
import { logAttempt } from './attemptLog';
import type { AgentUsage, FixFinding, ModuleRecord, ModuleState, PhaseRun } from './model';
import { FINAL_STATES, LIVE_STATES } from './model';

export type RunEvent =
  /**
   * An attempt begins. Saved before the agent is spawned (pid null, launchId set): a crash between
   * spawning and recording the pid leaves the launch id, by which the next run finds the agent.
   */
  | { type: 'started'; module: string; attempt: number; pid: number | null; baseCommit: string | null; at: string; launchId?: string | null; tokenHash?: string | null; agent?: string | null }
  /** The agent's process, once spawned (or found again after a crash). */
  | { type: 'spawned'; module: string; attempt: number; pid: number | null; pidStart: string | null; at: string }
  | {
      type: 'status';
      module: string;
      status: AgentStatus;
      summary: string;
      attempt: number | null;
      filesCreated: string[];
      testsPassing: boolean | null;
      at: string;
    }
  | { type: 'exited'; module: string; attempt: number; code: number | null; signal: string | null; byUser: boolean; at: string }
  /** The proof check after a reported completion: commits beyond the base, or the expected files. */
  | { type: 'verified'; module: string; proof: boolean; detail: string; at: string; offBranch?: string | null; head?: string | null }
  | { type: 'start-failed'; module: string; attempt: number; message: string; at: string }
  /** Its process is gone without a trace (the engine restarted, the terminal vanished). */
  | { type: 'interrupted'; module: string; reason: string; at: string }
  | { type: 'blocked'; module: string; by: string[]; at: string; why?: string }
  /** The user asked for another attempt (Retry Module). */
  | { type: 'retry'; module: string; retries: number; at: string }
  /** Something the user should know about the module, kept with its summary. */
  | { type: 'annotated'; module: string; text: string; at: string }
  /** A fact from the agent CLI's own event stream (session, usage, a denial, a usage limit). */
  | { type: 'signal'; module: string; attempt: number; signal: AgentSignal; at: string }
  /** A paused module may start again (its reset time came, or the user asked). */
  | { type: 'resume'; module: string; at: string }
  /** A fix round sends a complete module back with what the phase's validation found in its work. */
  | { type: 'fix'; module: string; findings: FixFinding[]; retries: number; at: string };

export interface Transition {
  module: string;
  from: ModuleState;
  to: ModuleState;
  summary: string | null;
}

export interface Applied {
  run: PhaseRun;
  transition: Transition | null;
}

export function applyEvent(run: PhaseRun, event: RunEvent): Applied {
  const index = run.modules.findIndex((m) => m.id === event.module);
  if (index < 0) return { run, transition: null };
  const before = run.modules[index];
  const after = logAttempt(before, next(before, event), event);
  if (after === before) return { run, transition: null };
  const modules = run.modules.slice();
  modules[index] = after;
  const transition =
    after.state !== before.state ? { module: before.id, from: before.state, to: after.state, summary: after.lastSummary } : null;
  return { run: { ...run, modules }, transition };
}

function next(m: ModuleRecord, e: RunEvent): ModuleRecord {
  switch (e.type) {
    case 'started':
      return {
        ...m,
        state: 'running',
        attempts: e.attempt,
        startedAt: e.at,
        finishedAt: null,
        pid: e.pid,
        pidStart: null,
        launchId: e.launchId ?? null,
        tokenHash: e.tokenHash ?? null,
        exitCode: null,
        reportedComplete: false,
        exitClaim: false,
        attemptUsage: null,
        resumeAt: null,
        // The previous attempt's summary went into this attempt's prompt; the record starts afresh.
        lastSummary: null,
        baseCommit: e.baseCommit ?? m.baseCommit,
        ...(e.agent ? { agent: e.agent } : {}),
        // As launchEnv hands it over (CONDUCTOR_RESUME_SESSION): only a retry, with the same agent.
        resumingSession: e.attempt > 1 && (!e.agent || e.agent === m.agent) ? (m.sessionId ?? null) : null,
      };
    case 'spawned':
      if (e.attempt !== m.attempts || !LIVE_STATES.has(m.state)) return m;
      return { ...m, pid: e.pid, pidStart: e.pidStart };
    case 'status':
      return onStatus(m, e);
    case 'exited':
      return onExit(m, e);
    case 'verified':
      if (!m.reportedComplete || FINAL_STATES.has(m.state)) return m;
      // Commits the merge would never take are not done work, whatever else is there.
      if (e.offBranch) return { ...m, state: 'failed', finishedAt: e.at, reportedComplete: false, exitClaim: false, lastSummary: joinSummary(m.lastSummary, e.offBranch) };
      if (m.exitClaim && !e.proof) {
        return { ...m, state: 'failed', finishedAt: e.at, reportedComplete: false, exitClaim: false, lastSummary: joinSummary(m.lastSummary, `ended without reporting, and ${e.detail}`) };
      }
      return {
        ...m,
        state: e.proof ? 'complete' : 'complete-unverified',
        finishedAt: e.at,
        reportedComplete: false,
        exitClaim: false,
        verifiedHead: e.head ?? null,
        lastSummary: e.proof ? m.lastSummary : joinSummary(m.lastSummary, e.detail),
      };
    case 'signal':
      return onSignal(m, e);
    case 'resume':
      if (m.state !== 'paused') return m;
      // A pause is not a failed attempt: the restart gets an attempt of its own on top of the budget.
      return { ...m, state: 'pending', resumeAt: null, attemptLimit: m.attemptLimit + 1, finishedAt: null };
    case 'start-failed':
      return { ...m, state: 'failed', attempts: e.attempt, startedAt: m.startedAt ?? e.at, finishedAt: e.at, pid: null, lastSummary: e.message };
    case 'interrupted':
      if (!LIVE_STATES.has(m.state)) return m;
      // It reported completion before it went: that report is still verified, not thrown away.
      if (m.reportedComplete) return { ...m, pid: null };
      return { ...m, state: 'interrupted', pid: null, finishedAt: e.at, reportedComplete: false, lastSummary: joinSummary(m.lastSummary, e.reason) };
    case 'retry':
      if (LIVE_STATES.has(m.state) || m.state === 'complete') return m;
      return { ...m, state: 'pending', attemptLimit: Math.max(m.attemptLimit, m.attempts + 1 + Math.max(0, e.retries)), finishedAt: null, reportedComplete: false };
    case 'fix':
      if (LIVE_STATES.has(m.state)) return m;
      return {
        ...m,
        state: 'pending',
        attemptLimit: m.attempts + 1 + Math.max(0, e.retries),
        fixRounds: (m.fixRounds ?? 0) + 1,
        fixFindings: e.findings,
        finishedAt: null,
        reportedComplete: false,
        exitClaim: false,
        verifiedHead: null,
        testsPassing: null,
      };
    case 'annotated':
      return { ...m, lastSummary: joinSummary(m.lastSummary, e.text) };
    case 'blocked':
      if (m.state !== 'pending' && m.state !== 'interrupted') return m;
      return { ...m, state: 'blocked', finishedAt: e.at, lastSummary: e.why ? `blocked: ${e.why}` : `blocked by ${e.by.join(', ')}` };
  }
}

function onStatus(m: ModuleRecord, e: Extract<RunEvent, { type: 'status' }>): ModuleRecord {
  // A line from an earlier attempt (a slow hook) must not change the current one.
  if (e.attempt !== null && e.attempt !== m.attempts) return m;
  // A line without an attempt number is only believed if it was written after this attempt began.
  if (e.attempt === null && m.startedAt !== null && e.at < m.startedAt) return m;
  if (!LIVE_STATES.has(m.state)) return m;
  // A failure report wins over a completion the same attempt reported before it; nothing after it counts.
  if (m.reportedComplete && e.status !== 'failed') return m;
  const base = {
    ...m,
    lastSummary: e.summary || m.lastSummary,
    filesCreated: e.filesCreated.length ? e.filesCreated : m.filesCreated,
    testsPassing: e.testsPassing ?? m.testsPassing,
  };
  switch (e.status) {
    case 'started':
    case 'progress':
      return { ...base, state: 'running' };
    case 'needs-input':
      return { ...base, state: 'needs-input' };
    case 'complete':
      return { ...base, state: 'running', reportedComplete: true };
    case 'failed':
      return { ...base, state: 'failed', finishedAt: e.at, reportedComplete: false, exitClaim: false };
  }
}

function onSignal(m: ModuleRecord, e: Extract<RunEvent, { type: 'signal' }>): ModuleRecord {
  if (e.attempt !== m.attempts) return m;
  const s = e.signal;
  switch (s.kind) {
    case 'session':
      return m.sessionId === s.sessionId && !m.resumingSession ? m : { ...m, sessionId: s.sessionId, resumingSession: null };
    case 'usage': {
      const { kind: _kind, ...attempt } = s;
      return { ...m, attemptUsage: attempt, usage: addUsage(subtractUsage(m.usage ?? {}, m.attemptUsage ?? {}), attempt) };
    }
    case 'denied':
      return { ...m, lastSummary: joinSummary(m.lastSummary, `the agent tried to run \`${s.command}\` (${s.tool}) and was denied`) };
    case 'error':
      return { ...m, lastSummary: joinSummary(m.lastSummary, `the agent CLI reported: ${s.message}`) };
    case 'usage-limit':
      if (!LIVE_STATES.has(m.state)) return m;
      return {
        ...m,
        state: 'paused',
        resumeAt: s.resetAt,
        reportedComplete: false,
        exitClaim: false,
        lastSummary: joinSummary(m.lastSummary, `paused: ${s.message}${s.resetAt ? ` (resumes at ${s.resetAt})` : ' (resume it by hand)'}`),
      };
  }
}

const USAGE_KEYS = ['turns', 'inputTokens', 'outputTokens', 'costUsd'] as const;

function addUsage(a: AgentUsage, b: AgentUsage): AgentUsage {
  const out: AgentUsage = {};
  for (const k of USAGE_KEYS) if (a[k] !== undefined || b[k] !== undefined) out[k] = (a[k] ?? 0) + (b[k] ?? 0);
  return out;
}

function subtractUsage(a: AgentUsage, b: AgentUsage): AgentUsage {
  const out: AgentUsage = {};
  for (const k of USAGE_KEYS) if (a[k] !== undefined) out[k] = a[k] - (b[k] ?? 0);
  return out;
}

function onExit(m: ModuleRecord, e: Extract<RunEvent, { type: 'exited' }>): ModuleRecord {
  if (e.attempt !== m.attempts) return m;
  const recorded = { ...m, exitCode: e.code, pid: null };
  if (!LIVE_STATES.has(m.state) || m.reportedComplete) return recorded;
  // Ended normally without a word: complete only if the proof check finds its work.
  if (e.code === 0 && !e.byUser) return { ...recorded, reportedComplete: true, exitClaim: true };
  if (e.byUser) return { ...recorded, state: 'interrupted', finishedAt: e.at, lastSummary: joinSummary(m.lastSummary, 'stopped by the user') };
  const how = e.code !== null ? `exited with code ${e.code}` : e.signal ? `was killed by ${e.signal}` : 'exited';
  const failed = { ...recorded, state: 'failed' as const, finishedAt: e.at, lastSummary: joinSummary(m.lastSummary, `${how} without reporting`) };
  // It was to resume a session and died before the CLI named one: the session is unusable (its
  // transcript gone, HOME changed); resuming it again would fail every retry the same way.
  if (m.resumingSession && m.sessionId === m.resumingSession) {
    return { ...failed, sessionId: null, resumingSession: null, lastSummary: joinSummary(failed.lastSummary, `its session ${m.resumingSession} could not be resumed; the next attempt starts a new one`) };
  }
  return failed;
}

function joinSummary(previous: string | null, detail: string): string {
  return previous ? `${previous} — ${detail}` : detail;
}
