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
