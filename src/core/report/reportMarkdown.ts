// The Markdown form of a phase report: a summary, a row per module, the conflicts, the validation
// steps with their findings, and the metrics with a short reading of each.
import { discoveryEntryLines } from '../discoveries/discoveriesMarkdown';
import { isCommandKind, type Finding } from '../validate/findings';
import { HEALTHY_INTEGRATION_SHARE, POOR_INTEGRATION_SHARE, type PhaseMetrics } from './metrics';
import type { PhaseReport, ValidationStepReport } from './phaseReport';
import { formatUsage } from './usage';

/** Findings listed per section; the rest are counted. */
const MAX_LISTED = 50;

export function formatDuration(ms: number | null): string {
  if (ms === null) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const totalSeconds = Math.round(ms / 1000);
  const h = Math.floor(totalSeconds / 3600);
  const m = Math.floor((totalSeconds % 3600) / 60);
  const s = totalSeconds % 60;
  return h > 0 ? `${h} h ${m} min` : `${m} min ${s} s`;
}

export function percent(share: number | null): string {
  return share === null ? '—' : `${Math.round(share * 100)}%`;
}

/** Text for a table cell: no line breaks, pipes escaped. */
export function cell(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/\\/g, '\\\\').replace(/\|/g, '\\|');
}

/** Inline code that survives backticks inside the text. */
function code(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text.replace(/\r?\n/g, ' ')}${pad}${fence}`;
}

function fenced(text: string): string {
  const longest = Math.max(2, ...(text.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}text\n${text}\n${fence}`;
}

function where(f: Finding): string {
  if (f.file === null) return '';
  const pos = f.line === null ? '' : `:${f.line}${f.column === null ? '' : `:${f.column}`}`;
  return `${code(f.file + pos)} `;
}

function findingLine(f: Finding): string {
  const who = f.module === null ? '' : ` — ${f.module}`;
  return `- **${f.severity}** ${where(f)}${f.message.replace(/\r?\n/g, ' ')}${who}`;
}

function findingList(findings: readonly Finding[]): string[] {
  const lines = findings.slice(0, MAX_LISTED).map(findingLine);
  if (findings.length > MAX_LISTED) lines.push(`- … and ${findings.length - MAX_LISTED} more`);
  return lines;
}

function stepTitle(v: ValidationStepReport): string {
  switch (v.kind) {
    case 'expected-files':
      return 'Expected files';
    case 'todo-scan':
      return 'TODO scan of added lines';
    case 'check-command':
      return `Check command ${code(v.command ?? '')}`;
    case 'lint-command':
      return `Lint command ${code(v.command ?? '')}`;
    default:
      return `Test command ${code(v.command ?? '')}`;
  }
}

function stepOutcome(v: ValidationStepReport): string {
  if (v.outcome === 'not-run') return `not run, ${v.warnings} warning(s)`;
  const verdict = v.outcome;
  const exit = isCommandKind(v.kind) ? `, exit code ${v.exitCode ?? '—'}` : '';
  return `${verdict}${exit}, ${formatDuration(v.durationMs)}, ${v.errors} error(s), ${v.warnings} warning(s)`;
}

export function interpretSpeedup(m: PhaseMetrics): string {
  if (m.speedup === null) return 'No module has both started and finished yet.';
  const ideal = m.modules;
  if (m.speedup < 1.05) return 'No gain from running in parallel: the modules ran one after the other (dependency waves or a parallelism cap).';
  return `${m.speedup.toFixed(1)}× faster than one agent doing the modules one after the other (at most ${ideal}× with ${ideal} modules; planning, waiting for dependencies and integration keep it lower).`;
}

export function interpretIntegration(m: PhaseMetrics): string {
  switch (m.integrationHealth) {
    case null:
      return 'Not measured: the phase has not been merged and validated yet.';
    case 'healthy':
      return `Healthy: at most ${percent(HEALTHY_INTEGRATION_SHARE)} of execution time, as expected with clear contracts.`;
    case 'elevated':
      return 'Higher than the healthy 15–20%: look at which contracts left the interfaces open.';
    default:
      return `Integration dominates (${percent(POOR_INTEGRATION_SHARE)} or more of execution time): a sign of poor contracts; tighten them before the next phase.`;
  }
}

export function interpretConflicts(m: PhaseMetrics): string {
  if (m.integrationPoints === 0) return 'A single module has no integration points.';
  if (m.conflicts === 0) return `No conflicts over ${m.integrationPoints} integration point(s): the decomposition held.`;
  return `${m.conflictingPairs} of ${m.integrationPoints} module pair(s) conflicted. Conflicts are feedback on the decomposition: give the contested files one owner or an explicit contract.`;
}

