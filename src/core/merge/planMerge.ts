// Which module branches to merge into the integration branch, in what order, and which to skip.
import type { PlannedPhase } from '../model';
import type { ModuleRecord, PhaseRun } from '../run/model';

export const INTEGRATION_PREFIX = 'conductor/integration';

export function integrationBranch(phaseSlug: string): string {
  return `${INTEGRATION_PREFIX}/${phaseSlug}`;
}

export function integrationWorktree(worktreeRoot: string, phaseSlug: string): string {
  return `${worktreeRoot.replace(/\/+$/, '')}/integration/${phaseSlug}`;
}

/** The message of a module's merge commit on the integration branch (Merge & Validate's, and a resolved conflict's). */
export function mergeMessage(m: { id: string; featureId: string | null }, contractFile: string | null): string {
  return `conductor: merge ${m.id}${m.featureId ? ` (${m.featureId}` : ' ('}${contractFile ? `, ${contractFile}` : ''})`;
}

/** The contract file of a planned module, named in its merge commit's message. */
export function contractFileOf(phase: PlannedPhase, module: string): string | null {
  return phase.modules.find((x) => x.id === module)?.contract?.file ?? null;
}

/** Why a module of the phase is not in the integration result. */
export type NotMergedCause = 'failed' | 'incomplete' | 'dependency' | 'conflicts' | 'branch-missing';

export type MergeStep =
  | { type: 'merge'; module: ModuleRecord }
  | { type: 'skip'; module: ModuleRecord; cause: NotMergedCause; reason: string };

/** Completed modules in wave order (then plan order); the rest are skipped with a reason. */
export function mergeOrder(run: PhaseRun): ModuleRecord[] {
  return run.modules
    .map((m, i) => ({ m, i }))
    .sort((a, b) => a.m.wave - b.m.wave || a.i - b.i)
    .map(({ m }) => m);
}

export function isMergeable(m: ModuleRecord): boolean {
  return m.state === 'complete' || m.state === 'complete-unverified';
}

/**
 * Decides the next step for `m` given which modules are merged so far: a module is merged only when
 * all its same-phase dependencies were merged (its branch contains their work, so merging it alone
 * would bring them in half-checked).
 */
export function nextStep(m: ModuleRecord, merged: ReadonlySet<string>, failed: ReadonlyMap<string, string>): MergeStep {
  if (m.state === 'failed') return { type: 'skip', module: m, cause: 'failed', reason: `it failed${m.lastSummary ? `: ${m.lastSummary}` : ''}` };
  if (!isMergeable(m)) return { type: 'skip', module: m, cause: 'incomplete', reason: `it is ${m.state}, not complete` };
  const missing = m.dependsOn.filter((d) => !merged.has(d));
  if (missing.length > 0) {
    const why = missing.map((d) => (failed.has(d) ? `${d} (${failed.get(d)})` : `${d} (not merged)`));
    return { type: 'skip', module: m, cause: 'dependency', reason: `its dependencies were not merged: ${why.join(', ')}` };
  }
  return { type: 'merge', module: m };
}
