// What one module's agent has reported so far, folded from its status events in file order.

import { isProgressEvent, type AgentStatus, type StatusEvent } from './statusLine';

export interface ModuleStatus {
  status: AgentStatus;
  /** The latest event's summary (a newer event without one clears it rather than showing stale text). */
  summary: string;
  /** Timestamp of the latest event, ms since the epoch. */
  ts: number;
  /** Every file reported during the current attempt, in first-reported order. */
  filesCreated: string[];
  /** The last true/false reported during the current attempt; null while unknown. */
  testsPassing: boolean | null;
  /** The highest attempt seen; null while no event has said. */
  attempt: number | null;
}

/**
 * Applies one event. An event from an older attempt than the latest known is ignored (a retried
 * agent's predecessor may still be writing); an event without an attempt belongs to the current one;
 * a newer attempt starts from scratch.
 */
export function applyStatusEvent(state: ModuleStatus | null, event: StatusEvent & { status: AgentStatus }): ModuleStatus {
  if (state && state.attempt !== null && event.attempt !== null && event.attempt < state.attempt) return state;
  const sameAttempt = state !== null && (event.attempt === null || event.attempt === state.attempt || state.attempt === null);
  const base = sameAttempt ? state : null;
  const files = base ? [...base.filesCreated] : [];
  for (const f of event.filesCreated) if (!files.includes(f)) files.push(f);
  return {
    status: event.status,
    summary: event.summary,
    ts: event.ts,
    filesCreated: files,
    testsPassing: event.testsPassing ?? base?.testsPassing ?? null,
    attempt: event.attempt ?? state?.attempt ?? null,
  };
}

/** The latest state after `events` (one module's, in order), or null when there are none. Discoveries change nothing. */
export function reduceModuleStatus(events: Iterable<StatusEvent>, initial: ModuleStatus | null = null): ModuleStatus | null {
  let state = initial;
  for (const e of events) if (isProgressEvent(e)) state = applyStatusEvent(state, e);
  return state;
}
