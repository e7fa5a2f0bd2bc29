// Conductor: Show Timeline — the run's timeline in a webview. It is drawn from the state file and the
// merge results alone (no git), so it works in a restricted workspace too, and while it is open it
// is redrawn whenever the run changes: running attempts grow, new ones appear.
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ConductorState } from './conductorState';
import { WEBVIEW } from './ids';
import { showError, type Log } from './log';
import { timelineHtml } from './timelineHtml';

const REDRAW_DELAY_MS = 500;

export class TimelinePanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Counts draws, so a slow one never replaces a newer picture. */
  private drawn = 0;
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly view: ConductorState,
    private readonly log: Log,
  ) {
    this.subscription = view.onDidChange(() => this.schedule());
  }

  async show(): Promise<void> {
    if (this.panel) this.panel.reveal();
    else {
      const panel = vscode.window.createWebviewPanel(WEBVIEW.timeline, 'Conductor Timeline', vscode.ViewColumn.Active, { enableScripts: false, localResourceRoots: [] });
      panel.onDidDispose(() => {
        if (this.panel === panel) this.panel = null;
        clearTimeout(this.timer);
      });
      this.panel = panel;
    }
    try {
      await this.draw();
    } catch (e) {
      await showError(this.log, `Could not draw the timeline: ${(e as Error).message}`, e);
    }
  }

  private schedule(): void {
    if (!this.panel) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.draw().catch((e: unknown) => this.log.warn(`Could not redraw the timeline: ${(e as Error).message}`)), REDRAW_DELAY_MS);
  }

  private async draw(): Promise<void> {
    const panel = this.panel;
    if (!panel) return;
    const generation = ++this.drawn;
    const { planTimelineSvg } = await import('../infra/report/writePlanReport');
    const conductorDir = path.dirname(this.view.stateUri.fsPath);
    const svg = await planTimelineSvg(conductorDir, this.view.plan ?? { phases: [] }, this.view.state);
    if (this.panel !== panel || generation !== this.drawn) return;
    panel.webview.html = timelineHtml(svg, randomBytes(16).toString('base64'));
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.subscription.dispose();
    this.panel?.dispose();
  }
}
