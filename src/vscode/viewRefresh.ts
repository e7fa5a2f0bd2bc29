// Coalesces bursts of ConductorView changes (a wave starting fires one per module) into one
// refresh at most every THROTTLE_MS, so views redraw once per burst, never later than that.
import type * as vscode from 'vscode';

export const THROTTLE_MS = 40;

export class RefreshThrottle implements vscode.Disposable {
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly refresh: () => void,
    private readonly delayMs = THROTTLE_MS,
  ) {}

  schedule(): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.refresh();
    }, this.delayMs);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
