// Bounded polling for end-to-end tests: read something until it is acceptable, and on timeout say
// what was last seen (or the last error reading it), never just "timed out".
const POLL_MS = 250;

export async function waitUntil<V>(what: string, read: () => Promise<V>, accept: (value: V) => boolean, timeoutMs = 30_000): Promise<V> {
  const deadline = Date.now() + timeoutMs;
  let last: { value: V } | { error: unknown } | null = null;
  for (;;) {
    try {
      const value = await read();
      if (accept(value)) return value;
      last = { value };
    } catch (error) {
      last = { error };
    }
    if (Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  const seen =
    last === null ? 'nothing' : 'error' in last ? `an error: ${last.error instanceof Error ? last.error.message : String(last.error)}` : JSON.stringify(last.value, null, 2);
  throw new Error(`Timed out after ${timeoutMs / 1000} s waiting for ${what}; last saw ${seen}`);
}
