// A module's attempts one by one, for the timeline and the time measures: the record itself keeps
// only the latest attempt's start and end, which a retry overwrites. Pure; applyEvent keeps the log.
import type { AttemptLogEntry, AttemptOutcome, ModuleRecord, ModuleState } from './model';

/** The outcome a module's state means for its current attempt; null when no attempt is in it. */
export function outcomeOf(state: ModuleState): AttemptOutcome | null {
  switch (state) {
    case 'running':
    case 'needs-input':
      return 'running';
    case 'complete':
    case 'complete-unverified':
      return 'complete';
    case 'failed':
    case 'interrupted':
    case 'paused':
      return state;
    case 'pending':
    case 'blocked':
      return null;
  }
}

/** What of an event the log needs: which event, and when. */
export interface LoggedEvent {
  type: string;
  at: string;
}

/**
 * The record `after` an event, with its attempt log brought up to date: a start appends an entry,
 * and the first change of outcome after it closes the entry (a later exit of a paused agent, say,
 * does not move its end).
 */
export function logAttempt(before: ModuleRecord, after: ModuleRecord, e: LoggedEvent): ModuleRecord {
  const log = before.attemptsLog ?? [];
  if (e.type === 'started') {
    // Fix findings are set for the attempt that has to fix them (see ModuleRecord.fixFindings).
    const fix = (before.fixFindings?.length ?? 0) > 0;
    const entry: AttemptLogEntry = { attempt: after.attempts, startedAt: e.at, finishedAt: null, outcome: 'running', ...(fix ? { fix } : {}) };
    return { ...after, attemptsLog: [...log, entry] };
  }
  if (after === before) return after;
  const outcome = outcomeOf(after.state);
  const last = log.at(-1);
  if (e.type === 'start-failed' && last?.attempt !== after.attempts) {
    // It never got as far as 'started' (its start point could not be made): an attempt of no length.
    return { ...after, attemptsLog: [...log, { attempt: after.attempts, startedAt: e.at, finishedAt: e.at, outcome: 'failed' }] };
  }
  if (!last || last.attempt !== after.attempts || outcome === null || outcome === last.outcome) return after;
  const closed: AttemptLogEntry = { ...last, outcome, finishedAt: outcome === 'running' ? null : (after.finishedAt ?? e.at) };
  return { ...after, attemptsLog: [...log.slice(0, -1), closed] };
}

/**
 * The attempts to draw and measure: the log where there is one, else the latest attempt from the
 * record's own start and end (state files written before the log existed, rebuilt records).
 */
export function attemptSpans(m: ModuleRecord): AttemptLogEntry[] {
  if (m.attemptsLog && m.attemptsLog.length > 0) return m.attemptsLog;
  if (m.startedAt === null) return [];
  const outcome = outcomeOf(m.state);
  if (m.finishedAt === null && outcome !== 'running') return [];
  // A blocked or pending record's times are its last attempt's, whose own outcome is not kept.
  return [{ attempt: Math.max(1, m.attempts), startedAt: m.startedAt, finishedAt: m.finishedAt, outcome: outcome ?? 'interrupted' }];
}
