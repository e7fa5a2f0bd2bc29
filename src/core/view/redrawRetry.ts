// Row redraws VS Code may drop. While the workbench fetches rows (the view created, shown, redrawn
// whole, a phase expanded), a redraw of a single row that crosses that fetch can be lost: VS Code's
// main thread forgets its rows when it fetches the top ones again and ignores redraws of rows it does
// not hold, and TreeView.doRefresh swallows "Tree element not found". The row then keeps what it
// showed before. So a row redrawn within `settleMs` of a fetch, before or after it, is redrawn once
// more when `settleMs` have passed since the last fetch. A redraw too many costs one row's repaint.
export class RedrawRetry {
  private fetchedAt = Number.NEGATIVE_INFINITY;
  /** Rows redrawn lately, and when: a fetch soon after may still swallow them. */
  private readonly recent = new Map<string, number>();
  private readonly pending = new Set<string>();

  constructor(private readonly settleMs: number) {}

  /** VS Code asked for rows. */
  fetched(now: number): void {
    this.fetchedAt = now;
    for (const [id, at] of this.recent) if (now - at < this.settleMs) this.pending.add(id);
    this.recent.clear();
  }

  /** Rows redrawn at `now`. */
  redrawn(ids: readonly string[], now: number): void {
    const nearFetch = now - this.fetchedAt < this.settleMs;
    for (const [id, at] of this.recent) if (now - at >= this.settleMs) this.recent.delete(id);
    for (const id of ids) {
      if (nearFetch) this.pending.add(id);
      else this.recent.set(id, now);
    }
  }

  /** When the rows kept must be redrawn again, or undefined when none are. */
  nextDue(): number | undefined {
    return this.pending.size > 0 ? this.fetchedAt + this.settleMs : undefined;
  }

  /** The rows to redraw again, once; none before their time. */
  due(now: number): string[] {
    const at = this.nextDue();
    if (at === undefined || now < at) return [];
    const ids = [...this.pending];
    this.pending.clear();
    return ids;
  }
}
