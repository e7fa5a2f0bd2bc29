// The report of a whole plan run: per phase and in total, how much work the agents did (modules,
// attempts, fix rounds), where their work collided (conflicts per module pair and file), what
// integrating it cost (merge + validation as a share of wall time) and what running in parallel
// gained (wall time against the sum of the attempts). Every figure comes from the recorded run and
// merge results; a figure nothing recorded is null (shown as "—"), never 0.
import type { AgentUsage, PhaseRun, PhaseRunState, PhaseState } from '../run/model';
import { computeMetrics } from './metrics';
import { phaseUsage, sumUsage } from './usage';

/** What `conductor merge` recorded for a phase (a subset of the merge result file). */
export interface RecordedMerge {
  merged: string[];
  conflicts: readonly { module: string; with: string[]; file: string }[];
  mergeMs: number;
  validateMs: number;
  /** When the validation ended: the merge and validation ran just before. */
  finishedAt: string;
}

export interface PlanPhaseInput {
  number: number;
  name: string;
  slug: string;
  /** Modules the plan gives the phase: the count before it is conducted. */
  plannedModules: number;
  run: PhaseRun | null;
  merge: RecordedMerge | null;
}

export interface PlanReportInput {
  /** In plan order. */
  phases: readonly PlanPhaseInput[];
}

/** A pair of modules whose work collided in a file; `b` is null when no merged module touched those lines. */
export interface ConflictPoint {
  a: string;
  b: string | null;
  file: string;
  /** Conflicting ranges in that file. */
  ranges: number;
}

/** Where a phase is: the plan run's own word when it ran in one, else what its record says. */
export type PlanPhaseState = PhaseState | PhaseRunState;

export interface TimeFigures {
  wallTimeMs: number | null;
  /** The attempts' durations added up: one agent doing the work alone. */
  moduleTimeMs: number | null;
  /** moduleTime − wallTime. */
  timeSavedMs: number | null;
  /** moduleTime / wallTime. */
  speedup: number | null;
  /** The last merge plus its validation. */
  integrationMs: number | null;
  /** integrationMs / wallTimeMs. */
  integrationShare: number | null;
}

export interface PlanPhaseReport extends TimeFigures {
  number: number;
  name: string;
  slug: string;
  state: PlanPhaseState;
  /** The checkpoint ref of a phase a plan run finished. */
  checkpoint: string | null;
  runId: string | null;
  modules: number;
  /** null until the phase is conducted. */
  attempts: number | null;
  fixRounds: number | null;
  /** N(N−1)/2: the module pairs whose work has to fit together. */
  integrationPoints: number;
  conflicts: ConflictPoint[];
  /** Module pairs that conflicted; null until the phase is merged. */
  conflictingPairs: number | null;
  merged: number | null;
  usage: AgentUsage | null;
}

export interface PlanReport {
  phases: PlanPhaseReport[];
  totals: TimeFigures & {
    phases: number;
    modules: number;
    attempts: number | null;
    fixRounds: number | null;
    integrationPoints: number;
    /** Conflict points (module pair and file). */
    conflicts: number | null;
    conflictingPairs: number | null;
    usage: AgentUsage | null;
  };
}

export function buildPlanReport(input: PlanReportInput): PlanReport {
  const phases = input.phases.map(phaseReport);
  return { phases, totals: totals(phases) };
}

