// `conductor report` (or `conductor report plan`): the plan report of the whole run, with the
// timeline and each conducted phase's report beside it.
import * as path from 'node:path';
import { writePlanReport } from '../../infra/report/writePlanReport';
import { openRepository } from '../engine';
import { EXIT, type CliIo } from '../io';
import { readPlan, type SpecFlags } from './specOptions';

export async function planReportCommand(flags: SpecFlags, io: CliIo): Promise<number> {
  const { plan, root } = await readPlan(flags, io);
  const engine = await openRepository(root);
  const written = await writePlanReport(engine, plan);
  if (flags.json) io.stdout(`${JSON.stringify(written.report, null, 2)}\n`);
  else io.stdout(`${written.markdown}\nWritten to ${path.relative(io.cwd, written.markdownPath)} (timeline: ${path.relative(io.cwd, written.timelinePath)})\n`);
  return EXIT.ok;
}
