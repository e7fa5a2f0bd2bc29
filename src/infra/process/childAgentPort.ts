// Starts agents as child processes (the CLI's launcher). Each agent gets its own process group, so
// stop() reaches whatever the agent started too; its output goes to a log file and, line by line, to
// an optional listener. No shell is involved: argv is handed to spawn as given.

import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AgentExit, AgentHandle, AgentLaunch, AgentPort, Disposable } from '../../core/ports';
import { agentEnvironment } from './agentEnv';
import { processAlive } from './processAlive';

export interface ChildAgentPortOptions {
  /** Receives each complete output line (stdout and stderr), with the launch's key. */
  onOutput?: (key: string, line: string) => void;
  /** How long stop() waits after SIGTERM before SIGKILL. */
  stopGraceMs?: number;
}

/** Exit code reported when the command could not be started (as a shell does for "not found"). */
export const SPAWN_FAILED_EXIT_CODE = 127;

const DEFAULT_STOP_GRACE_MS = 2000;

/** After the agent exits, how long its output pipes may stay open (held by a leftover child). */
const OUTPUT_DRAIN_MS = 1000;

/** Ends the log (with a last message) and resolves once the file is closed, even if writing failed. */
function closeLog(log: fs.WriteStream, trailer: string | null): Promise<void> {
  return new Promise((resolve) => {
    if (log.closed || log.destroyed) {
      resolve();
      return;
    }
    log.once('close', () => resolve());
    if (trailer) log.end(trailer);
    else log.end();
  });
}

export class ChildAgentPort implements AgentPort {
  constructor(private readonly options: ChildAgentPortOptions = {}) {}

  /** Rejects only when the log file cannot be opened; a command that cannot start exits with 127. */
  async start(launch: AgentLaunch): Promise<AgentHandle> {
    await fs.promises.mkdir(path.dirname(launch.logFile), { recursive: true });
    const log = fs.createWriteStream(launch.logFile, { flags: 'a' });
    await new Promise<void>((resolve, reject) => {
      log.once('open', () => resolve());
      log.once('error', reject);
    });
    // A failing disk must not crash the engine: later write errors only lose log output.
    log.on('error', () => undefined);
    return new ChildAgentHandle(launch, log, this.options);
  }

  async stopPid(pid: number): Promise<void> {
    if (!this.isAlive(pid)) return;
    signalGroup(pid, 'SIGTERM');
    const deadline = Date.now() + (this.options.stopGraceMs ?? DEFAULT_STOP_GRACE_MS);
    while (Date.now() < deadline && this.isAlive(pid)) await new Promise((r) => setTimeout(r, 50));
    signalGroup(pid, 'SIGKILL');
  }

  isAlive(pid: number): boolean {
    return processAlive(pid);
  }
}

/** Splits a byte stream into lines, keeping a partial last line until more arrives. */
class LineSplitter {
  private pending = '';
  private readonly decoder = new TextDecoder();

  constructor(private readonly emit: (line: string) => void) {}

  push(chunk: Buffer): void {
    const text = this.pending + this.decoder.decode(chunk, { stream: true });
    const lines = text.split(/\r?\n/);
    this.pending = lines.pop() ?? '';
    for (const line of lines) this.emit(line);
  }

  end(): void {
    const rest = this.pending + this.decoder.decode();
    this.pending = '';
    if (rest !== '') this.emit(rest);
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
    private readonly log: fs.WriteStream,
    private readonly options: ChildAgentPortOptions,
  ) {
    this.key = launch.key;
    const [file, ...args] = launch.command.argv;
    const onLine = (line: string): void => {
      options.onOutput?.(launch.key, line);
      for (const l of this.listeners) l(line);
    };

    let child: ChildProcess | null = null;
    let startError: Error | null = null;
    if (file === undefined) {
      startError = new Error('the agent command is empty');
    } else {
      try {
        child = spawn(file, args, {
          cwd: launch.cwd,
          env: agentEnvironment(launch),
          detached: true,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
      } catch (e) {
        // spawn throws synchronously for bad arguments (e.g. a NUL byte); treat it like "not found".
        startError = e as Error;
      }
    }
    this.child = child;
    this.pid = child?.pid ?? null;

    if (!child || startError) {
      this.exited = this.failStart(launch, startError ?? new Error('spawn failed'), onLine);
      return;
    }

    const splitters = [child.stdout, child.stderr].map((stream) => {
      const splitter = new LineSplitter(onLine);
      stream?.on('data', (chunk: Buffer) => {
        log.write(chunk);
        splitter.push(chunk);
      });
      return splitter;
    });

    this.exited = new Promise<AgentExit>((resolve) => {
      let settled = false;
      const finish = (exit: () => AgentExit, trailer: string | null): void => {
        if (settled) return;
        settled = true;
        this.done = true;
        for (const s of splitters) s.end();
        if (trailer) onLine(trailer.trimEnd());
        closeLog(log, trailer).then(() => resolve(exit()));
      };
      child.once('error', (e) => {
        // Only a failed spawn (ENOENT, EACCES) leaves the child without a pid; it gets no 'close'.
        if (child.pid === undefined) finish(() => ({ code: SPAWN_FAILED_EXIT_CODE, signal: null, byUser: false }), startFailure(launch, e));
      });
      let drain: NodeJS.Timeout | undefined;
      child.once('exit', () => {
        // A background process the agent left behind may hold the pipes open; do not wait for it forever.
        drain = setTimeout(() => {
          child.stdout?.destroy();
          child.stderr?.destroy();
        }, OUTPUT_DRAIN_MS);
      });
      child.once('close', (code, signal) => {
        clearTimeout(drain);
        finish(() => ({ code, signal, byUser: this.byUser }), null);
      });
    });
  }

  onOutput(listener: (line: string) => void): Disposable {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  private failStart(launch: AgentLaunch, error: Error, onLine: (line: string) => void): Promise<AgentExit> {
    this.done = true;
    const message = startFailure(launch, error);
    onLine(message.trimEnd());
    return closeLog(this.log, message).then(() => ({ code: SPAWN_FAILED_EXIT_CODE, signal: null, byUser: false }));
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

function startFailure(launch: AgentLaunch, error: Error): string {
  const code = (error as NodeJS.ErrnoException).code;
  const reason = code === 'ENOENT' ? 'command not found (or the working folder does not exist)' : error.message;
  return `[conductor] could not start ${launch.command.display} in ${launch.cwd}: ${reason}\n`;
}
