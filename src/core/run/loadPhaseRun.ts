// Where a phase run starts from: refused before anything is made when its spec has errors; resumed
// from state.json (or rebuilt from branches and status files when that is unreadable); or new, on
// the earlier phases' integrated result or on the user's last commit (refused on a dirty checkout).
import type { Plan, PlannedPhase } from '../model';
import type { ConductOptions, ConductPorts } from './conductTypes';
import { createPhaseRun, resumePhaseRun } from './createRun';
import { ConductError } from './errors';
import type { PhaseRun } from './model';
import { planCommandsRefusal } from './moduleLaunch';
import type { ConductorPaths } from './paths';
import { recoverPhaseRun } from './recovery';
import { unmetSelection } from './selection';

export interface LoadContext {
  plan: Plan;
  phase: PlannedPhase;
  ports: ConductPorts;
  options: ConductOptions;
  paths: ConductorPaths;
  /** `--tags`: only these modules may start. */
  only: ReadonlySet<string> | null;
  /** The plan's own commands may run (the user said so). */
  planCommands: boolean;
  /** The user's checkout's changed files (the engine's own writing left out). */
  changedFiles(): Promise<string[]>;
  note(text: string): void;
  now(): string;
}

/** Errors in the spec of the phase (its READY.md section and its modules' contracts), or invalid names. */
export function refuseInvalidPlan(plan: Plan, phase: PlannedPhase): void {
  const files = new Set([plan.spec, ...phase.modules.map((m) => m.contract?.file).filter(Boolean)]);
  const next = plan.phases.find((p) => p.line > phase.line);
  const inPhase = (line: number): boolean => line >= phase.line && (!next || line < next.line);
  const errors = plan.problems.filter((p) => p.severity === 'error' && files.has(p.file) && (p.file !== plan.spec || inPhase(p.line)));
  if (errors.length > 0) {
    throw new ConductError('invalid-plan', `Phase ${phase.number} has errors in its spec; fix them first (conductor check).`, errors);
  }
  const invalid = phase.modules.filter((m) => !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(m.id));
  if (invalid.length > 0) throw new ConductError('invalid-plan', `Invalid module names: ${invalid.map((m) => m.id).join(', ')}`);
}

export async function loadPhaseRun(ctx: LoadContext): Promise<PhaseRun> {
  const { phase, ports, options } = ctx;
  const { state, note } = await ports.store.load();
  if (note) ctx.note(note);
  const fresh = createPhaseRun(phase, {
    runId: ports.newRunId(),
    baseCommit: '',
    now: ctx.now(),
    worktreeRoot: options.worktreeRoot,
    agent: options.agentLabel,
    maxParallel: options.maxParallel,
    retries: options.retries,
  });
  let existing: PhaseRun | null = state.phases[phase.slug] ?? null;
  if (!existing && note !== null) existing = await rebuild(ctx, fresh);
  if (phase.gate === 'manual' && !options.approve && !existing?.approvedAt) {
    throw new ConductError('gate', `Phase ${phase.number} (${phase.name}) has "Gate: manual": it starts only when approved (--approve).`);
  }
  let run: PhaseRun;
  if (existing) {
    run = resumePhaseRun(existing, fresh);
    ctx.note(`Resuming phase ${phase.number} (run ${run.runId}).`);
  } else if (options.startFrom) {
    // Built on earlier phases' integrated result: the user's checkout plays no part.
    run = { ...fresh, baseCommit: await ports.repo.resolve(options.startFrom) };
  } else {
    const dirty = await ctx.changedFiles();
    if (dirty.length > 0 && !options.allowDirty) {
      throw new ConductError(
        'dirty',
        `Your checkout has uncommitted changes (${dirty.slice(0, 5).join(', ')}${dirty.length > 5 ? ', …' : ''}). Commit or stash them, or pass --allow-dirty: agents start from the last commit and will not see them.`,
      );
    }
    // Wave 0: the commit every module of the phase starts from.
    run = { ...fresh, baseCommit: await ports.repo.head() };
  }
  const unmet = ctx.only ? unmetSelection(run, ctx.only, phase) : null;
  if (unmet) throw new ConductError('selection', unmet);
  const untrusted = ctx.planCommands ? null : planCommandsRefusal(ctx.plan.spec, phase, run, ctx.only);
  if (untrusted) throw new ConductError('untrusted', untrusted);
  if (phase.gate === 'manual' && !run.approvedAt) run = { ...run, approvedAt: ctx.now() };
  return run;
}

/** state.json was unreadable: recover what the branches and status files say. */
async function rebuild(ctx: LoadContext, fresh: PhaseRun): Promise<PhaseRun | null> {
  const rebuilt = await recoverPhaseRun(ctx.phase, fresh, ctx.ports, ctx.paths, { now: ctx.now(), worktreeRoot: ctx.options.worktreeRoot });
  if (rebuilt) ctx.note(`Rebuilt the record of phase ${ctx.phase.number} from its branches and status files.`);
  return rebuilt;
}
