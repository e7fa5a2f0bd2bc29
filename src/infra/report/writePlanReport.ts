// `.conductor/reports/plan.md`, `plan.json` and `timeline.svg`: every phase of the plan with its
// recorded run and last merge result, beside each conducted phase's own report (written afresh, so
// the plan report's links lead to current ones).
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Plan } from '../../core/model';
import { renderPlanMarkdown } from '../../core/report/planMarkdown';
import { buildPlanReport, type PlanPhaseInput, type PlanReport } from '../../core/report/planReport';
import { buildTimeline } from '../../core/report/timeline';
import { renderTimelineSvg } from '../../core/report/timelineSvg';
import type { Engine } from '../engine';
import { readMergeResult } from '../merge/phaseMerge';
import { reportsDir, writePhaseReport } from './writeReport';

export interface WrittenPlanReport {
  report: PlanReport;
  markdown: string;
  markdownPath: string;
  jsonPath: string;
  timelinePath: string;
}

export async function writePlanReport(engine: Engine, plan: Plan, now = new Date()): Promise<WrittenPlanReport> {
  const state = await engine.state.read();
  const planned = new Set(plan.phases.map((p) => p.slug));
  const inputs: PlanPhaseInput[] = [];
  const phaseReports = new Map<number, string>();
  for (const phase of plan.phases) {
    const run = state.phases[phase.slug] ?? null;
    inputs.push({ number: phase.number, name: phase.name, slug: phase.slug, plannedModules: phase.modules.length, run, merge: run ? await readMergeResult(engine.conductorDir, run.slug) : null });
    if (run) phaseReports.set(phase.number, path.basename((await writePhaseReport(engine, phase, run, now)).markdownPath));
  }
  // Phases conducted under a plan that has changed since: still part of the run's record.
  const gone = Object.values(state.phases).filter((r) => !planned.has(r.slug)).sort((a, b) => a.number - b.number);
  for (const run of gone) {
    inputs.push({ number: run.number, name: run.name, slug: run.slug, plannedModules: run.modules.length, run, merge: await readMergeResult(engine.conductorDir, run.slug) });
  }

  const report = buildPlanReport({ phases: inputs });
  const dir = reportsDir(engine);
  const timelinePath = path.join(dir, 'timeline.svg');
  const markdown = renderPlanMarkdown(report, { timeline: path.basename(timelinePath), phaseReports });
  const markdownPath = path.join(dir, 'plan.md');
  const jsonPath = path.join(dir, 'plan.json');
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(timelinePath, renderTimelineSvg(buildTimeline({ phases: inputs, now: now.toISOString() }), 'Plan timeline'));
  await fs.writeFile(markdownPath, markdown);
  await fs.writeFile(jsonPath, `${JSON.stringify(report, null, 2)}\n`);
  return { report, markdown, markdownPath, jsonPath, timelinePath };
}
