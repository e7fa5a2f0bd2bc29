// How each module state and phase status looks: a codicon, a theme colour, a word.
import type { ModuleState } from '../run/model';
import { TREE_ITEM_KIND } from './viewIds';
import type { PhaseStatus } from './phaseRows';

/** A codicon id (`sync~spin`) and an optional theme colour id (`charts.blue`). */
export interface ViewIcon {
  id: string;
  color?: string;
}

export const MODULE_ICON: Readonly<Record<ModuleState, ViewIcon>> = {
  pending: { id: 'circle-outline' },
  running: { id: 'sync~spin', color: 'charts.blue' },
  'needs-input': { id: 'bell-dot', color: 'charts.yellow' },
  complete: { id: 'pass-filled', color: 'testing.iconPassed' },
  'complete-unverified': { id: 'pass', color: 'charts.yellow' },
  failed: { id: 'error', color: 'testing.iconFailed' },
  blocked: { id: 'circle-slash', color: 'disabledForeground' },
  interrupted: { id: 'debug-pause', color: 'charts.orange' },
  paused: { id: 'watch', color: 'charts.yellow' },
};

export const MODULE_STATE_LABEL: Readonly<Record<ModuleState, string>> = {
  pending: 'pending',
  running: 'running',
  'needs-input': 'needs input',
  complete: 'complete',
  'complete-unverified': 'complete (unverified)',
  failed: 'failed',
  blocked: 'blocked',
  interrupted: 'interrupted',
  paused: 'paused (usage limit)',
};

export const PHASE_ICON: Readonly<Record<PhaseStatus, ViewIcon>> = {
  'not-started': { id: 'circle-outline' },
  running: MODULE_ICON.running,
  'needs-input': MODULE_ICON['needs-input'],
  complete: MODULE_ICON.complete,
  'complete-unverified': MODULE_ICON['complete-unverified'],
  failed: MODULE_ICON.failed,
  halted: MODULE_ICON.interrupted,
  interrupted: MODULE_ICON.interrupted,
};

export const PHASE_STATUS_LABEL: Readonly<Record<PhaseStatus, string>> = {
  'not-started': 'not conducted yet',
  running: 'running',
  'needs-input': 'running, an agent needs input',
  complete: 'complete',
  'complete-unverified': 'complete, some modules unverified',
  failed: 'finished with failures',
  halted: 'halted',
  interrupted: 'interrupted',
};

/** The tree item kind of a module, for the menus' `viewItem` clauses. */
export function moduleContextValue(state: ModuleState): string {
  switch (state) {
    case 'running':
    case 'needs-input':
      return TREE_ITEM_KIND.moduleRunning;
    case 'failed':
    case 'interrupted':
    case 'blocked':
    case 'paused':
      return TREE_ITEM_KIND.moduleFailed;
    case 'complete':
    case 'complete-unverified':
      return TREE_ITEM_KIND.moduleDone;
    case 'pending':
      return TREE_ITEM_KIND.module;
  }
}
