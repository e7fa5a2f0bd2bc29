// What `conduct` and `run` share: the agent, the options of a phase conductor, the question before
// starting, and the two-step Ctrl-C.
import { realpathSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveAgent } from '../../core/agents/presets';
import { formatProblem } from '../../core/plan/planJson';
import { ConductError } from '../../core/run/errors';
import type { Plan, PlannedModule, PlannedPhase } from '../../core/model';
import { discoveriesFileFor } from '../../core/discoveries/discovery';
import { defaultWorktreeRoot } from '../../core/run/createRun';
import { PhaseConductor, type ConductOptions } from '../../core/run/phaseConductor';
import { NodeFiles } from '../../infra/nodeFiles';
import { ChildAgentPort } from '../../infra/process/childAgentPort';
import { conductPorts, installHook, preflightConduct, type Engine } from '../engine';
import { WriteError } from '../../infra/fsErrors';
import { EXIT, UsageError, type CliIo } from '../io';
import type { Progress } from '../progress';
import { plainText } from '../../core/view/plainText';
import { specOptions, type SpecFlags } from './specOptions';

export const conductFlagOptions = {
  ...specOptions,
  agent: { type: 'string' },
  'max-parallel': { type: 'string' },
  retries: { type: 'string' },
  'allow-dirty': { type: 'boolean' },
  'worktree-root': { type: 'string' },
  copy: { type: 'string', multiple: true },
  setup: { type: 'string' },
  'prompt-template': { type: 'string' },
  'show-output': { type: 'boolean' },
  'idle-timeout': { type: 'string' },
  quiet: { type: 'boolean' },
  yes: { type: 'boolean' },
  trust: { type: 'boolean' },
  'validate-waves': { type: 'boolean' },
  'fix-rounds': { type: 'string' },
} as const;

export interface ConductFlags extends SpecFlags {
  agent?: string;
  'max-parallel'?: string;
  retries?: string;
  'allow-dirty'?: boolean;
  'worktree-root'?: string;
  copy?: string[];
  setup?: string;
  'prompt-template'?: string;
  'show-output'?: boolean;
  'idle-timeout'?: string;
  quiet?: boolean;
  yes?: boolean;
  /** Agent command lines written in the plan (tasks.csv `agent`) may run. */
  trust?: boolean;
  /** A dependent wave starts only after its dependencies' merged result passed the phase's checks. */
  'validate-waves'?: boolean;
  'fix-rounds'?: string;
}

/** Seconds without output or status before an agent is flagged; it is stopped after twice as long. */
export const DEFAULT_IDLE_TIMEOUT_S = 600;

/** Two agents per core, at least two and at most eight: agents mostly wait on their model. */
export function defaultParallelism(): number {
  return Math.min(8, Math.max(2, os.availableParallelism() * 2));
}

