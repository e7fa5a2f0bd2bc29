// CodeLenses above each `### Phase N` heading of READY.md: conduct it, follow it while it runs,
// merge what is done, and the verdict of the last merge.
import type { Plan } from '../model';
import type { RunStateFile } from '../run/model';
import { plural } from './format';
import { phaseRows, type PhaseRow } from './phaseRows';
import { VIEW_COMMAND, type CommandTarget } from './viewIds';

export interface CodeLensModel {
  /** 1-based line of the phase heading. */
  line: number;
  title: string;
  command: string;
  args: unknown[];
}

/** What the lenses need of a Merge & Validate result (src/infra/merge/phaseMerge.ts MergeResult fits). */
export interface MergeOutcome {
  ok: boolean;
  validated: boolean;
  conflicts: readonly { module: string; file: string }[];
  skipped: readonly unknown[];
  finishedAt: string;
}

export function codeLensModels(
  plan: Plan | null,
  state: RunStateFile,
  active: ReadonlySet<string>,
  merges: ReadonlyMap<string, MergeOutcome> = new Map(),
): CodeLensModel[] {
  if (!plan) return [];
  const out: CodeLensModel[] = [];
  for (const r of phaseRows(plan, state, active)) {
    if (!r.planned) continue;
    const line = r.planned.line;
    const target: CommandTarget = { phase: r.number };
    const c = r.counts;
    if (r.running) {
      out.push({ line, title: `$(sync~spin) ${progress(r)}`, command: VIEW_COMMAND.focusView, args: [] });
    } else {
      const waves = r.planned.waves.length;
      const gate = r.gated ? ' (needs approval)' : '';
      out.push({
        line,
        title: `▶ Conduct Phase ${r.number}${gate} · ${plural(r.planned.modules.length, 'module')} in ${plural(waves, 'wave')}`,
        command: VIEW_COMMAND.conductPhase,
        args: [target],
      });
      if (r.run) out.push({ line, title: `$(${idleIcon(r)}) ${progress(r)}`, command: VIEW_COMMAND.focusView, args: [] });
    }
    const merge = freshMerge(r, merges.get(r.slug));
    if (c.done > 0 && !merge?.ok) out.push({ line, title: 'Merge & Validate', command: VIEW_COMMAND.mergePhase, args: [target] });
    if (merge) out.push({ line, title: `Merge: ${mergeVerdict(merge)}`, command: VIEW_COMMAND.showReport, args: [target] });
  }
  return out;
}

function progress(r: PhaseRow): string {
  const c = r.counts;
  const parts = [`${c.done}/${c.total} done`];
  if (c.waiting > 0) parts.push(`${c.waiting} waiting`);
  if (c.failed > 0) parts.push(`${c.failed} failed`);
  return parts.join(' · ');
}

function idleIcon(r: PhaseRow): string {
  const c = r.counts;
  return c.failed > 0 ? 'error' : c.done === c.total ? 'pass' : 'debug-pause';
}

/** A merge older than the latest module start describes work that has changed since: not shown. */
function freshMerge(r: PhaseRow, merge: MergeOutcome | undefined): MergeOutcome | null {
  if (!merge) return null;
  const mergedAt = Date.parse(merge.finishedAt);
  const restarted = r.modules.some((m) => m.record?.startedAt && Date.parse(m.record.startedAt) > mergedAt);
  return restarted ? null : merge;
}

function mergeVerdict(m: MergeOutcome): string {
  const conflicts = new Set(m.conflicts.map((c) => `${c.module}\0${c.file}`)).size;
  if (conflicts > 0) return plural(conflicts, 'conflict');
  if (!m.validated) return '✗ validation failed';
  if (m.ok) return '✓ validated';
  return m.skipped.length > 0 ? `✓ validated · ${m.skipped.length} not merged` : '✓ validated · not all merged';
}
