// The status bar item: the phase running now (or the last one conducted) in a few words.
import type { Plan } from '../model';
import type { RunStateFile } from '../run/model';
import { escapeMarkdown, plural, truncate } from './format';
import { MODULE_ICON, MODULE_STATE_LABEL, PHASE_STATUS_LABEL } from './looks';
import { phaseRows, type ModuleCounts, type PhaseRow } from './phaseRows';
import { formatUsage, phaseUsage } from '../report/usage';

export interface StatusBarModel {
  text: string;
  /** Markdown with theme icons. */
  tooltip: string;
  visible: boolean;
}

const SUMMARY_MAX = 100;

export function statusBarModel(state: RunStateFile, plan: Plan | null, active: ReadonlySet<string>): StatusBarModel {
  const rows = phaseRows(plan, state, active);
  const running = rows.filter((r) => r.running).sort(byLatestStart);
  const focus = running[0] ?? rows.filter((r) => r.run).sort(byLatestEnd)[0];
  if (!focus) {
    if (!plan || plan.phases.length === 0) return { text: '', tooltip: '', visible: false };
    const modules = plan.phases.reduce((n, p) => n + p.modules.length, 0);
    return {
      text: `$(circle-outline) ${plural(plan.phases.length, 'phase')} · ${plural(modules, 'module')}`,
      tooltip: `**Spec Conductor** — ${escapeMarkdown(plan.spec)} plans ${plural(plan.phases.length, 'phase')}; none conducted yet.`,
      visible: true,
    };
  }
  const c = focus.counts;
  const icon = focus.running ? 'sync~spin' : c.failed > 0 ? 'error' : c.done === c.total ? 'pass' : 'debug-pause';
  const text = [`$(${icon}) Phase ${focus.number}`, `${c.done}/${c.total} done`, ...countParts(c, focus.running)].join(' · ');
  return { text, tooltip: tooltip(focus, running), visible: true };
}

/** The non-zero counts worth a glance: waiting and failed always, the rest once nothing runs. */
function countParts(c: ModuleCounts, running: boolean): string[] {
  const parts: string[] = [];
  if (c.waiting > 0) parts.push(`${c.waiting} waiting`);
  if (c.failed > 0) parts.push(`${c.failed} failed`);
  if (!running && c.blocked > 0) parts.push(`${c.blocked} blocked`);
  if (!running && c.interrupted > 0) parts.push(`${c.interrupted} interrupted`);
  return parts;
}

function tooltip(focus: PhaseRow, running: PhaseRow[]): string {
  const lines = [`**Phase ${focus.number}: ${escapeMarkdown(focus.name)}** — ${PHASE_STATUS_LABEL[focus.status]}`, ''];
  for (const m of focus.modules) {
    const summary = m.record?.lastSummary ? ` — ${escapeMarkdown(truncate(m.record.lastSummary, SUMMARY_MAX))}` : '';
    const usage = formatUsage(m.record?.usage);
    lines.push(`- $(${MODULE_ICON[m.state].id}) **${escapeMarkdown(m.id)}** · ${MODULE_STATE_LABEL[m.state]}${usage ? ` · ${usage}` : ''}${summary}`);
  }
  // What the agents cost, where their CLIs say it (tokens, turns, dollars).
  const total = focus.run ? formatUsage(phaseUsage(focus.run)) : '';
  if (total) lines.push('', `Usage: ${total}`);
  const others = running.filter((r) => r !== focus);
  if (others.length > 0) lines.push('', `Also running: ${others.map((r) => `Phase ${r.number}`).join(', ')}`);
  return lines.join('\n');
}

const byLatestStart = (a: PhaseRow, b: PhaseRow): number => compareDesc(a.run?.startedAt, b.run?.startedAt) || a.number - b.number;
const byLatestEnd = (a: PhaseRow, b: PhaseRow): number =>
  compareDesc(a.run?.finishedAt ?? a.run?.startedAt, b.run?.finishedAt ?? b.run?.startedAt) || a.number - b.number;

/** Later ISO time first; a missing or unreadable time sorts last. */
function compareDesc(a: string | null | undefined, b: string | null | undefined): number {
  return timeOf(b) - timeOf(a) || 0;
}

function timeOf(iso: string | null | undefined): number {
  const t = iso ? Date.parse(iso) : NaN;
  return Number.isNaN(t) ? -8.64e15 : t;
}
