// Coalesces calls of an idempotent read: every caller gets a result of a call that started after it
// asked. A call under way when another caller asks is too old for it, so that caller waits for the
// next call, which everyone asking meanwhile shares: N callers at once cost at most two calls.
export function freshCall<T>(call: () => Promise<T>): () => Promise<T> {
  let running: Promise<T> | null = null;
  let next: Promise<T> | null = null;
  const start = (): Promise<T> => {
    const p = call();
    running = p;
    const clear = () => {
      if (running === p) running = null;
    };
    p.then(clear, clear);
    return p;
  };
  return () => {
    if (next) return next;
    if (!running) return start();
    next = running.then(
      () => undefined,
      () => undefined,
    ).then(() => {
      next = null;
      return start();
    });
    return next;
  };
}
