// Interfaces the pure core needs from the outside world. Adapters live in src/infra (Node) and
// src/vscode (the editor); core code only ever sees these shapes.

/** Reads the workspace's spec files. Paths are relative to the workspace root, with forward slashes. */
export interface SpecSource {
  /** The plan file's text, or null when it does not exist. */
  readText(relativePath: string): Promise<string | null>;
  /** Relative paths of files matching any of the globs, sorted. */
  findFiles(globs: readonly string[]): Promise<string[]>;
}

// --- worktrees ---
// One git worktree per module. Implemented by src/infra/git/worktrees.ts (class Worktrees).

/** Why a git operation failed; errors thrown by a WorktreePort carry it as `reason`. */
export type GitFailureReason =
  | 'not-a-repository'
  | 'conflict'
  | 'locked'
  | 'ref-exists'
  | 'not-found'
  | 'path-exists'
  | 'checked-out'
  | 'invalid-name'
  | 'invalid-request'
  | 'dirty'
  | 'unmerged'
  | 'timeout'
  | 'git-missing'
  | 'failed';

export interface WorktreeInfo {
  /** Absolute path, as git records it. */
  path: string;
  /** Commit id checked out, or null for a bare entry or an unborn branch. */
  head: string | null;
  /** Short branch name (without refs/heads/), or null when detached or bare. */
  branch: string | null;
  bare: boolean;
  detached: boolean;
  locked: boolean;
  lockReason?: string;
  /** Registered, but its folder is gone (`git worktree prune` would drop it). */
  prunable: boolean;
  prunableReason?: string;
}

export interface WorktreeRequest {
  /** Local branch name, e.g. `conductor/<phase-slug>/<module>`. */
  branch: string;
  /** Folder of the worktree; relative paths are taken from the repository root. */
  path: string;
  /** Commit-ish the branch starts from when this call creates it. */
  startPoint: string;
}

/**
 * created: new branch and worktree; attached: the branch already existed (kept as it was) and got a
 * worktree; reused: that worktree of that branch already existed; failed: nothing was left behind.
 */
export type EnsureResult =
  | { request: WorktreeRequest; status: 'created' | 'attached' | 'reused'; path: string; head: string }
  | { request: WorktreeRequest; status: 'failed'; reason: GitFailureReason; message: string };

export interface WorktreePort {
  list(): Promise<WorktreeInfo[]>;
  /** Idempotent; one result per request, in order. Never throws for a single request's failure. */
  ensure(requests: readonly WorktreeRequest[], options?: { concurrency?: number }): Promise<EnsureResult[]>;
  /** Rejects with reason 'dirty' when the worktree has changes or untracked files, unless forced. */
  remove(path: string, options?: { force?: boolean }): Promise<void>;
  /** Uncommitted changes, including untracked (not ignored) files. */
  isDirty(path: string): Promise<boolean>;
  /** Commit id of the worktree's HEAD. */
  headOf(path: string): Promise<string>;
  /**
   * What the worktree at `path` has checked out (its HEAD commit, and its branch unless detached),
   * read from that worktree alone; null when `path` is not a worktree of this repository.
   */
  checkedOut(path: string): Promise<{ head: string | null; branch: string | null } | null>;
  branchExists(name: string): Promise<boolean>;
  /** Rejects with reason 'unmerged' when `name` has commits not in `mergedInto`, unless forced. */
  deleteBranch(name: string, options: { force: true } | { force?: false; mergedInto: string }): Promise<void>;
  /** Number of commits on `branch` that are not on `base`. */
  commitsAhead(branch: string, base: string): Promise<number>;
}
// --- end worktrees ---

// --- agents ---
// How an agent process is started and followed. The CLI starts child processes that log to a file;
// the extension starts them in VS Code terminals. Exit codes and liveness come back the same way.

/** What to run: an argument vector, never a shell string built from spec text. */
export interface AgentCommand {
  /** Executable and arguments. A preset may run `/bin/sh -c <fixed script>` that reads the prompt
   * from `$CONDUCTOR_PROMPT_FILE`; spec text never appears in the script itself. */
  argv: string[];
  /** Human-readable form for logs and previews. */
  display: string;
}

export interface AgentLaunch {
  /** `<phase-slug>/<module>`: unique within a run. */
  key: string;
  /** Display name, e.g. the terminal's title. */
  name: string;
  command: AgentCommand;
  cwd: string;
  /** Added to the inherited environment: the CONDUCTOR_* variables. */
  env: Record<string, string>;
  /** Folders put before the inherited PATH (the one holding `conductor-hook`). */
  pathPrepend: string[];
  /** Where the CLI's launcher writes the process output (the terminal launcher may ignore it). */
  logFile: string;
}

export interface AgentExit {
  /** Exit code, or null when killed by a signal or the exit is unknown (e.g. a terminal closed by the user). */
  code: number | null;
  signal: string | null;
  /** The user stopped it (closed the terminal, ran Stop Agent). */
  byUser: boolean;
}

export interface AgentHandle {
  readonly key: string;
  readonly pid: number | null;
  /** Resolves once when the process ends. */
  readonly exited: Promise<AgentExit>;
  /** Asks the process (group) to stop; resolves when it has exited. */
  stop(): Promise<void>;
  /** Each complete output line, where the launcher sees the output (not in a terminal). */
  onOutput?(listener: (line: string) => void): Disposable;
}

