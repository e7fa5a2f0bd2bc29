// Which file is the plan: the configured one, else the first conventional name that exists.

import type { SpecSource } from '../ports';

export const SPEC_CANDIDATES: readonly string[] = ['READY.md', '.prelude/READY.md', 'tasks.csv'];

/**
 * The configured path when one is set, even if the file is missing (the caller reports that, which
 * beats silently falling back to another plan); else the first existing candidate, or null.
 */
export async function locateSpec(source: SpecSource, configured?: string): Promise<string | null> {
  return (await readSpec(source, configured)).path;
}

/** locateSpec with the text it read on the way (null when the file is missing), so it is read once. */
export async function readSpec(source: SpecSource, configured?: string): Promise<{ path: string | null; text: string | null }> {
  const chosen = configured?.trim();
  if (chosen) return { path: chosen, text: await source.readText(chosen) };
  for (const candidate of SPEC_CANDIDATES) {
    const text = await source.readText(candidate);
    if (text !== null) return { path: candidate, text };
  }
  return { path: null, text: null };
}
