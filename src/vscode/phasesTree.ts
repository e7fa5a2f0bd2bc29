// The Phases view: translates the view models of src/core/view/phaseTree.ts into TreeItems. The
// model is rebuilt from ConductorView (memory only, never the disk) after each burst of changes,
// and every second while something runs, so durations advance; that tick redraws only the rows it
// changed (see src/core/view/treeChanges.ts). Tooltips are resolved when a row is hovered.
import * as vscode from 'vscode';
import { discoveriesFileFor } from '../core/discoveries/discovery';
import { indexNodes, phaseNodes, type PhaseNode, type TreeNode } from '../core/view/phaseTree';
import { anyRunning } from '../core/view/phaseRows';
import { changedRows, collapseOf } from '../core/view/treeChanges';
import { RedrawRetry } from '../core/view/redrawRetry';
import type { ConductorView } from './conductorState';
import { CONTEXT, VIEW } from './ids';
import { RefreshThrottle } from './viewRefresh';
import { toThemeIcon, toVscodeCommand } from './viewItems';

const TICK_MS = 1000;
/** How long before or after VS Code fetches rows a redraw of one row may be lost (see RedrawRetry). */
const REDRAW_SETTLE_MS = 1500;

const COLLAPSE = {
  none: vscode.TreeItemCollapsibleState.None,
  collapsed: vscode.TreeItemCollapsibleState.Collapsed,
  expanded: vscode.TreeItemCollapsibleState.Expanded,
} as const;

