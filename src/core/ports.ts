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
  branchExists(name: string): Promise<boolean>;
  /** Rejects with reason 'unmerged' when `name` has commits not in `mergedInto`, unless forced. */
  deleteBranch(name: string, options: { force: true } | { force?: false; mergedInto: string }): Promise<void>;
  /** Number of commits on `branch` that are not on `base`. */
  commitsAhead(branch: string, base: string): Promise<number>;
}
// --- end worktrees ---
