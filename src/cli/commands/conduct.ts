// `conductor conduct <phase>`: runs one phase to the end, headless.
import { realpathSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveAgent } from '../../core/agents/presets';
import type { PlannedPhase, Plan } from '../../core/model';
import { discoveriesFileFor } from '../../core/discoveries/discovery';
import { defaultWorktreeRoot } from '../../core/run/createRun';
import { ConductError } from '../../core/run/errors';
import { PhaseConductor } from '../../core/run/phaseConductor';
import { formatProblem } from '../../core/plan/planJson';
import { plainText } from '../../core/view/plainText';
import { readDiscoveries } from '../../infra/discoveriesLog';
import { WriteError } from '../../infra/fsErrors';
import { NodeFiles } from '../../infra/nodeFiles';
import { ChildAgentPort } from '../../infra/process/childAgentPort';
import { conductPorts, installHook, openRepository, preflightConduct } from '../engine';
import { EXIT, UsageError, type CliIo } from '../io';
import { Progress } from '../progress';
import { phaseStatusJson } from '../statusJson';
import { readPlan, specOptions, type SpecFlags } from './specOptions';

export const conductOptions = {
  ...specOptions,
  agent: { type: 'string' },
  'max-parallel': { type: 'string' },
  retries: { type: 'string' },
  approve: { type: 'boolean' },
  'allow-dirty': { type: 'boolean' },
  'worktree-root': { type: 'string' },
  copy: { type: 'string', multiple: true },
  setup: { type: 'string' },
  'prompt-template': { type: 'string' },
  'show-output': { type: 'boolean' },
  'idle-timeout': { type: 'string' },
  quiet: { type: 'boolean' },
} as const;

interface ConductFlags extends SpecFlags {
  agent?: string;
  'max-parallel'?: string;
  retries?: string;
  approve?: boolean;
  'allow-dirty'?: boolean;
  'worktree-root'?: string;
  copy?: string[];
  setup?: string;
  'prompt-template'?: string;
  'show-output'?: boolean;
  'idle-timeout'?: string;
  quiet?: boolean;
}

/** Seconds without output or status before an agent is flagged; it is stopped after twice as long. */
export const DEFAULT_IDLE_TIMEOUT_S = 600;

/** Two agents per core, at least two and at most eight: agents mostly wait on their model. */
export function defaultParallelism(): number {
  return Math.min(8, Math.max(2, os.availableParallelism() * 2));
}

export function findPhase(plan: Plan, which: string | undefined): PlannedPhase {
  if (!which) throw new UsageError('which phase? e.g. "conductor conduct 2"');
  const phase = plan.phases.find((p) => String(p.number) === which.replace(/^phase-?/i, '') || p.slug === which);
  if (!phase) throw new UsageError(`the plan has no phase "${which}" (phases: ${plan.phases.map((p) => p.number).join(', ') || 'none'})`);
  return phase;
}

function count(flag: string, value: string | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${flag} takes a whole number of at least ${min}`);
  return n;
}

export async function conductCommand(flags: ConductFlags, positionals: string[], io: CliIo): Promise<number> {
  const agentSpec = flags.agent ?? io.env.CONDUCTOR_AGENT;
  if (!agentSpec) throw new UsageError('choose the agent: --agent claude|codex|gemini|qwen|aider|"<your command>"');
  const agent = resolveAgent(agentSpec, 'headless');
  if ('error' in agent) throw new UsageError(agent.error);
  const maxParallel = count('max-parallel', flags['max-parallel'], defaultParallelism(), 1);
  const retries = count('retries', flags.retries, 1, 0);
  const idleS = count('idle-timeout', flags['idle-timeout'], DEFAULT_IDLE_TIMEOUT_S, 0);

  const { plan, root } = await readPlan(flags, io);
  const phase = findPhase(plan, positionals[0]);
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
  const files = new NodeFiles();
  const templatePath = flags['prompt-template'] ? path.resolve(io.cwd, flags['prompt-template']) : path.join(engine.repo.root, 'conductor.prompt.md');
  const conductor = new PhaseConductor(
    plan,
    phase,
    conductPorts(engine, new ChildAgentPort({ onOutput: flags['show-output'] ? (key, line) => progress.output(key, line) : undefined })),
    {
      owner: `conductor conduct ${phase.number}`,
      agentLabel: agentSpec,
      agentCommand: agent,
      nativeHook: agentSpec === 'claude' ? 'claude' : null,
      maxParallel,
      retries,
      approve: Boolean(flags.approve),
      allowDirty: Boolean(flags['allow-dirty']),
      worktreeRoot: flags['worktree-root'] ? path.resolve(io.cwd, flags['worktree-root']) : defaultWorktreeRoot(engine.repo.root),
      hookPath: await installHook(engine),
      copyFiles: flags.copy ?? ['.env', '.env.local'],
      setupCommand: flags.setup ?? null,
      promptTemplate: await files.read(templatePath),
      restartInterrupted: true,
      idleFlagMs: idleS * 1000,
      idleStopMs: idleS * 2000,
      // The real path, as git names the repository: DISCOVERIES.md is then known as the engine's own.
      discoveriesFile: path.join(realpathSync(root), discoveriesFileFor(plan.spec)),
    },
    {
      transition: (t, run) => progress.transition(t, run),
      note: (text) => progress.note(text),
      changed: (run) => progress.refresh(run),
    },
  );

  // First signal: start nothing more, stop the agents, save, exit. Second: kill the agents, exit now.
  let signals = 0;
  const interrupt = (signal: NodeJS.Signals): void => {
    signals++;
    if (signals === 1) {
      progress.note('Stopping the agents… (again to kill them at once)');
      void conductor.stop();
      return;
    }
    progress.done();
    for (const pid of conductor.agentPids()) killGroup(pid);
    io.stderr(`conductor: ${signal} again: agents killed; run the same command to resume.\n`);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', interrupt);
  try {
    const run = await conductor.conduct();
    progress.done();
    const ok = run.modules.every((m) => m.state === 'complete');
    if (flags.json) io.stdout(`${JSON.stringify({ ok, phase: phaseStatusJson(run, undefined, await readDiscoveries(engine.conductorDir)) }, null, 2)}\n`);
    else {
      const failed = run.modules.filter((m) => m.state !== 'complete');
      io.stdout(
        ok
          ? `Phase ${run.number} complete: ${run.modules.length} module(s). Next: conductor merge ${run.number}\n`
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
    process.removeListener('SIGINT', interrupt);
    process.removeListener('SIGTERM', interrupt);
  }
}

function killGroup(pid: number): void {
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, 'SIGKILL');
    } catch {
      // gone already
    }
  }
}
