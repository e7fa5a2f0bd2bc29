// The E2eApi (src/vscode/e2eHook.ts) over the live parts of the extension: what the views show,
// read from the same objects that feed them. Built only when an end-to-end suite is asked for, so
// the listeners below cost nothing otherwise.
import { performance } from 'node:perf_hooks';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import * as vscode from 'vscode';
import type { TreeNode } from '../core/view/phaseTree';
import type { ConductorView } from './conductorState';
import { listDiagnostics, listSourcedDiagnostics, type E2eActivation, type E2eApi, type E2eCodeLens, type E2eEditorTab, type E2eTreeItem, type E2eViewChange } from './e2eHook';
import { DIAGNOSTIC_SOURCE } from './ids';
import type { PhasesTree } from './phasesTree';
import type { ConductorStatusBar } from './statusBar';
import { resolvePath } from './viewItems';

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
    const firstTree = parts.tree.onDidRefresh(() => {
      treeHasItems();
      if (activation.firstTreeMs !== null) firstTree.dispose();
    });
    parts.subscriptions.push(firstTree);
  }
  parts.subscriptions.push(vscode.window.onDidOpenTerminal((t) => opened.push(t.name)));
  const changes = watchViews(parts);
  return {
    vscode,
    diagnostics: () => listDiagnostics(parts.specProblems),
    tree: () => flatten(parts.tree.items),
    runState: () => parts.view.state,
    statusBarText: () => parts.statusBar.text,
    terminals: () => vscode.window.terminals.map((t) => t.name),
    terminalsOpened: () => [...opened],
    activation,
    viewChanges: () => [...changes],
    memory: () => process.memoryUsage(),
    memoryAfterGc: () => {
      // The extension host runs without --expose-gc: set at run time, the flag gives a new context its gc().
      v8.setFlagsFromString('--expose-gc');
      (vm.runInNewContext('gc') as () => void)();
      return process.memoryUsage();
    },
    allDiagnostics: () => listSourcedDiagnostics(DIAGNOSTIC_SOURCE),
    codeLenses: () => planCodeLenses(parts.view),
    activeTerminal: () => vscode.window.activeTerminal?.name ?? null,
    editorTabs: () => vscode.window.tabGroups.all.flatMap((g) => g.tabs.map((t) => ({ label: t.label, active: t.isActive, textDiffs: textDiffsOf(t.input), merge: mergeOf(t.input) }))),
  };
}

/** A merge editor tab's input (TabInputTextMerge, not in the API this extension is built against) has base, input1, input2 and result. */
function mergeOf(input: unknown): E2eEditorTab['merge'] {
  const m = input as { base?: unknown; input1?: unknown; input2?: unknown; result?: unknown } | undefined;
  const sides = [m?.base, m?.input1, m?.input2, m?.result];
  if (!sides.every((u) => u instanceof vscode.Uri)) return null;
  const [base, input1, input2, result] = sides.map(String);
  return { base, input1, input2, result };
}

/** A multi-file diff tab's input (TabInputTextMultiDiff, newer than the API this extension is built against) has `textDiffs`. */
function textDiffsOf(input: unknown): E2eEditorTab['textDiffs'] {
  const diffs = (input as { textDiffs?: { original?: vscode.Uri; modified?: vscode.Uri }[] } | undefined)?.textDiffs;
  if (!Array.isArray(diffs)) return null;
  return diffs.map((d) => ({ original: d.original?.toString() ?? null, modified: d.modified?.toString() ?? null }));
}

async function planCodeLenses(view: ConductorView): Promise<E2eCodeLens[]> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  const spec = view.plan?.spec;
  if (!folder || !spec) return [];
  const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[] | undefined>('vscode.executeCodeLensProvider', resolvePath(folder, spec))) ?? [];
  return lenses.map((l) => ({ line: l.range.start.line + 1, title: l.command?.title ?? '', command: l.command?.command ?? '', args: l.command?.arguments ?? [] }));
}

const VIEW_CHANGES_KEPT = 5000;

/** Logs each tree row and status bar text as it changes, timed when the view redraws (for latency measurements). */
function watchViews(parts: E2eParts): E2eViewChange[] {
  const log: E2eViewChange[] = [];
  const push = (change: E2eViewChange): void => {
    log.push(change);
    if (log.length > VIEW_CHANGES_KEPT) log.splice(0, log.length - VIEW_CHANGES_KEPT);
  };
  const now = (): number => performance.timeOrigin + performance.now();
  const rows = new Map<string, string>();
  const treeChanged = (): void => {
    const at = now();
    for (const r of flatten(parts.tree.items)) {
      const key = `${r.contextValue}\u0000${r.icon}\u0000${r.description}\u0000${r.label}`;
      if (rows.get(r.id) === key) continue;
      rows.set(r.id, key);
      push({ at, view: 'tree', id: r.id, contextValue: r.contextValue, icon: r.icon, description: r.description, label: r.label });
    }
  };
  let text: string | null = null;
  const statusChanged = (): void => {
    if (parts.statusBar.text === text) return;
    text = parts.statusBar.text;
    push({ at: now(), view: 'statusBar', text });
  };
  treeChanged();
  statusChanged();
  parts.subscriptions.push(parts.tree.onDidRefresh(treeChanged), parts.statusBar.onDidUpdate(statusChanged));
  return log;
}

function flatten(nodes: readonly TreeNode[], depth = 0, out: E2eTreeItem[] = []): E2eTreeItem[] {
  for (const n of nodes) {
    out.push({ id: n.id, parentId: n.parentId, depth, label: n.label, description: n.description ?? '', contextValue: n.contextValue, icon: n.icon?.id ?? null });
    flatten(n.children, depth + 1, out);
  }
  return out;
}