function phaseReport(p: PlanPhaseInput): PlanPhaseReport {
  const { run, merge } = p;
  const modules = run ? run.modules.length : p.plannedModules;
  const metrics = run
    ? computeMetrics({ run, merge: merge ? { merged: merge.merged, conflicts: [...merge.conflicts], durationMs: merge.mergeMs, validateMs: merge.validateMs } : null, validation: null })
    : null;
  const conflicts = merge ? conflictPoints(merge.conflicts) : [];
  const wall = metrics?.wallTimeMs ?? null;
  const moduleTime = wall === null ? null : metrics!.moduleTimeMs;
  return {
    number: p.number,
    name: p.name,
    slug: p.slug,
    state: run ? (run.progress?.state ?? run.state) : 'pending',
    checkpoint: run?.progress?.checkpoint ?? null,
    runId: run?.runId ?? null,
    modules,
    attempts: run ? run.modules.reduce((s, m) => s + m.attempts, 0) : null,
    fixRounds: run ? run.modules.reduce((s, m) => s + (m.fixRounds ?? 0), 0) : null,
    integrationPoints: (modules * (modules - 1)) / 2,
    conflicts,
    // Pairs of this phase's modules: a conflict with earlier work on the integration branch is none.
    conflictingPairs: merge ? new Set(conflicts.filter((c) => c.b !== null).map((c) => `${c.a}\u0000${c.b}`)).size : null,
    merged: merge ? merge.merged.length : null,
    ...timeFigures(wall, moduleTime, metrics?.integrationMs ?? null),
    usage: run ? phaseUsage(run) : null,
  };
}

/** One point per module pair and file, in a stable order. */
export function conflictPoints(records: RecordedMerge['conflicts']): ConflictPoint[] {
  const points = new Map<string, ConflictPoint>();
  for (const r of records) {
    const others = r.with.filter((w) => w !== r.module);
    for (const other of others.length > 0 ? others : [null]) {
      const [a, b] = other === null || r.module < other ? [r.module, other] : [other, r.module];
      const key = `${a}\u0000${b ?? ''}\u0000${r.file}`;
      const point = points.get(key) ?? { a, b, file: r.file, ranges: 0 };
      point.ranges++;
      points.set(key, point);
    }
  }
  return [...points.values()].sort((x, y) => compare(x.a, y.a) || compare(x.b ?? '', y.b ?? '') || compare(x.file, y.file));
}

const compare = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);

function timeFigures(wall: number | null, moduleTime: number | null, integration: number | null): TimeFigures {
  const measured = wall !== null && wall > 0 && moduleTime !== null;
  return {
    wallTimeMs: wall,
    moduleTimeMs: moduleTime,
    timeSavedMs: wall !== null && moduleTime !== null ? moduleTime - wall : null,
    speedup: measured ? moduleTime / wall : null,
    integrationMs: integration,
    integrationShare: integration !== null && wall !== null && wall > 0 ? integration / wall : null,
  };
}

/** A sum over the phases that have the figure; null when none has it. */
function sumKnown(values: readonly (number | null)[]): number | null {
  const known = values.filter((v): v is number => v !== null);
  return known.length > 0 ? known.reduce((s, v) => s + v, 0) : null;
}

function totals(phases: readonly PlanPhaseReport[]): PlanReport['totals'] {
  const timed = phases.filter((p) => p.wallTimeMs !== null);
  const figures = timeFigures(sumKnown(timed.map((p) => p.wallTimeMs)), sumKnown(timed.map((p) => p.moduleTimeMs)), sumKnown(phases.map((p) => p.integrationMs)));
  // The share is taken over the phases that measured both, so a phase not merged yet does not dilute it.
  const integrated = timed.filter((p) => p.integrationMs !== null);
  const integratedWall = sumKnown(integrated.map((p) => p.wallTimeMs));
  const integratedMs = sumKnown(integrated.map((p) => p.integrationMs));
  return {
    phases: phases.length,
    modules: phases.reduce((s, p) => s + p.modules, 0),
    attempts: sumKnown(phases.map((p) => p.attempts)),
    fixRounds: sumKnown(phases.map((p) => p.fixRounds)),
    integrationPoints: phases.reduce((s, p) => s + p.integrationPoints, 0),
    conflicts: sumKnown(phases.map((p) => (p.merged === null ? null : p.conflicts.length))),
    conflictingPairs: sumKnown(phases.map((p) => p.conflictingPairs)),
    ...figures,
    integrationShare: integratedWall !== null && integratedWall > 0 && integratedMs !== null ? integratedMs / integratedWall : null,
    usage: sumUsage(phases.map((p) => p.usage)),
  };
}
