// Starts agents as child processes (the CLI's launcher). Each agent leads its own process group
// (session), so stop(), a timeout and its own exit reach whatever it started too. Its output goes
// straight into its log file — never through a pipe the engine must keep open, so an agent that
// prints survives the engine's crash and can be adopted by the next run — and is read back from
// that file, line by line, for listeners. No shell is involved: argv is handed to spawn as given.

import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AgentExit, AgentHandle, AgentLaunch, AgentPort, Disposable } from '../../core/ports';
import { agentEnvironment } from './agentEnv';
import { LogTail } from './logTail';
import { findLaunched } from './findLaunched';
import { processAlive } from './processAlive';
import { processStartTime, sameProcessAlive } from './processIdentity';

export interface ChildAgentPortOptions {
  /** Receives each complete output line (stdout and stderr), with the launch's key. */
  onOutput?: (key: string, line: string) => void;
  /** How long stop() waits after SIGTERM before SIGKILL. */
  stopGraceMs?: number;
}

/** Exit code reported when the command could not be started (as a shell does for "not found"). */
export const SPAWN_FAILED_EXIT_CODE = 127;

const DEFAULT_STOP_GRACE_MS = 2000;

export class ChildAgentPort implements AgentPort {
  constructor(private readonly options: ChildAgentPortOptions = {}) {}

  /** Rejects only when the log file cannot be opened; a command that cannot start exits with 127. */
  async start(launch: AgentLaunch): Promise<AgentHandle> {
    await fs.promises.mkdir(path.dirname(launch.logFile), { recursive: true });
    const fd = fs.openSync(launch.logFile, 'a');
    const offset = fs.fstatSync(fd).size;
    try {
      return new ChildAgentHandle(launch, fd, offset, this.options);
    } finally {
      // The child holds its own copy of the descriptor; the engine writes only through appendFileSync.
      fs.closeSync(fd);
    }
  }

  async stopPid(pid: number): Promise<void> {
    if (!processAlive(pid)) return;
    signalGroup(pid, 'SIGTERM');
    const deadline = Date.now() + (this.options.stopGraceMs ?? DEFAULT_STOP_GRACE_MS);
    while (Date.now() < deadline && processAlive(pid)) await new Promise((r) => setTimeout(r, 50));
    signalGroup(pid, 'SIGKILL');
  }

  isAlive(pid: number, startTime?: string | null): boolean {
    return sameProcessAlive(pid, startTime);
  }

  startTimeOf(pid: number): string | null {
    return processStartTime(pid);
  }

  async findLaunched(launchId: string): Promise<number | null> {
    const found = await findLaunched(launchId);
    return found.find((p) => p.leader)?.pid ?? null;
  }
}

class ChildAgentHandle implements AgentHandle {
  readonly key: string;
  readonly pid: number | null;
  readonly exited: Promise<AgentExit>;
  private byUser = false;
  private done = false;
  private readonly child: ChildProcess | null;
  private readonly listeners = new Set<(line: string) => void>();

  constructor(
    launch: AgentLaunch,
    fd: number,
    offset: number,
    private readonly options: ChildAgentPortOptions,
  ) {
    this.key = launch.key;
    const [file, ...args] = launch.command.argv;
    const onLine = (line: string): void => {
      options.onOutput?.(launch.key, line);
      for (const l of this.listeners) l(line);
    };
    const tail = new LogTail(launch.logFile, offset, onLine);

    let child: ChildProcess | null = null;
    let startError: Error | null = null;
    if (file === undefined) {
      startError = new Error('the agent command is empty');
    } else {
      try {
        child = spawn(file, args, { cwd: launch.cwd, env: agentEnvironment(launch), detached: true, stdio: ['ignore', fd, fd] });
      } catch (e) {
        // spawn throws synchronously for bad arguments (e.g. a NUL byte); treat it like "not found".
        startError = e as Error;
      }
    }
    this.child = child;
    this.pid = child?.pid ?? null;

    if (!child || startError) {
      this.done = true;
      this.exited = this.finishWith(launch, tail, { code: SPAWN_FAILED_EXIT_CODE, signal: null, byUser: false }, startFailure(launch, startError ?? new Error('spawn failed')));
      return;
    }
    tail.start();
    this.exited = new Promise<AgentExit>((resolve) => {
      let settled = false;
      child.once('error', (e) => {
        // Only a failed spawn (ENOENT, EACCES) leaves the child without a pid; it gets no 'exit'.
        if (child.pid !== undefined || settled) return;
        settled = true;
        this.done = true;
        void this.finishWith(launch, tail, { code: SPAWN_FAILED_EXIT_CODE, signal: null, byUser: false }, startFailure(launch, e)).then(resolve);
      });
      child.once('exit', (code, signal) => {
        if (settled) return;
        settled = true;
        this.done = true;
        // Whatever it left running in its group (a background build, a watcher) ends with it.
        this.endGroup();
        void this.finishWith(launch, tail, { code, signal, byUser: this.byUser }, null).then(resolve);
      });
    });
  }

  onOutput(listener: (line: string) => void): Disposable {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  async stop(): Promise<void> {
    if (this.done || !this.child || this.pid === null) {
      await this.exited;
      return;
    }
    this.byUser = true;
    this.signalGroup('SIGTERM');
    const grace = this.options.stopGraceMs ?? DEFAULT_STOP_GRACE_MS;
    let timer: NodeJS.Timeout | undefined;
    const killed = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.signalGroup('SIGKILL');
        resolve();
      }, grace);
    });
    await Promise.race([this.exited.then(() => undefined), killed]);
    clearTimeout(timer);
    // The leader may have exited on SIGTERM while children in its group ignored it.
    this.signalGroup('SIGKILL');
    await this.exited;
  }

  /** After the leader's exit: SIGTERM the rest of its group, SIGKILL what is left after the grace. */
  private endGroup(): void {
    if (this.pid === null) return;
    const pid = this.pid;
    if (!groupAlive(pid)) return;
    signalGroup(pid, 'SIGTERM');
    const timer = setTimeout(() => signalGroup(pid, 'SIGKILL'), this.options.stopGraceMs ?? DEFAULT_STOP_GRACE_MS);
    timer.unref?.();
  }

  private async finishWith(launch: AgentLaunch, tail: LogTail, exit: AgentExit, trailer: string | null): Promise<AgentExit> {
    if (trailer) {
      try {
        fs.appendFileSync(launch.logFile, trailer);
      } catch {
        // A failing disk only loses the note; the exit is still reported.
      }
    }
    await tail.stop();
    return exit;
  }

  private signalGroup(signal: NodeJS.Signals): void {
    if (this.pid !== null) signalGroup(this.pid, signal);
  }
}

/** A negative pid signals the whole process group (detached: the agent leads its own group). */
function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
  }
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function startFailure(launch: AgentLaunch, error: Error): string {
  const code = (error as NodeJS.ErrnoException).code;
  const reason = code === 'ENOENT' ? 'command not found (or the working folder does not exist)' : error.message;
  return `[conductor] could not start ${launch.command.display} in ${launch.cwd}: ${reason}\n`;
}
