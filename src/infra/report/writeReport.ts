// `.conductor/reports/phase-<n>.md` and `.json`: the phase's record, its last Merge & Validate
// result and the files each module changed, turned into the report — with the phase's timeline
// beside it (`timeline-phase-<n>.svg`).
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { PlannedPhase } from '../../core/model';
import { buildPhaseReport, renderReportMarkdown, type PhaseReport } from '../../core/report/phaseReport';
import { buildTimeline } from '../../core/report/timeline';
import { renderTimelineSvg } from '../../core/report/timelineSvg';
import type { PhaseRun } from '../../core/run/model';
import { readDiscoveries } from '../discoveriesLog';
import { countChangedFiles } from '../git/changes';
import type { Engine } from '../engine';
import { readMergeResult } from '../merge/phaseMerge';

export interface WrittenReport {
  report: PhaseReport;
  markdown: string;
  markdownPath: string;
  jsonPath: string;
  timelinePath: string;
}

export function reportsDir(engine: Engine): string {
  return path.join(engine.conductorDir, 'reports');
}

export async function writePhaseReport(engine: Engine, phase: PlannedPhase, run: PhaseRun, now = new Date()): Promise<WrittenReport> {
  const merge = await readMergeResult(engine.conductorDir, run.slug);
  const counts = await countChangedFiles(engine.git, engine.repo.root, run.modules.map((m) => ({ base: m.baseCommit ?? run.baseCommit, tip: m.branch })));
  const filesChanged = new Map(run.modules.map((m, i) => [m.id, counts[i]]));
  const report = buildPhaseReport({
    phase,
    run,
    merge: merge ? { merged: merge.merged, conflicts: merge.conflicts, durationMs: merge.mergeMs, validateMs: merge.validateMs } : null,
    validation: merge ? merge.validation.map((v) => ({ ...v })) : null,
    filesChanged,
    discoveries: await readDiscoveries(engine.conductorDir),
  });
  const timeline = buildTimeline({ now: now.toISOString(), phases: [{ number: phase.number, name: phase.name, slug: phase.slug, plannedModules: phase.modules.length, run, merge }] });
  const dir = reportsDir(engine);
  const timelinePath = path.join(dir, `timeline-phase-${phase.number}.svg`);
  const markdown = renderReportMarkdown(report, { timeline: path.basename(timelinePath) });
  await fs.mkdir(dir, { recursive: true });
  const markdownPath = path.join(dir, `phase-${phase.number}.md`);
  const jsonPath = path.join(dir, `phase-${phase.number}.json`);
  await fs.writeFile(timelinePath, renderTimelineSvg(timeline, `Phase ${phase.number}: ${phase.name} — timeline`));
  await fs.writeFile(markdownPath, markdown);
  await fs.writeFile(jsonPath, `${JSON.stringify(report, null, 2)}\n`);
  return { report, markdown, markdownPath, jsonPath, timelinePath };
}
