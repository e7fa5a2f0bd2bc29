// `conductor conduct <phase>`: runs one phase to the end, headless.
import type { PlannedPhase, Plan } from '../../core/model';
import { modulesTagged, parseTagsOption } from '../../core/plan/tagSelection';
import { plainText } from '../../core/view/plainText';
import { readDiscoveries } from '../../infra/discoveriesLog';
import { startCommit } from '../../infra/planRun/startCommit';
import { openRepository } from '../engine';
import { EXIT, UsageError, type CliIo } from '../io';
import { Progress } from '../progress';
import { phaseStatusJson } from '../statusJson';
import { preflight, conductFlagOptions, conductFlags, conductSetup, confirmStart, describeRun, interruptible, requireAgent, type ConductFlags } from './conductSetup';
import { readPlan } from './specOptions';

export const conductOptions = { ...conductFlagOptions, approve: { type: 'boolean' }, tags: { type: 'string' } } as const;

interface Flags extends ConductFlags {
  approve?: boolean;
  tags?: string;
}

/** The modules `--tags` selects (null: all), or a usage error when none has them. */
function selectedModules(phase: PlannedPhase, tags: string | undefined): string[] | null {
  if (tags === undefined) return null;
  const wanted = parseTagsOption(tags);
  if ('error' in wanted) throw new UsageError(wanted.error);
  const ids = modulesTagged(phase, wanted);
  if ('error' in ids) throw new UsageError(ids.error);
  return ids;
}

export function findPhase(plan: Plan, which: string | undefined): PlannedPhase {
  if (!which) throw new UsageError('which phase? e.g. "conductor conduct 2"');
  if (/^(all|\d+\s*(-|\.\.)\s*\d+)$/i.test(which.trim())) {
    throw new UsageError(`"${which}" is several phases: conduct runs one; "conductor run ${which === 'all' ? '' : which.replace('-', '..')}" runs a range of phases, each on the result of the ones before`);
  }
  const phase = plan.phases.find((p) => String(p.number) === which.replace(/^phase-?/i, '') || p.slug === which);
  if (!phase) throw new UsageError(`the plan has no phase "${which}" (phases: ${plan.phases.map((p) => p.number).join(', ') || 'none'})`);
  return phase;
}

export async function conductCommand(flags: Flags, positionals: string[], io: CliIo): Promise<number> {
  conductFlags(flags, io);
  const { plan, root } = await readPlan(flags, io);
  const phase = findPhase(plan, positionals[0]);
  const only = selectedModules(phase, flags.tags);
  requireAgent(flags, io, phase.modules.filter((m) => !only || only.includes(m.id)));
  const engine = await openRepository(root);
  const progress = new Progress(io, Boolean(flags.quiet || flags.json));
  if (!(await preflight(engine, io, progress))) return EXIT.failed;
  if (only) progress.note(`--tags ${flags.tags}: conducting ${only.join(', ')} (${only.length} of ${phase.modules.length} modules).`);
  const setup = await conductSetup(plan, flags, io, engine, progress);
  // An unreadable state file is the conductor's to rebuild (it keeps a copy): here it only means "not known".
  const known = await engine.state.read().then((st) => st.phases[phase.slug], () => undefined);
  const start = known ? null : await startCommit(engine, plan, phase, (w) => io.stderr(`conductor: warning: ${plainText(w)}\n`));
  if (!known && !(await confirmStart(io, flags, describeRun([phase], setup)))) {
    io.stdout('Not started.\n');
    return EXIT.failed;
  }
  const conductor = setup.conductor(phase, { owner: `conductor conduct ${phase.number}`, approve: Boolean(flags.approve), startFrom: start, only });
  const outcome = await interruptible(io, progress, { stop: () => conductor.stop(), pids: () => conductor.agentPids() }, () => conductor.conduct());
  if ('exit' in outcome) return outcome.exit;
  const run = outcome.value;
  progress.done();
  const conducted = run.modules.filter((m) => !only || only.includes(m.id));
  const ok = conducted.every((m) => m.state === 'complete');
  if (flags.json) io.stdout(`${JSON.stringify({ ok, phase: phaseStatusJson(run, undefined, await readDiscoveries(engine.conductorDir)) }, null, 2)}\n`);
  else {
    const failed = conducted.filter((m) => m.state !== 'complete');
    const selected = only ? ` with --tags ${flags.tags}` : '';
    io.stdout(
      ok
        ? `Phase ${run.number} complete: ${conducted.length} module(s)${selected}. Next: conductor merge ${run.number}\n`
        : `Phase ${run.number} ended with ${failed.length} module(s) not complete: ${failed.map((m) => `${m.id} (${m.state})`).join(', ')}${run.haltReason ? `\nHalted: ${plainText(run.haltReason)}` : ''}\n`,
    );
  }
  return ok ? EXIT.ok : EXIT.failed;
}