export class PhasesTree implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TreeNode | TreeNode[] | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly refreshed = new vscode.EventEmitter<void>();
  /** Fires after every rebuild of the model, whether or not VS Code has rows to redraw (a hidden view has none). */
  readonly onDidRefresh = this.refreshed.event;
  readonly treeView: vscode.TreeView<TreeNode>;
  private roots: PhaseNode[] = [];
  private index = new Map<string, TreeNode>();
  /** The node objects VS Code holds, by id: those getChildren handed out (redrawing a row keeps its object). */
  private readonly shown = new Map<string, TreeNode>();
  /** Rows the user expanded (true) or collapsed (false): a redrawn row keeps that, not the model's default. */
  private readonly userExpanded = new Map<string, boolean>();
  private ticker: ReturnType<typeof setInterval> | undefined;
  private readonly retry = new RedrawRetry(REDRAW_SETTLE_MS);
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private hasPlan: boolean | undefined;
  private readonly throttle = new RefreshThrottle(() => this.refresh());
  private readonly disposables: vscode.Disposable[];

  constructor(
    private readonly view: ConductorView,
    private readonly folder: vscode.WorkspaceFolder,
  ) {
    this.treeView = vscode.window.createTreeView(VIEW.phases, { treeDataProvider: this, showCollapseAll: true });
    this.disposables = [
      this.changed,
      this.refreshed,
      this.treeView,
      this.throttle,
      view.onDidChange(() => this.throttle.schedule()),
      this.treeView.onDidExpandElement((e) => this.userExpanded.set(e.element.id, true)),
      this.treeView.onDidCollapseElement((e) => this.userExpanded.set(e.element.id, false)),
      // Ticks are skipped while the view is hidden; catch up when it shows again.
      this.treeView.onDidChangeVisibility((e) => {
        if (e.visible) this.throttle.schedule();
      }),
    ];
    this.refresh();
  }

  /** The phase nodes shown now (their modules and details as children). */
  get items(): readonly PhaseNode[] {
    return this.roots;
  }

  getTreeItem(held: TreeNode): vscode.TreeItem {
    // VS Code redraws a row with the node object it holds, perhaps from an earlier refresh: show the current one.
    const node = this.current(held);
    // VS Code takes a redrawn row's state from its item: the user's choice, else the model's default.
    const collapse = collapseOf(node);
    const chosen = collapse === 'none' ? undefined : this.userExpanded.get(node.id);
    const item = new vscode.TreeItem(node.label, COLLAPSE[chosen === undefined ? collapse : chosen ? 'expanded' : 'collapsed']);
    item.id = node.id;
    item.description = node.description;
    item.contextValue = node.contextValue;
    item.iconPath = node.icon ? toThemeIcon(node.icon) : undefined;
    item.command = node.command ? toVscodeCommand(node.command, this.folder) : undefined;
    return item;
  }

  /** Tooltips (with running times) are made when a row is hovered, so a ticking time redraws no row. */
  resolveTreeItem(item: vscode.TreeItem, held: TreeNode): vscode.TreeItem {
    item.tooltip = new vscode.MarkdownString(this.current(held).tooltip, true);
    return item;
  }

  getChildren(node?: TreeNode): TreeNode[] {
    // VS Code may hand back a node from an earlier refresh: answer with the current one's children.
    this.retry.fetched(Date.now());
    const children = node ? (this.index.get(node.id)?.children ?? []) : this.roots;
    for (const child of children) this.shown.set(child.id, child);
    return children;
  }

  getParent(node: TreeNode): TreeNode | undefined {
    const current = this.index.get(node.id) ?? node;
    return current.parentId === null ? undefined : this.index.get(current.parentId);
  }

  /** Shows a phase (`phase:<slug>`) or module (`module:<slug>/<id>`) node, if it exists. */
  async reveal(id: string, options: { select?: boolean; focus?: boolean; expand?: boolean } = {}): Promise<void> {
    const node = this.index.get(id);
    if (node) await this.treeView.reveal(node, { select: true, focus: false, expand: true, ...options });
  }

  /**
   * Rebuilds the model and redraws only the rows that changed (on a change of state, with their
   * tooltips; on the once-a-second tick of running times, without), so VS Code never forgets which
   * node a row stands for while the user clicks an inline action. A new shape redraws every row.
   */
  refresh(cause: 'change' | 'tick' = 'change'): void {
    const plan = this.view.plan;
    const roots = phaseNodes(plan, this.view.state, {
      active: this.view.active,
      terminals: this.view.terminals,
      now: Date.now(),
      discoveries: this.view.discoveries,
      discoveriesFile: plan && plan.kind !== 'none' ? discoveriesFileFor(plan.spec) : undefined,
      merges: this.view.conflicts,
    });
    const index = indexNodes(roots);
    const changed = changedRows(this.index, index, { tooltips: cause === 'change' });
    this.roots = roots;
    this.index = index;
    this.updateContext();
    if (changed === null) {
      // VS Code fetches every row again.
      this.shown.clear();
      this.changed.fire(undefined);
    } else {
      this.redraw(changed);
    }
    this.refreshed.fire();
    this.updateTicker();
  }

  /** Redraws the rows VS Code holds among `ids`, and again later if it may drop them (see RedrawRetry). */
  private redraw(ids: readonly string[]): void {
    const rows = this.fireShown(ids);
    if (rows.length === 0) return;
    this.retry.redrawn(rows.map((n) => n.id), Date.now());
    this.armRetry();
  }

  private armRetry(): void {
    const at = this.retry.nextDue();
    if (at === undefined || this.retryTimer !== undefined) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.fireShown(this.retry.due(Date.now()));
      this.armRetry();
    }, Math.max(0, at - Date.now()));
  }

  /** Asks VS Code to redraw the rows it holds among `ids` (the others it fetches when it draws them); returns those. */
  private fireShown(ids: readonly string[]): TreeNode[] {
    const rows = ids.flatMap((id) => this.shown.get(id) ?? []);
    if (rows.length > 0) this.changed.fire(rows);
    return rows;
  }

  private current(node: TreeNode): TreeNode {
    return this.index.get(node.id) ?? node;
  }

  private updateContext(): void {
    const plan = this.view.plan;
    const hasPlan = this.roots.length > 0 || (plan !== null && plan.kind !== 'none');
    // A plan file without phases: say why the tree is empty (the welcome view is for no plan at all).
    this.treeView.message =
      hasPlan && this.roots.length === 0 && plan
        ? `${plan.spec} has no phases yet: add "### Phase 1: Name" headings under "## Implementation Phases".`
        : undefined;
    if (hasPlan === this.hasPlan) return;
    this.hasPlan = hasPlan;
    void vscode.commands.executeCommand('setContext', CONTEXT.hasPlan, hasPlan);
  }

  private updateTicker(): void {
    const running = anyRunning(this.view.state, this.view.active);
    if (running && this.ticker === undefined) {
      this.ticker = setInterval(() => {
        if (this.treeView.visible) this.refresh('tick');
      }, TICK_MS);
    } else if (!running && this.ticker !== undefined) {
      clearInterval(this.ticker);
      this.ticker = undefined;
    }
  }

  dispose(): void {
    clearInterval(this.ticker);
    this.ticker = undefined;
    clearTimeout(this.retryTimer);
    for (const d of this.disposables) d.dispose();
  }
}
