// The report of one conducted phase: per module what happened, what merging and validating found
// (each finding with the agent to send back), and the seed-001 metrics — speedup from running in
// parallel, integration time as a share of execution time, merge conflicts per integration point.
// The JSON form is the PhaseReport object itself; renderReportMarkdown is the human form.
import type { Discovery } from '../discoveries/discovery';
import type { PlannedPhase } from '../model';
import type { ModuleState, PhaseRun, PhaseRunState } from '../run/model';
import { isCommandKind, type Finding, type ValidationKind, type ValidationResult } from '../validate/findings';
import { computeMetrics, durationBetween, type PhaseMetrics } from './metrics';
import type { AgentUsage } from '../run/model';
import { phaseUsage } from './usage';

export type { IntegrationHealth, PhaseMetrics } from './metrics';
export { computeMetrics } from './metrics';

export interface MergeSummary {
  merged: string[];
  conflicts: { module: string; with: string[]; file: string }[];
  durationMs: number;
  /** The whole validation, attributing findings included, where it was measured. */
  validateMs?: number;
}

/** The report takes validation results as Merge & Validate produced them. */
export type ValidationSummaryInput = ValidationResult;

export interface PhaseReportInput {
  phase: PlannedPhase;
  run: PhaseRun;
  merge?: MergeSummary | null;
  validation?: ValidationSummaryInput[] | null;
  /** Files each module's branch changed. */
  filesChanged: ReadonlyMap<string, number>;
  /** Discoveries recorded (of any phase: the report keeps this phase's). */
  discoveries?: readonly Discovery[];
}

/** A discovery as the report (and `status --json`) lists it. */
export interface DiscoveryReport {
  module: string;
  kind: Discovery['kind'];
  at: string;
  text: string;
  attempt: number | null;
}

export interface ModuleReport {
  id: string;
  state: ModuleState;
  attempts: number;
  startedAt: string | null;
  finishedAt: string | null;
  /** finishedAt − startedAt, or null when it has not both started and finished. */
  durationMs: number | null;
  filesChanged: number | null;
  merged: boolean | null;
  /** Conflicts this module was part of, named by the other side. */
  conflicts: { with: string[]; file: string }[];
  findings: Finding[];
  /** Tokens, turns and cost, where the agent CLI reports them. */
  usage: AgentUsage | null;
}

export interface ValidationStepReport {
  kind: ValidationKind;
  command: string | null;
  exitCode: number | null;
  durationMs: number;
  passed: boolean;
  /** not-run: a command that was skipped (e.g. an untrusted repository) without an error. */
  outcome: 'passed' | 'failed' | 'not-run';
  errors: number;
  warnings: number;
  outputTail: string;
}

export interface PhaseReport {
  phase: { number: number; name: string; slug: string };
  runId: string;
  state: PhaseRunState;
  startedAt: string;
  finishedAt: string | null;
  haltReason: string | null;
  modules: ModuleReport[];
  merge: MergeSummary | null;
  validation: ValidationStepReport[] | null;
  /** Findings no module can be blamed for (no file, or a file no module changed). */
  unattributed: Finding[];
  /** All errors and warnings, for a quick verdict. */
  totals: { errors: number; warnings: number; infos: number };
  metrics: PhaseMetrics;
  /** The modules' usage added up; null when no CLI reported any. */
  usage: AgentUsage | null;
  /** What the phase's agents reported as discoveries and spec corrections, in the order recorded. */
  discoveries: DiscoveryReport[];
}

export function discoveryReports(discoveries: readonly Discovery[] | undefined, phase: number): DiscoveryReport[] {
  return (discoveries ?? []).filter((d) => d.phase === phase).map((d) => ({ module: d.module, kind: d.kind, at: d.at, text: d.text, attempt: d.attempt }));
}

function countBy(findings: readonly Finding[]): { errors: number; warnings: number; infos: number } {
  return {
    errors: findings.filter((f) => f.severity === 'error').length,
    warnings: findings.filter((f) => f.severity === 'warning').length,
    infos: findings.filter((f) => f.severity === 'info').length,
  };
}

export function buildPhaseReport(input: PhaseReportInput): PhaseReport {
  const { phase, run } = input;
  const merge = input.merge ?? null;
  const validation = input.validation ?? null;
  const findings = (validation ?? []).flatMap((v) => v.findings);
  const ids = new Set(run.modules.map((m) => m.id));
  const merged = merge ? new Set(merge.merged) : null;

  const modules: ModuleReport[] = run.modules.map((m) => ({
    id: m.id,
    state: m.state,
    attempts: m.attempts,
    startedAt: m.startedAt,
    finishedAt: m.finishedAt,
    durationMs: durationBetween(m.startedAt, m.finishedAt),
    filesChanged: input.filesChanged.get(m.id) ?? null,
    merged: merged ? merged.has(m.id) : null,
    conflicts: (merge?.conflicts ?? [])
      .filter((c) => c.module === m.id || c.with.includes(m.id))
      .map((c) => ({ with: c.module === m.id ? c.with : [c.module, ...c.with.filter((w) => w !== m.id)], file: c.file })),
    findings: findings.filter((f) => f.module === m.id),
    usage: m.usage ?? null,
  }));

  return {
    phase: { number: phase.number, name: phase.name, slug: phase.slug },
    runId: run.runId,
    state: run.state,
    usage: phaseUsage(run),
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    haltReason: run.haltReason,
    modules,
    merge,
    validation: validation?.map((v) => {
      const counts = countBy(v.findings);
      const passed = counts.errors === 0 && (!isCommandKind(v.kind) || v.exitCode === 0);
      const notRun = isCommandKind(v.kind) && v.exitCode === null && counts.errors === 0;
      return {
        kind: v.kind,
        command: v.command,
        exitCode: v.exitCode,
        durationMs: v.durationMs,
        passed,
        outcome: passed ? 'passed' : notRun ? 'not-run' : 'failed',
        errors: counts.errors,
        warnings: counts.warnings,
        outputTail: v.outputTail,
      };
    }) ?? null,
    unattributed: findings.filter((f) => f.module === null || !ids.has(f.module)),
    totals: countBy(findings),
    metrics: computeMetrics(input),
    discoveries: discoveryReports(input.discoveries, phase.number),
  };
}

export { renderReportMarkdown } from './reportMarkdown';
