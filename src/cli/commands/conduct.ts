// `conductor conduct <phase>`: runs one phase to the end, headless.
import type { PlannedPhase, Plan } from '../../core/model';
import { ConductError } from '../../core/run/errors';
import { formatProblem } from '../../core/plan/planJson';
import { modulesTagged, parseTagsOption } from '../../core/plan/tagSelection';
import { startFrom } from '../../core/planRun/planStep';
import { resolveStartPoint } from '../../core/planRun/startPoint';
import { plainText } from '../../core/view/plainText';
import { readDiscoveries } from '../../infra/discoveriesLog';
import { WriteError } from '../../infra/fsErrors';
import { Checkpoints } from '../../infra/git/checkpoints';
import { openRepository, preflightConduct, type Engine } from '../engine';
import { EXIT, UsageError, type CliIo } from '../io';
import { Progress } from '../progress';
import { phaseStatusJson } from '../statusJson';
import { conductFlagOptions, conductFlags, conductSetup, confirmStart, describeRun, onInterrupt, requireAgent, type ConductFlags } from './conductSetup';
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
  let warnings: string[];
  try {
    warnings = await preflightConduct(engine);
  } catch (e) {
    // Nothing was started yet: the message is the whole story.
    if (!(e instanceof ConductError || e instanceof WriteError)) throw e;
    io.stderr(`conductor: ${e.message}\n`);
    return EXIT.failed;
  }
  for (const w of warnings) progress.note(`warning: ${w}`);
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
  const removeSignals = onInterrupt(io, progress, () => conductor.stop(), () => conductor.agentPids());
  try {
    const run = await conductor.conduct();
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
  } catch (e) {
    progress.done();
    if (e instanceof ConductError) {
      io.stderr(`conductor: ${e.message}\n`);
      for (const p of e.problems) io.stderr(`  ${formatProblem(p)}\n`);
      return EXIT.failed;
    }
    throw e;
  } finally {
    removeSignals();
  }
}

/**
 * A phase conducted alone still builds on the phases it depends on: their checkpoints when they are
 * done; when one is not, its agents start from HEAD, and the user is told.
 */
async function startCommit(engine: Engine, plan: Plan, phase: PlannedPhase, warn: (text: string) => void): Promise<string | null> {
  const checkpoints = new Checkpoints(engine.repo.root, engine.git);
  const point = await resolveStartPoint(plan, phase, startFrom(plan, phase), {
    checkpointCommit: (p) => checkpoints.commitOf(p.number),
    isAncestor: (a, b) => engine.repo.isAncestorOf(a, b),
    mergeCommits: ([base, ...rest], message) => engine.repo.mergeCommits(base, rest, message),
  });
  if ('commit' in point) return point.commit;
  if ('missing' in point) {
    warn(`phase ${phase.number} depends on phase(s) ${point.missing.join(', ')}, not done (no checkpoint): its agents start from your HEAD, without that work. "conductor run ${point.missing[0]}..${phase.number}" conducts them in order.`);
    return null;
  }
  warn(`the results of phases ${phase.dependsOn.join(', ')} conflict (${point.conflicts.join(', ')}): phase ${phase.number}'s agents start from your HEAD`);
  return null;
}
