// The one typed source of command ids, view ids, context keys and setting keys;
// test/unit/manifest.test.ts checks it against package.json. No vscode import here, so tests can read it.

export const COMMAND = {
  conductPhase: 'specConductor.conductPhase',
  conductPlan: 'specConductor.conductPlan',
  mergePhase: 'specConductor.mergePhase',
  predictConflicts: 'specConductor.predictConflicts',
  showReport: 'specConductor.showReport',
  showTimeline: 'specConductor.showTimeline',
  retryModule: 'specConductor.retryModule',
  stopAgent: 'specConductor.stopAgent',
  approveGate: 'specConductor.approveGate',
  focusTerminal: 'specConductor.focusTerminal',
  reviewChanges: 'specConductor.reviewChanges',
  reviewPhaseChanges: 'specConductor.reviewPhaseChanges',
  sendToAgent: 'specConductor.sendToAgent',
  rollbackPhase: 'specConductor.rollbackPhase',
  showDiscoveries: 'specConductor.showDiscoveries',
  resolveInMergeEditor: 'specConductor.resolveInMergeEditor',
  commitResolvedMerge: 'specConductor.commitResolvedMerge',
  abortResolvedMerge: 'specConductor.abortResolvedMerge',
  openWorktree: 'specConductor.openWorktree',
  cleanWorktrees: 'specConductor.cleanWorktrees',
  selectAgent: 'specConductor.selectAgent',
  resumePhase: 'specConductor.resumePhase',
  createReadyMd: 'specConductor.createReadyMd',
  validateSpecs: 'specConductor.validateSpecs',
  refresh: 'specConductor.refresh',
  showLogs: 'specConductor.showLogs',
} as const;
export type CommandId = (typeof COMMAND)[keyof typeof COMMAND];

export const VIEW_CONTAINER = 'specConductor';
export const VIEW = {
  phases: 'specConductor.phases',
} as const;

/** Webview panel types. */
export const WEBVIEW = {
  timeline: 'specConductor.timeline',
} as const;

/** Context keys set with `setContext`, used in `when` clauses. */
export const CONTEXT = {
  hasPlan: 'specConductor.hasPlan',
  running: 'specConductor.running',
  /** A conflict prepared by Resolve in Merge Editor awaits its commit (or abort) in an integration worktree. */
  resolving: 'specConductor.resolving',
} as const;

/** `contextValue` of tree items, used in menus' `viewItem` clauses: the view models' own list. */
export { TREE_ITEM_KIND as TREE_ITEM } from '../core/view/viewIds';

export const SETTINGS_SECTION = 'specConductor';

/** Setting keys below `specConductor.` */
export const SETTING = {
  specFile: 'specFile',
  contractGlobs: 'contractGlobs',
  agent: 'agent',
  customCommand: 'customCommand',
  maxParallel: 'maxParallel',
  retries: 'retries',
  fixRounds: 'fixRounds',
  validateWaves: 'validateWaves',
  agentIdleTimeout: 'agentIdleTimeout',
  worktreeRoot: 'worktreeRoot',
  copyFiles: 'copyFiles',
  setupCommand: 'setupCommand',
  testCommands: 'testCommands',
  predictConflicts: 'predictConflicts',
  promptTemplate: 'promptTemplate',
} as const;

export const DIAGNOSTIC_SOURCE = 'Spec Conductor';
export const PREDICTED_SOURCE = 'Spec Conductor (predicted)';
export const LOG_CHANNEL_NAME = 'Spec Conductor';
export const WALKTHROUGH = 'specConductor.gettingStarted';

/** Environment variables of the end-to-end test hook (src/vscode/e2eHook.ts). */
export const E2E_ENV = {
  suite: 'SPEC_CONDUCTOR_E2E_SUITE',
  results: 'SPEC_CONDUCTOR_E2E_RESULTS',
} as const;
