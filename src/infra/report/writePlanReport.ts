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
import type { RunStateFile } from '../../core/run/model';
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

/** Every phase of the plan, then phases conducted under a plan that has changed since (still part of the record). */
export async function planPhaseInputs(conductorDir: string, plan: Pick<Plan, 'phases'>, state: RunStateFile): Promise<PlanPhaseInput[]> {
  const planned = new Set(plan.phases.map((p) => p.slug));
  const gone = Object.values(state.phases).filter((r) => !planned.has(r.slug)).sort((a, b) => a.number - b.number);
  const phases = [
    ...plan.phases.map((p) => ({ number: p.number, name: p.name, slug: p.slug, plannedModules: p.modules.length, run: state.phases[p.slug] ?? null })),
    ...gone.map((r) => ({ number: r.number, name: r.name, slug: r.slug, plannedModules: r.modules.length, run: r })),
  ];
  return Promise.all(phases.map(async (p) => ({ ...p, merge: p.run ? await readMergeResult(conductorDir, p.slug) : null })));
}

/** The whole run's timeline, from what is recorded now: no git, nothing written. */
export async function planTimelineSvg(conductorDir: string, plan: Pick<Plan, 'phases'>, state: RunStateFile, now = new Date()): Promise<string> {
  return renderTimeline(await planPhaseInputs(conductorDir, plan, state), now);
}

function renderTimeline(phases: PlanPhaseInput[], now: Date): string {
  return renderTimelineSvg(buildTimeline({ phases, now: now.toISOString() }), 'Plan timeline');
}

export async function writePlanReport(engine: Engine, plan: Plan, now = new Date()): Promise<WrittenPlanReport> {
  const inputs = await planPhaseInputs(engine.conductorDir, plan, await engine.state.read());
  const phaseReports = new Map<number, string>();
  for (const phase of plan.phases) {
    const run = inputs.find((p) => p.slug === phase.slug)?.run;
    if (run) phaseReports.set(phase.number, path.basename((await writePhaseReport(engine, phase, run, now)).markdownPath));
  }
  const report = buildPlanReport({ phases: inputs });
  const dir = reportsDir(engine);
  const timelinePath = path.join(dir, 'timeline.svg');
  const markdown = renderPlanMarkdown(report, { timeline: path.basename(timelinePath), phaseReports });
  const markdownPath = path.join(dir, 'plan.md');
  const jsonPath = path.join(dir, 'plan.json');
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(timelinePath, renderTimeline(inputs, now));
  await fs.writeFile(markdownPath, markdown);
  await fs.writeFile(jsonPath, `${JSON.stringify(report, null, 2)}\n`);
  return { report, markdown, markdownPath, jsonPath, timelinePath };
}
