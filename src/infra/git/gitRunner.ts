// Runs git as a child process with an argument array (never a shell), in a fixed locale so that
// error messages can be classified, and without ever prompting for credentials.
import { spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import type { GitFailureReason } from '../../core/ports';
import { spawnGitLines, type GitLines } from './gitLines';

export type { GitFailureReason } from '../../core/ports';

export interface GitResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface RunGitOptions {
  /** Exit codes other than 0 that are an answer rather than a failure (e.g. 1 for `show-ref --verify`). */
  allowExitCodes?: readonly number[];
  /** Prepends `--no-optional-locks`, so polling never takes the index.lock an agent may need. */
  readOnly?: boolean;
  /** Written to git's standard input (e.g. `merge-tree --stdin`); stdin is closed either way. */
  input?: string | Buffer;
  /** Extra environment variables, on top of the sanitised process environment. */
  env?: Record<string, string>;
  /** Kills git after this many milliseconds and fails with reason 'timeout'. */
  timeoutMs?: number;
  /** The git executable (e.g. VS Code's `git.path` setting); "git" on the PATH by default. */
  gitPath?: string;
}

export interface GitVersion {
  major: number;
  minor: number;
  patch: number;
}

export class GitError extends Error {
  override readonly name = 'GitError';
  constructor(
    message: string,
    readonly reason: GitFailureReason,
    readonly args: readonly string[],
    readonly exitCode: number | null,
    readonly stderr: string,
    readonly cwd: string,
  ) {
    super(message);
  }
}

// Variables that would point git at another repository than the `cwd` we pass (they are set, for
// example, when this code runs inside a git hook).
const REPO_LOCATING_ENV = [
  'GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_COMMON_DIR', 'GIT_OBJECT_DIRECTORY',
  'GIT_ALTERNATE_OBJECT_DIRECTORIES', 'GIT_NAMESPACE', 'GIT_PREFIX', 'GIT_CEILING_DIRECTORIES',
];

export function gitEnv(extra: Record<string, string> | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of REPO_LOCATING_ENV) delete env[name];
  return { ...env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C', LANGUAGE: 'C', ...extra };
}

// Ordered: the first matching pattern wins, so more specific messages come first.
const REASONS: readonly [RegExp, GitFailureReason][] = [
  [/not a git repository/i, 'not-a-repository'],
  [/is already (checked out|used by worktree) at/i, 'checked-out'],
  [/a branch named .* already exists|cannot lock ref .*exists; cannot create|reference already exists/i, 'ref-exists'],
  [/is not a valid branch name|is not a valid ref name|not a valid reference name/i, 'invalid-name'],
  [/contains modified or untracked files|local changes .* would be overwritten|untracked working tree files? .*would be (overwritten|removed)/i, 'dirty'],
  [/is not fully merged/i, 'unmerged'],
  [/\bCONFLICT\b|merge conflict|needs merge|unmerged files|you have unmerged paths/i, 'conflict'],
  [/cannot lock ref .*: is at \w+ but expected/i, 'conflict'],
  [/\.lock'?: File exists|another git process seems to be running|is locked|locked working tree|cannot lock ref|unable to create .*\.lock/i, 'locked'],
  [/already exists/i, 'path-exists'],
  [/not a valid object name|unknown revision|bad revision|invalid reference|needed a single revision|does not exist|is not a working tree|no such (ref|branch|file)|not found|did not match any/i, 'not-found'],
];

export function classifyGitError(stderr: string): GitFailureReason {
  for (const [pattern, reason] of REASONS) if (pattern.test(stderr)) return reason;
  return 'failed';
}

/** Last stderr lines, without hints and git's "fatal:"/"error:" prefixes: the part worth showing. */
function summary(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('hint:'));
  return lines.slice(-3).map((l) => l.replace(/^(fatal|error): /, '')).join('; ');
}

export function runGit(cwd: string, args: readonly string[], opts: RunGitOptions = {}): Promise<GitResult> {
  const fullArgs = opts.readOnly ? ['--no-optional-locks', ...args] : [...args];
  return new Promise<GitResult>((resolve, reject) => {
    const child = spawn(opts.gitPath ?? 'git', fullArgs, {
      cwd,
      env: gitEnv(opts.env),
      stdio: ['pipe', 'pipe', 'pipe'],
      windowsHide: true,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let settled = false;
    // Settles at once rather than on 'close': a process git started may keep the pipes open.
    const timer = opts.timeoutMs === undefined ? undefined : setTimeout(() => {
      settled = true;
      child.kill('SIGTERM');
      child.stdout.destroy();
      child.stderr.destroy();
      const stderr = Buffer.concat(err).toString('utf8');
      reject(new GitError(`git ${args.join(' ')} timed out after ${opts.timeoutMs} ms`, 'timeout', fullArgs, null, stderr, cwd));
    }, opts.timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    // git may exit before reading its input (e.g. on a bad argument); that is reported via the exit code.
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.input ?? '');
    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (settled) return;
      settled = true;
      void spawnError(cwd, fullArgs, e).then(reject);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (settled) return;
      settled = true;
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = Buffer.concat(err).toString('utf8');
      const exitCode = code ?? -1;
      if (exitCode === 0 || opts.allowExitCodes?.includes(exitCode)) {
        resolve({ stdout, stderr, exitCode });
      } else {
        const why = summary(stderr) || (signal ? `killed by ${signal}` : `exit code ${exitCode}`);
        reject(new GitError(`git ${args.join(' ')} failed in ${cwd}: ${why}`, classifyGitError(stderr), fullArgs, exitCode, stderr, cwd));
      }
    });
  });
}

// Node reports a missing cwd as "spawn git ENOENT", the same as a missing git; tell them apart.
export async function spawnError(cwd: string, args: readonly string[], e: NodeJS.ErrnoException): Promise<GitError> {
  if (e.code === 'ENOENT') {
    const cwdExists = await stat(cwd).then((s) => s.isDirectory(), () => false);
    if (!cwdExists) return new GitError(`folder ${cwd} does not exist`, 'not-found', args, null, '', cwd);
    return new GitError('git was not found on the PATH', 'git-missing', args, null, '', cwd);
  }
  return new GitError(`could not start git: ${e.message}`, 'failed', args, null, '', cwd);
}

export function parseGitVersion(text: string): GitVersion | null {
  const m = /git version (\d+)\.(\d+)(?:\.(\d+))?/.exec(text);
  return m ? { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3] ?? 0) } : null;
}