export function count(flag: string, value: string | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${flag} takes a whole number of at least ${min}`);
  return n;
}

export interface ConductSetup {
  agentSpec: string;
  validateWaves: boolean;
  maxParallel: number;
  retries: number;
  worktreeRoot: string;
  /** A conductor for `phase`, its agents child processes of this one. */
  conductor(phase: PlannedPhase, extra: { owner: string; approve: boolean; startFrom: string | null; only?: readonly string[] | null }): PhaseConductor;
}

/** Reads and checks the flags a phase conductor needs (usage errors before anything starts). */
export function conductFlags(
  flags: ConductFlags,
  io: CliIo,
): { agentSpec: string; agent: ConductOptions['agentCommand']; maxParallel: number; retries: number; idleS: number; fixRounds: number } {
  // Without one, every module that runs must have its own (see requireAgent).
  const agentSpec = flags.agent ?? io.env.CONDUCTOR_AGENT ?? PER_MODULE;
  const agent = agentSpec === PER_MODULE ? { argv: [], display: PER_MODULE } : resolveAgent(agentSpec, 'headless');
  if ('error' in agent) throw new UsageError(agent.error);
  if (flags['validate-waves'] && !flags.trust) {
    throw new UsageError("--validate-waves runs the phase's check and lint commands between waves: add --trust if you trust this repository's plan");
  }
  return {
    agentSpec,
    agent,
    maxParallel: count('max-parallel', flags['max-parallel'], defaultParallelism(), 1),
    retries: count('retries', flags.retries, 1, 0),
    idleS: count('idle-timeout', flags['idle-timeout'], DEFAULT_IDLE_TIMEOUT_S, 0),
    fixRounds: count('fix-rounds', flags['fix-rounds'], 2, 0),
  };
}

/** The run's agent when none is given: each module runs the agent its tasks.csv row names. */
export const PER_MODULE = 'per module (tasks.csv)';

/** A usage error unless an agent was chosen or every module that will run names its own. */
export function requireAgent(flags: ConductFlags, io: CliIo, modules: readonly PlannedModule[]): void {
  if (flags.agent ?? io.env.CONDUCTOR_AGENT) return;
  if (modules.some((m) => !m.agent)) throw new UsageError('choose the agent: --agent claude|codex|gemini|qwen|aider|"<your command>"');
}

export async function conductSetup(plan: Plan, flags: ConductFlags, io: CliIo, engine: Engine, progress: Progress): Promise<ConductSetup> {
  const { agentSpec, agent, maxParallel, retries, idleS, fixRounds } = conductFlags(flags, io);
  const files = new NodeFiles();
  const templatePath = flags['prompt-template'] ? path.resolve(io.cwd, flags['prompt-template']) : path.join(engine.repo.root, 'conductor.prompt.md');
  const worktreeRoot = flags['worktree-root'] ? path.resolve(io.cwd, flags['worktree-root']) : defaultWorktreeRoot(engine.repo.root);
  const hookPath = await installHook(engine);
  const promptTemplate = await files.read(templatePath);
  const agents = new ChildAgentPort({ onOutput: flags['show-output'] ? (key, line) => progress.output(key, line) : undefined });
  return {
    agentSpec,
    validateWaves: Boolean(flags['validate-waves']),
    maxParallel,
    retries,
    worktreeRoot,
    conductor: (phase, extra) =>
      new PhaseConductor(
        plan,
        phase,
        conductPorts(engine, agents, flags['validate-waves'] ? { worktreeRoot, trust: true } : undefined),
        {
          owner: extra.owner,
          agentLabel: agentSpec,
          agentCommand: agent,
          nativeHook: agentSpec === 'claude' ? 'claude' : null,
          agentMode: 'headless',
          planCommands: Boolean(flags.trust),
          only: extra.only ?? null,
          maxParallel,
          retries,
          approve: extra.approve,
          allowDirty: Boolean(flags['allow-dirty']),
          worktreeRoot,
          hookPath,
          copyFiles: flags.copy ?? ['.env', '.env.local'],
          setupCommand: flags.setup ?? null,
          promptTemplate,
          restartInterrupted: true,
          idleFlagMs: idleS * 1000,
          idleStopMs: idleS * 2000,
          startFrom: extra.startFrom,
          // The real path, as git names the repository: DISCOVERIES.md is then known as the engine's own.
          discoveriesFile: path.join(realpathSync(engine.repo.root), discoveriesFileFor(plan.spec)),
          validateWaves: flags['validate-waves'] ? { fixRounds, retries } : null,
        },
        {
          transition: (t, run) => progress.transition(t, run),
          note: (text) => progress.note(text),
          changed: (run) => progress.refresh(run),
        },
      ),
  };
}

/** The plan as it will run: phases, waves, agent and parallelism, for the question before starting. */
export function describeRun(phases: readonly PlannedPhase[], setup: { agentSpec: string; maxParallel: number; validateWaves?: boolean }): string {
  const lines: string[] = [];
  for (const p of phases) {
    lines.push(`Phase ${p.number}: ${p.name}${p.gate === 'manual' ? ' (Gate: manual)' : ''}`);
    p.waves.forEach((wave, i) => lines.push(`  wave ${i + 1}: ${wave.join(', ')}`));
  }
  lines.push(`Agent: ${setup.agentSpec} · up to ${setup.maxParallel} at once`);
  if (setup.validateWaves) lines.push("A wave starts once the merged result of the modules it builds on passes the phase's check and lint commands.");
  return lines.map(plainText).join('\n');
}

/**
 * On a terminal, shows what will run and asks; `--yes` or no terminal: goes ahead without waiting.
 * False when the user said no.
 */
export async function confirmStart(io: CliIo, flags: { yes?: boolean; json?: boolean }, description: string): Promise<boolean> {
  if (flags.yes || flags.json || !io.ask) return true;
  io.stdout(`${description}\n`);
  const answer = await io.ask('Start? [Y/n] ');
  if (answer === null) return true;
  return answer.trim() === '' || /^y(es)?$/i.test(answer.trim());
}

/** First signal: stop the agents and save (resumable). Second: kill them at once. */
export function onInterrupt(io: CliIo, progress: Progress, stop: () => Promise<void>, pids: () => number[]): () => void {
  let signals = 0;
  const interrupt = (signal: NodeJS.Signals): void => {
    signals++;
    if (signals === 1) {
      progress.note('Stopping the agents… (again to kill them at once)');
      void stop();
      return;
    }
    progress.done();
    for (const pid of pids()) killGroup(pid);
    io.stderr(`conductor: ${signal} again: agents killed; run the same command to resume.\n`);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', interrupt);
  return () => {
    process.removeListener('SIGINT', interrupt);
    process.removeListener('SIGTERM', interrupt);
  };
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

/** A ConductError (a gate, a busy phase, an invalid plan) is the whole story: one message, exit 1. */
/**
 * Runs the conductor's work with the two-step Ctrl-C installed (onInterrupt). A ConductError is
 * printed, with its problems, and becomes exit 1; anything else is a bug and is thrown.
 */
export async function interruptible<T>(
  io: CliIo,
  progress: Progress,
  control: { stop: () => Promise<void>; pids: () => number[] },
  work: () => Promise<T>,
): Promise<{ value: T } | { exit: number }> {
  const removeSignals = onInterrupt(io, progress, control.stop, control.pids);
  try {
    return { value: await work() };
  } catch (e) {
    progress.done();
    if (printConductError(io, e)) return { exit: EXIT.failed };
    throw e;
  } finally {
    removeSignals();
  }
}

export function printConductError(io: CliIo, e: unknown): boolean {
  if (!(e instanceof ConductError)) return false;
  io.stderr(`conductor: ${e.message}\n`);
  for (const p of e.problems) io.stderr(`  ${formatProblem(p)}\n`);
  return true;
}

/**
 * What must hold before anything is created or started (see preflightConduct); warnings are noted.
 * False when it does not hold: the message, on stderr, is the whole story.
 */
export async function preflight(engine: Engine, io: CliIo, progress: Progress): Promise<boolean> {
  try {
    for (const w of await preflightConduct(engine)) progress.note(`warning: ${w}`);
    return true;
  } catch (e) {
    if (!(e instanceof ConductError || e instanceof WriteError)) throw e;
    io.stderr(`conductor: ${e.message}\n`);
    return false;
  }
}
