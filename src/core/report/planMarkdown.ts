// The Markdown form of the plan report: the run in totals, a row per phase, the conflicts per
// module pair and file, and a short reading of the measures. Unknown figures read "—".
import type { AgentUsage } from '../run/model';
import type { ConflictPoint, PlanPhaseReport, PlanReport, TimeFigures } from './planReport';
import { HEALTHY_INTEGRATION_SHARE } from './metrics';
import { cell, formatDuration, percent } from './reportMarkdown';
import { compact } from './usage';

export interface PlanReportLinks {
  /** The timeline picture, relative to the report. */
  timeline: string | null;
  /** Each phase's own report, by phase number, where one was written. */
  phaseReports: ReadonlyMap<number, string>;
}

const DASH = '—';

function count(n: number | null): string {
  return n === null ? DASH : String(n);
}

function speedup(x: number | null): string {
  return x === null ? DASH : `${x.toFixed(2)}×`;
}

/** Time saved can be negative (modules waited on each other, then ran alone): said, not hidden. */
function saved(ms: number | null): string {
  if (ms === null) return DASH;
  return ms >= 0 ? formatDuration(ms) : `none (${formatDuration(-ms)} more)`;
}

function integration(t: TimeFigures): string {
  if (t.integrationMs === null) return DASH;
  return `${percent(t.integrationShare)} (${formatDuration(t.integrationMs)})`;
}

function tokens(u: AgentUsage | null): string {
  if (u?.inputTokens === undefined && u?.outputTokens === undefined) return DASH;
  return `${u.inputTokens === undefined ? DASH : compact(u.inputTokens)} / ${u.outputTokens === undefined ? DASH : compact(u.outputTokens)}`;
}

function cost(u: AgentUsage | null): string {
  return u?.costUsd === undefined ? DASH : `$${u.costUsd.toFixed(2)}`;
}

/** Inline code inside a table cell: a pipe would end the cell, even inside the code span. */
function codeCell(text: string): string {
  const flat = text.replace(/\r?\n/g, ' ');
  const fence = '`'.repeat(Math.max(0, ...(flat.match(/`+/g) ?? []).map((r) => r.length)) + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${flat.replace(/\|/g, '\\|')}${pad}${fence}`;
}

/** "4 in 2 of 3 pairs": conflict points (module pair and file), and the module pairs among them. */
function conflictsCell(conflicts: number | null, pairs: number | null, points: number): string {
  if (conflicts === null) return DASH;
  return `${conflicts} in ${pairs ?? 0} of ${points} pair(s)`;
}

function phaseTitle(p: PlanPhaseReport, links: PlanReportLinks): string {
  const title = `${p.number}: ${p.name}`;
  const link = links.phaseReports.get(p.number);
  // Brackets in a name would end the link text early.
  return link ? `[${cell(title).replace(/[[\]]/g, '\\$&')}](${link})` : cell(title);
}

function pairLabel(c: ConflictPoint): string {
  return c.b === null ? `${c.a} ↔ the integration branch` : `${c.a} ↔ ${c.b}`;
}

function conflictSection(phases: readonly PlanPhaseReport[]): string[] {
  const out = ['## Conflicts per integration point', ''];
  for (const p of phases) {
    if (p.merged === null) continue;
    out.push(`### Phase ${p.number}: ${cell(p.name)}`, '');
    if (p.conflicts.length === 0) {
      out.push(`No conflicts over ${p.integrationPoints} integration point(s).`, '');
      continue;
    }
    out.push(`${p.conflicts.length} conflict(s); ${p.conflictingPairs} of ${p.integrationPoints} module pair(s) conflicted.`, '', '| Modules | File | Ranges |', '| --- | --- | --- |');
    for (const c of p.conflicts) out.push(`| ${cell(pairLabel(c))} | ${codeCell(c.file)} | ${c.ranges} |`);
    out.push('');
  }
  if (out.length === 2) out.push('No phase has been merged yet.', '');
  return out;
}

export function renderPlanMarkdown(report: PlanReport, links: PlanReportLinks): string {
  const t = report.totals;
  const done = report.phases.filter((p) => p.state === 'done').length;
  const out: string[] = [
    '# Plan report',
    '',
    '| | |',
    '| --- | --- |',
    `| Phases | ${t.phases} (${done} done) |`,
    `| Modules | ${t.modules} |`,
    `| Attempts | ${count(t.attempts)} |`,
    `| Fix rounds | ${count(t.fixRounds)} |`,
    `| Wall time | ${formatDuration(t.wallTimeMs)} |`,
    `| Module time | ${formatDuration(t.moduleTimeMs)} |`,
    `| Time saved | ${saved(t.timeSavedMs)} |`,
    `| Speedup | ${speedup(t.speedup)} |`,
    `| Integration share | ${integration(t)} |`,
    `| Conflicts | ${conflictsCell(t.conflicts, t.conflictingPairs, t.integrationPoints)} |`,
    `| Tokens in / out | ${tokens(t.usage)} |`,
    `| Cost | ${cost(t.usage)} |`,
    '',
  ];
  if (links.timeline) out.push(`![Timeline of the run](${links.timeline})`, '');
  out.push(
    '## Phases',
    '',
    '| Phase | State | Checkpoint | Modules | Attempts | Fix rounds | Conflicts | Wall time | Module time | Time saved | Speedup | Integration | Tokens in / out | Cost |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  );
  for (const p of report.phases) {
    out.push(
      `| ${phaseTitle(p, links)} | ${p.state} | ${p.checkpoint ? codeCell(p.checkpoint) : DASH} | ${p.modules} | ${count(p.attempts)} | ${count(p.fixRounds)} | ${conflictsCell(p.merged === null ? null : p.conflicts.length, p.conflictingPairs, p.integrationPoints)} | ${formatDuration(p.wallTimeMs)} | ${formatDuration(p.moduleTimeMs)} | ${saved(p.timeSavedMs)} | ${speedup(p.speedup)} | ${integration(p)} | ${tokens(p.usage)} | ${cost(p.usage)} |`,
    );
  }
  out.push('', ...conflictSection(report.phases));
  out.push(
    '## Reading it',
    '',
    '- **Module time** adds up every attempt of every module (retries and fix rounds included): the time one agent would have needed alone. **Speedup** is module time over wall time, first attempt start to last attempt end.',
    `- **Integration** is the last Merge & Validate of the phase; its share of the wall time is healthy up to ${percent(HEALTHY_INTEGRATION_SHARE)}; much more means the contracts left the interfaces open.`,
    '- **Conflicts** are counted per module pair and file; each is feedback on the decomposition: give the contested file one owner or an explicit contract.',
    '',
  );
  return out.join('\n');
}
