// The seed-001 measures of a conducted phase: speedup from running modules in parallel, integration
// (merge + validation) time as a share of execution time, and merge conflicts per integration point.
import { attemptSpans } from '../run/attemptLog';
import type { PhaseReportInput } from './phaseReport';

/** What the measures read: the run, and the last Merge & Validate where there is one. */
export type MetricsInput = Pick<PhaseReportInput, 'run' | 'merge' | 'validation'>;

export type IntegrationHealth = 'healthy' | 'elevated' | 'poor';

export interface PhaseMetrics {
  modules: number;
  /** First attempt's start to last attempt's finish. */
  wallTimeMs: number | null;
  /** Sum of the attempts' durations: the time one agent would have needed, one after the other. */
  moduleTimeMs: number;
  /** moduleTime / wallTime. */
  speedup: number | null;
  /** Merge plus validation. */
  integrationMs: number | null;
  /** integrationMs / wallTimeMs. */
  integrationShare: number | null;
  integrationHealth: IntegrationHealth | null;
  /** N(N−1)/2 for N modules: the pairs whose work has to fit together. */
  integrationPoints: number;
  /** Conflicting files (one per module and file). */
  conflicts: number;
  /** Distinct module pairs that conflicted. */
  conflictingPairs: number;
  conflictsPerPoint: number | null;
}

/** Up to this share of execution time, integration is healthy (seed 001: 15–20% with good contracts). */
export const HEALTHY_INTEGRATION_SHARE = 0.2;
/** From this share on, integration dominates (seed 001's poor-contracts example spends 67%). */
export const POOR_INTEGRATION_SHARE = 0.5;

export function durationBetween(start: string | null, end: string | null): number | null {
  if (start === null || end === null) return null;
  const ms = Date.parse(end) - Date.parse(start);
  return Number.isFinite(ms) && ms >= 0 ? ms : null;
}

function integrationHealth(share: number | null): IntegrationHealth | null {
  if (share === null) return null;
  if (share <= HEALTHY_INTEGRATION_SHARE) return 'healthy';
  return share < POOR_INTEGRATION_SHARE ? 'elevated' : 'poor';
}

function pairKey(a: string, b: string): string {
  return a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`;
}

export function computeMetrics(input: MetricsInput): PhaseMetrics {
  const mods = input.run.modules;
  const n = mods.length;
  // Every attempt, retries and fix rounds included: the record's own times are the latest attempt's.
  const timed = mods.flatMap(attemptSpans).filter((a) => durationBetween(a.startedAt, a.finishedAt) !== null);
  const moduleTimeMs = timed.reduce((sum, a) => sum + (durationBetween(a.startedAt, a.finishedAt) ?? 0), 0);
  const starts = timed.map((a) => Date.parse(a.startedAt));
  const ends = timed.map((a) => Date.parse(a.finishedAt!));
  const wallTimeMs = timed.length > 0 ? Math.max(...ends) - Math.min(...starts) : null;
  const speedup = wallTimeMs !== null && wallTimeMs > 0 ? moduleTimeMs / wallTimeMs : null;

  const mergeMs = input.merge?.durationMs ?? null;
  // The recorded validation time also covers attributing findings to modules; the steps' own
  // durations are the fallback for a summary without it.
  const validateMs = input.merge?.validateMs ?? (input.validation ? input.validation.reduce((s, v) => s + v.durationMs, 0) : null);
  const integrationMs = mergeMs === null && validateMs === null ? null : (mergeMs ?? 0) + (validateMs ?? 0);
  const integrationShare = integrationMs !== null && wallTimeMs !== null && wallTimeMs > 0 ? integrationMs / wallTimeMs : null;

  const conflicts = input.merge?.conflicts ?? [];
  const perFile = new Set(conflicts.map((c) => `${c.module}\u0000${c.file}`));
  const pairs = new Set(conflicts.flatMap((c) => c.with.filter((w) => w !== c.module).map((w) => pairKey(c.module, w))));
  const integrationPoints = (n * (n - 1)) / 2;
  return {
    modules: n,
    wallTimeMs,
    moduleTimeMs,
    speedup,
    integrationMs,
    integrationShare,
    integrationHealth: integrationHealth(integrationShare),
    integrationPoints,
    conflicts: perFile.size,
    conflictingPairs: pairs.size,
    conflictsPerPoint: integrationPoints > 0 ? perFile.size / integrationPoints : null,
  };
}
