// The ids the view models name. src/vscode/ids.ts re-exports the tree-item kinds from here (core may
// not import the vscode layer); the command ids are checked against it in test/unit/view-tree.test.ts.

export const TREE_ITEM_KIND = {
  phase: 'phase',
  phaseGated: 'phase-gated',
  /** A plan run's phase done with its checkpoint: it can be rolled back. */
  phaseDone: 'phase-done',
  module: 'module',
  moduleRunning: 'module-running',
  moduleFailed: 'module-failed',
  moduleDone: 'module-done',
  contract: 'contract',
  worktree: 'worktree',
  summary: 'summary',
  /** A file the phase's last Merge & Validate could not merge a module into (Resolve in Merge Editor, Send to Agent). */
  conflict: 'conflict',
  /** A discovery or spec correction its agent reported (opens DISCOVERIES.md at it). */
  discovery: 'discovery',
} as const;

export const VIEW_COMMAND = {
  conductPhase: 'specConductor.conductPhase',
  mergePhase: 'specConductor.mergePhase',
  showReport: 'specConductor.showReport',
  focusTerminal: 'specConductor.focusTerminal',
  /** Shows the Spec Conductor view container (VS Code's built-in command for it). */
  focusView: 'workbench.view.extension.specConductor',
  /** VS Code's `vscode.open`; the view models pass a path relative to the workspace folder (or absolute). */
  open: 'vscode.open',
} as const;

/** The second argument of a VIEW_COMMAND.open model: the 1-based line to show (the vscode layer makes it a selection). */
export interface OpenAtLine {
  line: number;
}

/** What every command started from a view gets: the phase, and the module when there is one. */
export interface CommandTarget {
  phase: number;
  module?: string;
}

/** The `<phase-slug>/<module>` key of ConductorView.terminals. */
export const terminalKey = (phaseSlug: string, module: string): string => `${phaseSlug}/${module}`;