export interface AgentPort {
  start(launch: AgentLaunch): Promise<AgentHandle>;
  /**
   * Whether a process id from an earlier run is still alive (for resuming after a restart) and, when
   * its start time was recorded, still the same process (pids are reused).
   */
  isAlive(pid: number, startTime?: string | null): boolean;
  /** The process's start time, to tell it from a later process that gets the same pid. */
  startTimeOf(pid: number): string | null;
  /** The agent started with this launch id (CONDUCTOR_LAUNCH_ID), found by its environment; null if none. */
  findLaunched(launchId: string): Promise<number | null>;
  /** Stops the process group of an agent started by an earlier run (no handle survives a restart). */
  stopPid(pid: number): Promise<void>;
}
// --- end agents ---

// --- conducting ---
// What the phase runner needs besides worktrees and agents. Paths are absolute.

/** Facts about, and safe operations on, the user's repository. Nothing here touches the user's
 * HEAD, index or working tree. */
export interface RepoPort {
  readonly root: string;
  /** Commit id of the user's HEAD. */
  head(): Promise<string>;
  /** Files with uncommitted changes in the user's checkout (untracked included), read without locks. */
  changedFiles(): Promise<string[]>;
  /** A commit id for a revision (branch, commit). */
  resolve(rev: string): Promise<string>;
  /** Adds a pattern to `.git/info/exclude` (never to a tracked file), once. */
  excludeLocally(pattern: string): Promise<void>;
  /** A commit that merges `branches` onto `base`, made without any worktree or ref (a scratch commit). */
  mergeCommits(
    base: string,
    branches: readonly string[],
    message: string,
    options?: { noFastForward?: boolean },
  ): Promise<{ commit: string } | { conflicts: string[] }>;
  commitsAhead(rev: string, base: string): Promise<number>;
  /** The commit of each given local branch that exists (one read for all), by branch name. */
  branchTips(branches: readonly string[]): Promise<Map<string, string>>;
  /**
   * What an agent in `worktree` needs to know about git: the worktree's own git folder and the
   * repository's common one (sandboxed CLIs must be allowed to write there to commit), and the
   * user's identity as GIT_AUTHOR_ and GIT_COMMITTER_ variables (some CLIs hide the user's git config).
   */
  agentGitContext(worktree: string): Promise<AgentGitContext>;
}

export interface AgentGitContext {
  gitDir: string;
  commonDir: string;
  /** GIT_AUTHOR_NAME, GIT_AUTHOR_EMAIL, GIT_COMMITTER_NAME, GIT_COMMITTER_EMAIL as configured; empty when unset. */
  identity: Record<string, string>;
}

export interface FilesPort {
  write(path: string, text: string, options?: { mode?: number }): Promise<void>;
  read(path: string): Promise<string | null>;
  /** Appends `text` in one write (O_APPEND: lines of concurrent writers never interleave); never through a symlink. */
  append(path: string, text: string): Promise<void>;
  exists(path: string): Promise<boolean>;
  /** Copies when the source exists and the target does not; true when it copied. */
  copyIfMissing(from: string, to: string): Promise<boolean>;
  /** Creates a folder (and its parents) unless it exists. */
  ensureDir(path: string): Promise<void>;
  /** The path with every symbolic link followed, or null when it does not exist. */
  realPath(path: string): Promise<string | null>;
}

/** Runs the user's own setup command (from settings, never from a spec) in a fresh worktree. */
export interface SetupPort {
  run(command: string, cwd: string, env: Record<string, string>, logFile: string): Promise<{ code: number | null }>;
}

export interface Disposable {
  dispose(): void;
}

export interface StatusFeed {
  onEvent(listener: (event: import('./status/statusLine').StatusEvent) => void): Disposable;
  onProblem(listener: (problem: import('./model').Problem) => void): Disposable;
  start(): Promise<void>;
  dispose(): Promise<void>;
}

/** Who holds a phase's lock (conducting or merging it). */
export interface LockOwner {
  pid: number;
  /** What it is doing, e.g. `conductor conduct 2` or `VS Code: Conduct Phase`. */
  command: string;
  /** ISO time it took the lock. */
  since: string;
  host: string;
}

export interface HeldLock {
  release(): Promise<void>;
}

/**
 * One lock per repository and phase, held by whoever conducts or merges it (the CLI or the
 * extension). Taken atomically; a lock whose owner is dead is stale and taken over.
 */
export interface LockPort {
  acquire(phaseSlug: string, command: string): Promise<{ lock: HeldLock } | { heldBy: LockOwner }>;
  /** The owner as a user reads it: command, pid, host when it is another, since when. */
  describe(owner: LockOwner): string;
}

/** Per-attempt tokens: random, and hashed for keeping. */
export interface Secrets {
  newToken(): string;
  hash(token: string): string;
}

export interface StateStore {
  load(): Promise<{ state: import('./run/model').RunStateFile; note: string | null }>;
  save(state: import('./run/model').RunStateFile): Promise<void>;
  /** Writes one phase's record over what is on disk now: another process may be conducting another phase. */
  savePhase(run: import('./run/model').PhaseRun): Promise<void>;
}
/**
 * `--validate-waves`: merges some modules of a phase afresh from the phase's base, on a scratch
 * integration branch of its own, and runs the phase's checks there (never its tests).
 */
export interface WaveCheckPort {
  check(phase: import('./model').PlannedPhase, run: import('./run/model').PhaseRun, modules: readonly string[]): Promise<import('./planRun/outcome').MergeOutcome>;
  /** Removes the scratch worktree and branch: the phase's run is over. */
  dispose(run: import('./run/model').PhaseRun): Promise<void>;
}
// --- end conducting ---
