// What the timeline shows, in time (the SVG renderer turns it into pixels): each conducted phase,
// its waves, a row per module with a bar per attempt, and the phase's last merge and validation.
// Long idle stretches (a night between conducting and merging) are cut out of the axis, so the
// work stays readable; the cuts are kept as segments for the renderer to draw as breaks.
import type { AttemptOutcome, ModuleState } from '../run/model';
import { attemptSpans } from '../run/attemptLog';
import type { PlanPhaseInput } from './planReport';

export interface TimelineInput {
  phases: readonly PlanPhaseInput[];
  /** Where a running attempt's bar ends (ISO). */
  now: string;
}

export interface TimelineBar {
  attempt: number;
  outcome: AttemptOutcome;
  fix: boolean;
  /** Epoch milliseconds. */
  start: number;
  end: number;
  /** Still running: its end is `now`. */
  open: boolean;
}

export interface TimelineRow {
  module: string;
  state: ModuleState;
  bars: TimelineBar[];
}

export interface TimelinePhase {
  number: number;
  name: string;
  waves: { wave: number; rows: TimelineRow[] }[];
  /** The last merge and its validation, where recorded. */
  integration: { kind: 'merge' | 'validate'; start: number; end: number }[];
}

/** A stretch of the axis drawn to scale; between two segments the axis is cut. */
export interface Segment {
  start: number;
  end: number;
}

export interface Timeline {
  phases: TimelinePhase[];
  /** Empty when nothing has run. */
  segments: Segment[];
}

/** Gaps shorter than this stay on the axis, however long the run. */
export const MIN_CUT_MS = 60_000;
/** A gap longer than this share of the active time is cut. */
export const CUT_SHARE = 0.25;

export function buildTimeline(input: TimelineInput): Timeline {
  const now = Date.parse(input.now);
  const phases = input.phases.filter((p) => p.run !== null).map((p) => timelinePhase(p, now));
  const intervals = phases.flatMap((p) => [...p.waves.flatMap((w) => w.rows.flatMap((r) => r.bars)), ...p.integration]);
  return { phases, segments: segmentsOf(intervals) };
}

function timelinePhase(p: PlanPhaseInput, now: number): TimelinePhase {
  const run = p.run!;
  const waves = [...new Set(run.modules.map((m) => m.wave))].sort((a, b) => a - b);
  return {
    number: p.number,
    name: p.name,
    waves: waves.map((wave) => ({
      wave,
      rows: run.modules.filter((m) => m.wave === wave).map((m) => ({ module: m.id, state: m.state, bars: attemptSpans(m).flatMap((a) => bar(a, now)) })),
    })),
    integration: p.merge ? integrationSpans(p.merge.finishedAt, p.merge.mergeMs, p.merge.validateMs) : [],
  };
}

function bar(a: ReturnType<typeof attemptSpans>[number], now: number): TimelineBar[] {
  const start = Date.parse(a.startedAt);
  const open = a.finishedAt === null;
  // A clock that went back must not draw a bar backwards.
  const end = Math.max(start, open ? now : Date.parse(a.finishedAt!));
  if (!Number.isFinite(start) || !Number.isFinite(end)) return [];
  return [{ attempt: a.attempt, outcome: a.outcome, fix: a.fix === true, start, end, open }];
}

/** The merge ran, then the validation, which ended at `finishedAt`. */
function integrationSpans(finishedAt: string, mergeMs: number, validateMs: number): TimelinePhase['integration'] {
  const end = Date.parse(finishedAt);
  if (!Number.isFinite(end)) return [];
  const validateStart = end - Math.max(0, validateMs);
  return [
    { kind: 'merge', start: validateStart - Math.max(0, mergeMs), end: validateStart },
    { kind: 'validate', start: validateStart, end },
  ];
}

/** Stretches with activity, idle gaps longer than the cut threshold left out. */
export function segmentsOf(intervals: readonly { start: number; end: number }[]): Segment[] {
  const sorted = [...intervals].sort((a, b) => a.start - b.start || a.end - b.end);
  const union = merged(sorted, 0);
  const active = union.reduce((s, x) => s + (x.end - x.start), 0);
  return merged(union, Math.max(MIN_CUT_MS, CUT_SHARE * active));
}

function merged(sorted: readonly Segment[], maxGap: number): Segment[] {
  const out: Segment[] = [];
  for (const x of sorted) {
    const last = out.at(-1);
    if (last && x.start - last.end <= maxGap) last.end = Math.max(last.end, x.end);
    else out.push({ start: x.start, end: x.end });
  }
  return out;
}
