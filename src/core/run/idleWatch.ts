// Which agents have gone quiet: no output line and no status line for a while. The first limit
// flags the module (an agent may be thinking, or stuck on a dead API: Codex retries forever); the
// second stops it. Pure bookkeeping: the runner reports activity and asks what to do on each tick.

export interface IdleLimits {
  /** Flag after this long without activity; 0 turns the watch off. */
  flagMs: number;
  /** Stop after this long without activity; 0 never stops. */
  stopMs: number;
}

export type IdleAction = { type: 'flag'; module: string; quietMs: number } | { type: 'stop'; module: string; quietMs: number };

export class IdleWatch {
  private readonly last = new Map<string, number>();
  private readonly flagged = new Set<string>();

  constructor(private readonly limits: IdleLimits) {}

  /** The module's agent did something (an output line, a status line), or just started. */
  active(module: string, nowMs: number): void {
    this.last.set(module, nowMs);
    this.flagged.delete(module);
  }

  forget(module: string): void {
    this.last.delete(module);
    this.flagged.delete(module);
  }

  /** What to do now about the watched modules that are live (`stoppable`: the engine owns the process). */
  tick(live: readonly { module: string; stoppable: boolean }[], nowMs: number): IdleAction[] {
    if (this.limits.flagMs <= 0 && this.limits.stopMs <= 0) return [];
    const actions: IdleAction[] = [];
    for (const { module, stoppable } of live) {
      const since = this.last.get(module);
      if (since === undefined) {
        this.last.set(module, nowMs);
        continue;
      }
      const quietMs = nowMs - since;
      if (stoppable && this.limits.stopMs > 0 && quietMs >= this.limits.stopMs) {
        actions.push({ type: 'stop', module, quietMs });
        this.forget(module);
      } else if (this.limits.flagMs > 0 && quietMs >= this.limits.flagMs && !this.flagged.has(module)) {
        this.flagged.add(module);
        actions.push({ type: 'flag', module, quietMs });
      }
    }
    return actions;
  }
}
