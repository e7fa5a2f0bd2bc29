// A long-lived git process spoken to line by line (`update-ref --stdin`, `hash-object --stdin-paths`):
// one process for a whole merge instead of one per module. Requests run one at a time, in order.
import { spawn } from 'node:child_process';
import { classifyGitError, gitEnv, GitError, spawnError } from './gitRunner';

export interface GitLines {
  /** Writes `input`, resolves with the next `lines` lines git prints; rejects if git exits first. */
  request(input: string, lines: number): Promise<string[]>;
  /** Ends git's input and waits for it to exit; rejects when it failed. */
  close(): Promise<void>;
}

export function spawnGitLines(cwd: string, args: readonly string[], opts: { gitPath?: string; env?: Record<string, string> } = {}): GitLines {
  const child = spawn(opts.gitPath ?? 'git', args, { cwd, env: gitEnv(opts.env), stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
  const err: Buffer[] = [];
  const ready: string[] = [];
  let partial = '';
  let waiting: { n: number; resolve: (lines: string[]) => void; reject: (e: Error) => void } | null = null;
  let failure: Error | null = null;
  let queue: Promise<unknown> = Promise.resolve();
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));

  const pump = (): void => {
    if (waiting && ready.length >= waiting.n) {
      const w = waiting;
      waiting = null;
      w.resolve(ready.splice(0, w.n));
    } else if (waiting && failure) {
      const w = waiting;
      waiting = null;
      w.reject(failure);
    }
  };
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop() ?? '';
    ready.push(...parts);
    pump();
  });
  child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
  // A write after git died is reported by the exit, below.
  child.stdin.on('error', () => undefined);
  child.on('error', (e: NodeJS.ErrnoException) => {
    void spawnError(cwd, args, e).then((g) => {
      failure ??= g;
      pump();
    });
  });
  child.on('close', (code, signal) => {
    const stderr = Buffer.concat(err).toString('utf8');
    const why = stderr.trim().split('\n').slice(-1)[0]?.replace(/^(fatal|error): /, '') || (signal ? `killed by ${signal}` : `exit code ${code}`);
    failure ??= code === 0 ? new GitError(`git ${args[0]} ended early`, 'failed', args, code, stderr, cwd) : new GitError(`git ${args.join(' ')} failed in ${cwd}: ${why}`, classifyGitError(stderr), args, code, stderr, cwd);
    pump();
  });

  return {
    request(input, lines) {
      const run = queue.then(
        () =>
          new Promise<string[]>((resolve, reject) => {
            if (failure) return reject(failure);
            waiting = { n: lines, resolve, reject };
            child.stdin.write(input);
            pump();
          }),
      );
      queue = run.catch(() => undefined);
      return run;
    },
    async close() {
      await queue;
      child.stdin.end();
      await exited;
      if (child.exitCode !== 0) throw failure ?? new GitError(`git ${args[0]} failed`, 'failed', args, child.exitCode, '', cwd);
    },
  };
}
