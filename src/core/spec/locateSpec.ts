// Which file is the plan: the configured one, else the first conventional name that exists.

import type { SpecSource } from '../ports';

export const SPEC_CANDIDATES: readonly string[] = ['READY.md', '.prelude/READY.md', 'tasks.csv'];

/**
 * The configured path when one is set, even if the file is missing (the caller reports that, which
 * beats silently falling back to another plan); else the first existing candidate, or null.
 */
export async function locateSpec(source: SpecSource, configured?: string): Promise<string | null> {
  const chosen = configured?.trim();
  if (chosen) return chosen;
  for (const candidate of SPEC_CANDIDATES) {
    if ((await source.readText(candidate)) !== null) return candidate;
  }
  return null;
}
