// Runs the steps of a parsed test command (see core/validate/commandLine.ts) one after the other,
// each as its own process group with an argument vector and no shell, stopping at the first step
// that fails. The whole command has one time limit; when it runs out the group is stopped.
import { spawn } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';
import type { CommandStep } from '../../core/validate/commandLine';
import { stripAnsi } from '../../core/validate/findings';

export interface CommandOutcome {
  /** Exit code of the last step run; null when it timed out, was killed or could not start. */
  exitCode: number | null;
  /** Why the command did not finish normally, in words ("timed out after 10 min"), or null. */
  failure: string | null;
  /** Combined stdout and stderr, up to OUTPUT_LIMIT characters (the start is kept for parsing). */
  output: string;
  /** The last TAIL_LINES lines of the output, colour codes removed. */
  tail: string;
  durationMs: number;
}

export interface RunOptions {
  cwd: string;
  env: Record<string, string>;
  timeoutMs: number;
}

const OUTPUT_LIMIT = 4 * 1024 * 1024;
const TAIL_CHARS = 64 * 1024;
export const TAIL_LINES = 50;
/** Time between SIGTERM and SIGKILL when stopping a timed-out group. */
const KILL_GRACE_MS = 2000;
/** How long to wait for the pipes after a step exits (a background child may hold them open). */
const DRAIN_MS = 1000;

// Variables that would point git commands inside the tests at another repository.
const REPO_LOCATING_ENV = ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_COMMON_DIR', 'GIT_OBJECT_DIRECTORY', 'GIT_PREFIX'];

/** Keeps the start of the output for parsing and its end for the tail, within fixed memory. */
class OutputBuffer {
  private head = '';
  private tailText = '';
  private dropped = 0;

  add(text: string): void {
    if (this.head.length < OUTPUT_LIMIT) {
      const room = OUTPUT_LIMIT - this.head.length;
      this.head += text.slice(0, room);
      this.dropped += Math.max(0, text.length - room);
    } else this.dropped += text.length;
    this.tailText = (this.tailText + text).slice(-TAIL_CHARS);
  }

  output(): string {
    return this.dropped > 0 ? `${this.head}\n[${this.dropped} more characters of output not kept]\n` : this.head;
  }

  tail(): string {
    const lines = stripAnsi(this.tailText).replace(/\r\n/g, '\n').replace(/\n+$/, '').split('\n');
    return lines.slice(-TAIL_LINES).join('\n');
  }
}

function describeMs(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  if (ms % 1000 === 0) return `${ms / 1000} s`;
  return `${ms} ms`;
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal); // detached: the step leads its own process group
  } catch {
    // The group is already gone.
  }
}

interface StepOutcome {
  exitCode: number | null;
  failure: string | null;
}

function runStep(step: CommandStep, opts: RunOptions, timeLeftMs: number, out: OutputBuffer): Promise<StepOutcome> {
  return new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const name of REPO_LOCATING_ENV) delete env[name];
    Object.assign(env, opts.env, step.env, { PWD: opts.cwd });
    const child = spawn(step.argv[0], step.argv.slice(1), {
      cwd: opts.cwd, env, shell: false, detached: true, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true,
    });
    let settled = false;
    let timedOut = false;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
    let killTimer: NodeJS.Timeout | undefined;
    let drainTimer: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid, 'SIGTERM');
      killTimer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), KILL_GRACE_MS);
    }, Math.max(0, timeLeftMs));
    const finish = (outcome: StepOutcome): void => {
      if (settled) return;
      settled = true;
      // Nothing the step started outlives it, not even what ignored SIGTERM.
      killGroup(child.pid, 'SIGKILL');
      clearTimeout(timer);
      clearTimeout(killTimer);
      clearTimeout(drainTimer);
      resolve(outcome);
    };

    for (const stream of [child.stdout, child.stderr]) {
      const decoder = new StringDecoder('utf8');
      stream.on('data', (chunk: Buffer) => out.add(decoder.write(chunk)));
      stream.on('end', () => out.add(decoder.end()));
    }
    child.on('error', (e: NodeJS.ErrnoException) => {
      const name = JSON.stringify(step.argv[0]);
      const why = e.code === 'ENOENT'
        ? `${name} was not found on the PATH (run project tools through npx or an npm script)`
        : e.code === 'EACCES' ? `${name} is not executable` : `${name} could not be started: ${e.message}`;
      out.add(`${why}\n`);
      finish({ exitCode: null, failure: why });
    });
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      // Whatever the step left running in its group is stopped, so the pipes close.
      killGroup(child.pid, 'SIGTERM');
      drainTimer = setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        finish(outcomeOf(exit, timedOut, opts.timeoutMs));
      }, DRAIN_MS);
    });
    child.on('close', (code, signal) => finish(outcomeOf(exit ?? { code, signal }, timedOut, opts.timeoutMs)));
  });
}

/** `limitMs` is the whole command's limit: that is the one to name when a later step runs out of it. */
function outcomeOf(exit: { code: number | null; signal: NodeJS.Signals | null } | null, timedOut: boolean, limitMs: number): StepOutcome {
  if (timedOut) return { exitCode: null, failure: `timed out after ${describeMs(limitMs)} and was stopped` };
  if (exit?.signal) return { exitCode: null, failure: `was killed by ${exit.signal}` };
  return { exitCode: exit?.code ?? null, failure: null };
}

/** Runs the steps in order; a step runs only when the one before it exited with 0. */
export async function runCommandSteps(steps: readonly CommandStep[], opts: RunOptions): Promise<CommandOutcome> {
  const out = new OutputBuffer();
  const started = Date.now();
  let last: StepOutcome = { exitCode: 0, failure: null };
  for (const step of steps) {
    const left = opts.timeoutMs - (Date.now() - started);
    if (steps.length > 1) out.add(`$ ${step.argv.join(' ')}\n`);
    last = left <= 0
      ? { exitCode: null, failure: `timed out after ${describeMs(opts.timeoutMs)} and was stopped` }
      : await runStep(step, opts, left, out);
    if (last.exitCode !== 0) break;
  }
  return { exitCode: last.exitCode, failure: last.failure, output: out.output(), tail: out.tail(), durationMs: Date.now() - started };
}
