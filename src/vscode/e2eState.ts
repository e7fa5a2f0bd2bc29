// The E2eApi (src/vscode/e2eHook.ts) over the live parts of the extension: what the views show,
// read from the same objects that feed them. Built only when an end-to-end suite is asked for, so
// the listeners below cost nothing otherwise.
import { performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import type { TreeNode } from '../core/view/phaseTree';
import type { ConductorView } from './conductorState';
import { listDiagnostics, type E2eActivation, type E2eApi, type E2eTreeItem } from './e2eHook';
import type { PhasesTree } from './phasesTree';
import type { ConductorStatusBar } from './statusBar';

export interface E2eParts {
  specProblems: vscode.DiagnosticCollection;
  view: ConductorView;
  tree: PhasesTree;
  statusBar: ConductorStatusBar;
  /** performance.now() at the start of activate(). */
  activateStart: number;
  /** Where the listeners go (context.subscriptions). */
  subscriptions: vscode.Disposable[];
}

/** Call at the very end of activate(): the time of the call is the end of activation. */
export function createE2eApi(parts: E2eParts): E2eApi {
  const activation: E2eActivation = {
    timeOrigin: performance.timeOrigin,
    startMs: parts.activateStart,
    activateMs: performance.now() - parts.activateStart,
    firstTreeMs: null,
  };
  const opened: string[] = [];
  const treeHasItems = (): void => {
    if (activation.firstTreeMs === null && parts.tree.items.length > 0) activation.firstTreeMs = performance.now() - parts.activateStart;
  };
  treeHasItems();
  if (activation.firstTreeMs === null) {
    const firstTree = parts.tree.onDidChangeTreeData(() => {
      treeHasItems();
      if (activation.firstTreeMs !== null) firstTree.dispose();
    });
    parts.subscriptions.push(firstTree);
  }
  parts.subscriptions.push(vscode.window.onDidOpenTerminal((t) => opened.push(t.name)));
  return {
    vscode,
    diagnostics: () => listDiagnostics(parts.specProblems),
    tree: () => flatten(parts.tree.items),
    runState: () => parts.view.state,
    statusBarText: () => parts.statusBar.text,
    terminals: () => vscode.window.terminals.map((t) => t.name),
    terminalsOpened: () => [...opened],
    activation,
    memory: () => process.memoryUsage(),
  };
}

function flatten(nodes: readonly TreeNode[], depth = 0, out: E2eTreeItem[] = []): E2eTreeItem[] {
  for (const n of nodes) {
    out.push({ id: n.id, parentId: n.parentId, depth, label: n.label, description: n.description ?? '', contextValue: n.contextValue, icon: n.icon?.id ?? null });
    flatten(n.children, depth + 1, out);
  }
  return out;
}
