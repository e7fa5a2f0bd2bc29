import { planJson } from '../../core/plan/planJson';
import { planText } from '../../core/plan/planText';
import { EXIT, type CliIo } from '../io';
import { readPlan, type SpecFlags } from './specOptions';

/** Prints the plan; exit 1 when it has errors, so scripts can gate on it too. */
export async function planCommand(flags: SpecFlags, io: CliIo): Promise<number> {
  const { plan } = await readPlan(flags, io);
  io.stdout(flags.json ? `${JSON.stringify(planJson(plan), null, 2)}\n` : `${planText(plan)}\n`);
  return plan.problems.some((p) => p.severity === 'error') ? EXIT.failed : EXIT.ok;
}
