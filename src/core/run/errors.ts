// Errors the user can act on, with a `reason` callers switch on (as GitLens does), never a stack trace.
import type { Problem } from '../model';

export type ConductFailure = 'invalid-plan' | 'gate' | 'dirty' | 'untrusted' | 'unknown-phase' | 'agent' | 'busy' | 'no-commits' | 'selection';

export class ConductError extends Error {
  override readonly name = 'ConductError';
  constructor(
    readonly reason: ConductFailure,
    message: string,
    readonly problems: readonly Problem[] = [],
  ) {
    super(message);
  }
}

/** A second caller of a phase's lock: who holds it (as the lock port describes its owner) and what to do. */
export function busyError(phaseNumber: number, owner: string): ConductError {
  return new ConductError('busy', `Phase ${phaseNumber} is already being conducted or merged by ${owner}. Wait for it to finish, or stop it first.`);
}
