// `conductor run [<from>[..<to>]]`: the whole plan (or a range of it), phase by phase, each on the
// integrated result of the ones before: conduct, merge, validate, fix rounds, checkpoint.
import * as path from 'node:path';
import type { Plan } from '../../core/model';
import { phasesInRange, type PlanRange } from '../../core/planRun/planStep';
import { PlanRunner, type PlanRunResult } from '../../core/planRun/planRunner';
import type { PhaseConductor } from '../../core/run/phaseConductor';
import { plainText } from '../../core/view/plainText';
import { planPorts } from '../../infra/planRun/planPorts';
import { writePlanReport } from '../../infra/report/writePlanReport';
import { openRepository } from '../engine';
import { EXIT, UsageError, type CliIo } from '../io';
import { Progress } from '../progress';
import { preflight, conductFlagOptions, conductSetup, confirmStart, count, describeRun, interruptible, requireAgent, type ConductFlags } from './conductSetup';
import { readPlan } from './specOptions';

export const runOptions = {
  ...conductFlagOptions,
  into: { type: 'string' },
  approve: { type: 'string', multiple: true },
  'keep-worktrees': { type: 'boolean' },
  test: { type: 'string', multiple: true },
} as const;

interface RunFlags extends ConductFlags {
  into?: string;
  approve?: string[];
  'keep-worktrees'?: boolean;
  test?: string[];
}

/** Stopped at a `Gate: manual`: nothing failed, the next phase waits for approval. */
export const EXIT_GATED = 3;

export function parseRange(plan: Plan, text: string | undefined): PlanRange {
  const numbers = plan.phases.map((p) => p.number);
  if (numbers.length === 0) throw new UsageError('the plan has no phases');
  const first = Math.min(...numbers);
  const last = Math.max(...numbers);
  if (text === undefined || text === 'all') return { from: first, to: last };
  const m = /^(\d*)(?:\s*(\.\.|-)\s*(\d*))?$/.exec(text.trim());
  if (!m || (m[1] === '' && (m[3] ?? '') === '')) throw new UsageError(`"${text}" is not a phase range: use 2, 2..4, 2.. or ..3`);
  const from = m[1] === '' ? first : Number(m[1]);
  const to = m[2] === undefined ? last : m[3] === '' ? last : Number(m[3]);
  for (const n of [from, to]) if (!numbers.includes(n)) throw new UsageError(`the plan has no phase ${n} (phases: ${numbers.join(', ')})`);
  if (from > to) throw new UsageError(`the range ${text} is empty: ${from} comes after ${to}`);
  return { from, to };
}

export async function runCommand(flags: RunFlags, positionals: string[], io: CliIo): Promise<number> {
  const fixRounds = count('fix-rounds', flags['fix-rounds'], 2, 0);
  const { plan, root } = await readPlan(flags, io);
  const range = parseRange(plan, positionals[0]);
  requireAgent(flags, io, phasesInRange(plan, range).flatMap((p) => p.modules));
  const approved = new Set((flags.approve ?? []).flatMap((a) => a.split(',')).map((a) => Number(a.trim())));
  for (const n of approved) if (!plan.phases.some((p) => p.number === n)) throw new UsageError(`--approve ${n}: the plan has no phase ${n}`);
  const engine = await openRepository(root);
  const progress = new Progress(io, Boolean(flags.quiet || flags.json));
  if (!(await preflight(engine, io, progress))) return EXIT.failed;
  const setup = await conductSetup(plan, flags, io, engine, progress);
  if (!(await confirmStart(io, flags, describeRun(phasesInRange(plan, range), setup)))) {
    io.stdout('Not started.\n');
    return EXIT.failed;
  }

  let current: PhaseConductor | null = null;
  const ports = planPorts(engine, {
    worktreeRoot: setup.worktreeRoot,
    trust: Boolean(flags.trust),
    testCommands: flags.test ?? [],
    note: (t) => progress.note(t),
    conduct: (phase, o) => {
      current = setup.conductor(phase, { owner: `conductor run (phase ${phase.number})`, approve: o.approve, startFrom: o.startFrom });
      const conductor = current;
      return { result: conductor.conduct(), stop: () => conductor.stop() };
    },
  });
  const runner = new PlanRunner(
    plan,
    ports,
    { range, fixRounds, retries: setup.retries, approved, keepWorktrees: Boolean(flags['keep-worktrees']), into: flags.into ?? null },
    { note: (t) => progress.note(t), phase: (p, state) => progress.note(`Phase ${p.number} (${p.name}): ${state}`) },
  );
  const outcome = await interruptible(io, progress, { stop: () => runner.stop(), pids: () => (current as PhaseConductor | null)?.agentPids() ?? [] }, () => runner.run());
  if ('exit' in outcome) return outcome.exit;
  const result = outcome.value;
  progress.done();
  const state = await engine.state.read();
  // The whole run at a glance: per phase and in total, with its timeline.
  const report = await writePlanReport(engine, plan).catch((e: unknown) => {
    progress.note(`warning: the plan report could not be written: ${(e as Error).message}`);
    return null;
  });
  if (flags.json) {
    io.stdout(`${JSON.stringify({ ...result, phases: phasesInRange(plan, range).map((p) => ({ number: p.number, state: state.phases[p.slug]?.progress?.state ?? 'pending', checkpoint: state.phases[p.slug]?.progress?.checkpoint ?? null })) }, null, 2)}\n`);
  } else {
    for (const p of phasesInRange(plan, range)) {
      const progressOf = state.phases[p.slug]?.progress;
      io.stdout(`${plainText(`Phase ${p.number} (${p.name}): ${progressOf?.state ?? 'pending'}${progressOf?.checkpoint ? ` — ${progressOf.checkpoint}` : ''}${progressOf?.fixRound ? `, ${progressOf.fixRound} fix round(s)` : ''}`)}\n`);
    }
    io.stdout(`${plainText(resultLine(result))}\n`);
    if (report) io.stdout(`Report: ${path.relative(io.cwd, report.markdownPath)} (timeline: ${path.relative(io.cwd, report.timelinePath)})\n`);
    if (result.outcome === 'failed') for (const f of result.unowned) io.stdout(`${plainText(`  ${f.file ?? '(no file)'}${f.line ? `:${f.line}` : ''}: ${f.message} (no module owns it: yours to fix)`)}\n`);
  }
  return result.outcome === 'done' ? EXIT.ok : result.outcome === 'gated' ? EXIT_GATED : result.outcome === 'stopped' ? 130 : EXIT.failed;
}

function resultLine(r: PlanRunResult): string {
  switch (r.outcome) {
    case 'done':
      return `Done: phase(s) ${r.phases.join(', ')} conducted, merged and validated.${r.into ? ` ${r.into}` : ''}`;
    case 'gated':
      return `Stopped at phase ${r.phase}: ${r.reason}`;
    case 'failed':
      return `Phase ${r.phase} failed: ${r.reason}`;
    case 'stopped':
      return 'Stopped; run the same command to resume.';
  }
}
