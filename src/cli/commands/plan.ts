import { planJson } from '../../core/plan/planJson';
import { planText } from '../../core/plan/planText';
import { parseTagsOption, planWithTags } from '../../core/plan/tagSelection';
import { EXIT, UsageError, type CliIo } from '../io';
import { readPlan, specOptions, type SpecFlags } from './specOptions';

export const planOptions = { ...specOptions, tags: { type: 'string' } } as const;

/** Prints the plan (only the modules with one of `--tags`, when given); exit 1 when it has errors. */
export async function planCommand(flags: SpecFlags & { tags?: string }, io: CliIo): Promise<number> {
  const { plan: whole } = await readPlan(flags, io);
  let plan = whole;
  if (flags.tags !== undefined) {
    const tags = parseTagsOption(flags.tags);
    if ('error' in tags) throw new UsageError(tags.error);
    plan = planWithTags(whole, tags);
  }
  io.stdout(flags.json ? `${JSON.stringify(planJson(plan), null, 2)}\n` : `${planText(plan)}\n`);
  return plan.problems.some((p) => p.severity === 'error') ? EXIT.failed : EXIT.ok;
}
