// Periodic work that must not overlap itself: the conflict prediction while agents run starts on a
// timer, and with hundreds of modules one prediction (two git processes per worktree) outlasts the
// interval. Started again on every tick, predictions piled up: dozens of git processes at once, and
// the extension host's thread so busy forking them that agents' terminals took minutes to report.
export class OneAtATime {
  private readonly busy = new Set<string>();

  /** Starts `work` unless the last one started for `key` has not settled yet; false when skipped. */
  run(key: string, work: () => Promise<unknown>): boolean {
    if (this.busy.has(key)) return false;
    this.busy.add(key);
    // A rejection is the work's own to report; the key is free again either way.
    void Promise.resolve()
      .then(work)
      .catch(() => undefined)
      .finally(() => this.busy.delete(key));
    return true;
  }

  /** Whether work for `key` is under way. */
  running(key: string): boolean {
    return this.busy.has(key);
  }
}