function metricsSection(m: PhaseMetrics): string[] {
  return [
    '## Metrics',
    '',
    '| Metric | Value | Reading |',
    '| --- | --- | --- |',
    `| Speedup | ${m.speedup === null ? '—' : `${m.speedup.toFixed(2)}×`} (${formatDuration(m.moduleTimeMs)} of module time in ${formatDuration(m.wallTimeMs)}) | ${cell(interpretSpeedup(m))} |`,
    `| Integration share | ${percent(m.integrationShare)} (${formatDuration(m.integrationMs)}) | ${cell(interpretIntegration(m))} |`,
    `| Conflicts per integration point | ${m.conflictsPerPoint === null ? '—' : m.conflictsPerPoint.toFixed(2)} (${m.conflicts} over ${m.integrationPoints}) | ${cell(interpretConflicts(m))} |`,
    '',
  ];
}

/** Pictures written beside the report, relative to it. */
export interface PhaseReportLinks {
  timeline?: string | null;
}

export function renderReportMarkdown(report: PhaseReport, links: PhaseReportLinks = {}): string {
  const { metrics: m, totals } = report;
  const out: string[] = [
    `# Phase ${report.phase.number}: ${report.phase.name} — report`,
    '',
    '| | |',
    '| --- | --- |',
    `| Run | ${cell(report.runId)} (${report.state}) |`,
    `| Started | ${report.startedAt} |`,
    `| Finished | ${report.finishedAt ?? '—'} |`,
  ];
  if (report.haltReason) out.push(`| Halted | ${cell(report.haltReason)} |`);
  out.push(
    `| Modules | ${m.modules} (${report.modules.filter((x) => x.state === 'complete' || x.state === 'complete-unverified').length} complete) |`,
    `| Merged | ${report.merge ? `${report.merge.merged.length} of ${m.modules}` : 'not yet'} |`,
    `| Conflicts | ${m.conflicts} |`,
    `| Findings | ${totals.errors} error(s), ${totals.warnings} warning(s) |`,
    `| Wall time | ${formatDuration(m.wallTimeMs)} |`,
    `| Speedup | ${m.speedup === null ? '—' : `${m.speedup.toFixed(2)}×`} |`,
    ...(report.usage ? [`| Agent usage | ${formatUsage(report.usage)} |`] : []),
    '',
    ...(links.timeline ? [`![Timeline of phase ${report.phase.number}](${links.timeline})`, ''] : []),
    '## Modules',
    '',
    '| Module | State | Attempts | Duration | Files changed | Conflicts | Errors | Warnings | Usage |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  );
  for (const x of report.modules) {
    const counts = { e: x.findings.filter((f) => f.severity === 'error').length, w: x.findings.filter((f) => f.severity === 'warning').length };
    out.push(`| ${cell(x.id)} | ${x.state} | ${x.attempts} | ${formatDuration(x.durationMs)} | ${x.filesChanged ?? '—'} | ${x.conflicts.length} | ${counts.e} | ${counts.w} | ${formatUsage(x.usage) || '—'} |`);
  }
  out.push('');

  if (report.merge && report.merge.conflicts.length > 0) {
    out.push('## Conflicts', '');
    for (const c of report.merge.conflicts) {
      const others = c.with.length > 0 ? ` with ${c.with.join(', ')}` : '';
      out.push(`- ${code(c.file)}: ${c.module}${others}`);
    }
    out.push('');
  }

  if (report.discoveries.length > 0) {
    const corrections = report.discoveries.filter((d) => d.kind === 'spec-correction').length;
    out.push('## Discoveries', '', `${report.discoveries.length} reported by the agents (${corrections} spec correction(s)); every phase's are in DISCOVERIES.md.`, '');
    for (const d of report.discoveries) out.push(...discoveryEntryLines(d), '');
  }

  out.push('## Validation', '');
  if (report.validation === null) out.push('Not validated yet.', '');
  else {
    for (const v of report.validation) {
      out.push(`### ${stepTitle(v)}`, '', stepOutcome(v), '');
      if (isCommandKind(v.kind) && !v.passed && v.outputTail) out.push(fenced(v.outputTail), '');
    }
    for (const x of report.modules) {
      if (x.findings.length === 0) continue;
      out.push(`### Findings for ${x.id}`, '', ...findingList(x.findings), '');
    }
    if (report.unattributed.length > 0) out.push('### Other findings', '', ...findingList(report.unattributed), '');
  }
  out.push(...metricsSection(m));
  return out.join('\n');
}
