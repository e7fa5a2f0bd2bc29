import { formatProblem, problemJson } from '../../core/plan/planJson';
import { EXIT, type CliIo } from '../io';
import { readPlan, type SpecFlags } from './specOptions';

/** Problems only, one `file:line:column: severity code: message` per line; exit 1 on any error. */
export async function checkCommand(flags: SpecFlags, io: CliIo): Promise<number> {
  const { plan } = await readPlan(flags, io);
  const errors = plan.problems.filter((p) => p.severity === 'error').length;
  if (flags.json) {
    io.stdout(`${JSON.stringify({ spec: plan.spec, problems: plan.problems.map(problemJson), errors, warnings: plan.problems.length - errors }, null, 2)}\n`);
  } else {
    for (const p of plan.problems) io.stdout(`${formatProblem(p)}\n`);
    io.stderr(`${plan.spec}: ${errors} error(s), ${plan.problems.length - errors} warning(s)\n`);
  }
  return errors > 0 ? EXIT.failed : EXIT.ok;
}
