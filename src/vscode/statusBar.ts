// The status bar item: translates src/core/view/statusBar.ts's model; a click shows the Phases view.
import * as vscode from 'vscode';
import { statusBarModel } from '../core/view/statusBar';
import { VIEW_COMMAND } from '../core/view/viewIds';
import type { ConductorView } from './conductorState';
import { RefreshThrottle } from './viewRefresh';

export class ConductorStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly throttle = new RefreshThrottle(() => this.update());
  private readonly updated = new vscode.EventEmitter<void>();
  /** Fires after each redraw of the item. */
  readonly onDidUpdate = this.updated.event;
  private readonly disposables: vscode.Disposable[];
  private visible = false;

  constructor(
    private readonly view: ConductorView,
    private readonly folder: vscode.WorkspaceFolder,
  ) {
    this.item = vscode.window.createStatusBarItem(`specConductor.status.${folder.index}`, vscode.StatusBarAlignment.Left, 50);
    this.item.name = 'Spec Conductor';
    this.item.command = VIEW_COMMAND.focusView;
    this.disposables = [this.item, this.throttle, this.updated, view.onDidChange(() => this.throttle.schedule())];
    this.update();
  }

  private update(): void {
    this.redraw();
    this.updated.fire();
  }

  private redraw(): void {
    const model = statusBarModel(this.view.state, this.view.plan, this.view.active);
    this.visible = model.visible;
    if (!model.visible) {
      this.item.hide();
      return;
    }
    this.item.text = model.text;
    // With several folders, say which one this item is about.
    const prefix = (vscode.workspace.workspaceFolders?.length ?? 0) > 1 ? `*${this.folder.name.replace(/[\\`*_[\]<>$]/g, '\\$&')}*\n\n` : '';
    const tooltip = new vscode.MarkdownString(prefix + model.tooltip, true);
    this.item.tooltip = tooltip;
    this.item.show();
  }

  /** The item's text as shown, '' while hidden. */
  get text(): string {
    return this.visible ? this.item.text : '';
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
