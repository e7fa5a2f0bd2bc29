// Whether a status line is believed. Pure: the runner passes the module's record and the hash of
// tokens. A line must carry the secret token of the module's current attempt (so one agent cannot
// report for another), and its run and attempt if it names them.
import { isDiscoveryKind, type StatusEvent } from '../status/statusLine';
import type { ModuleRecord } from './model';

export type LineVerdict =
  | { verdict: 'believe' }
  /** Nothing to say about it: a line of an earlier attempt, already dealt with in its time. */
  | { verdict: 'ignore' }
  /** Worth a note to the user, with the reason. */
  | { verdict: 'reject'; reason: string };

export function judgeLine(e: StatusEvent, m: ModuleRecord, runId: string, hash: (token: string) => string): LineVerdict {
  const discovery = isDiscoveryKind(e.status);
  if (e.attempt !== null && e.attempt < m.attempts) {
    // The events ignore an old attempt's progress lines by themselves; a discovery would be recorded,
    // and its token (an earlier attempt's) can no longer be checked: it was recorded when it came.
    return discovery ? { verdict: 'ignore' } : { verdict: 'believe' };
  }
  // An attempt started before tokens existed, or a module not started at all: nothing to check against.
  // Progress lines are then sorted out by the events; a discovery is never taken unchecked.
  if (!m.tokenHash) return discovery ? { verdict: 'ignore' } : { verdict: 'believe' };
  if (!e.token) return { verdict: 'reject', reason: 'it carries no token (report with conductor-hook, which adds it)' };
  if (hash(e.token) !== m.tokenHash) return { verdict: 'reject', reason: `its token is not the one of ${e.module}'s attempt ${m.attempts}` };
  if (e.runId !== null && e.runId !== runId) return { verdict: 'reject', reason: `it names run ${e.runId}, not ${runId}` };
  if (e.attempt !== null && e.attempt !== m.attempts) return { verdict: 'reject', reason: `it names attempt ${e.attempt}, not ${m.attempts}` };
  return { verdict: 'believe' };
}