export function versionAtLeast(v: GitVersion, major: number, minor: number, patch = 0): boolean {
  if (v.major !== major) return v.major > major;
  if (v.minor !== minor) return v.minor > minor;
  return v.patch >= patch;
}

/** What the git adapters need from a runner; tests may wrap a GitRunner to inject failures. */
export interface GitExec {
  run(cwd: string, args: readonly string[], opts?: RunGitOptions): Promise<GitResult>;
  gitVersion(): Promise<GitVersion>;
  /** A long-lived git process fed line by line; a runner without it gets a process per request. */
  spawnLines?(cwd: string, args: readonly string[], opts?: { env?: Record<string, string> }): GitLines;
}

/** A git runner with per-instance caches (the version), so tests and workspaces don't share state. */
export class GitRunner implements GitExec {
  private versionPromise: Promise<GitVersion> | undefined;

  constructor(private readonly gitPath?: string) {}

  run(cwd: string, args: readonly string[], opts?: RunGitOptions): Promise<GitResult> {
    return runGit(cwd, args, this.gitPath === undefined ? opts : { gitPath: this.gitPath, ...opts });
  }

  spawnLines(cwd: string, args: readonly string[], opts: { env?: Record<string, string> } = {}): GitLines {
    return spawnGitLines(cwd, args, { gitPath: this.gitPath, ...opts });
  }

  /** The installed git's version, asked once per instance. */
  gitVersion(): Promise<GitVersion> {
    this.versionPromise ??= this.run(process.cwd(), ['--version']).then((r) => {
      const v = parseGitVersion(r.stdout);
      if (!v) throw new GitError(`cannot read git's version from "${r.stdout.trim()}"`, 'failed', ['--version'], 0, r.stderr, process.cwd());
      return v;
    });
    // A failed probe (e.g. git not installed yet) should not be remembered forever.
    this.versionPromise.catch(() => { this.versionPromise = undefined; });
    return this.versionPromise;
  }
}
