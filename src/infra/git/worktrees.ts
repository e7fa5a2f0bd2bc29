// Safe, idempotent management of one git worktree per module.
//
// Concurrent `git worktree add` processes race on the registry in .git/worktrees (one reads a
// sibling's half-written `commondir` and fails, leaving its new branch behind). So registry changes
// (add, remove, prune) run one at a time, behind a per-instance queue, and only the slow part,
// filling each new worktree's files, runs in parallel — each worktree's as soon as it is registered,
// beside the registrations still to come. Every request that fails is rolled back to
// exactly what existed before the call: no orphan branch, no stray registration, no user file lost.
import path from 'node:path';
import { stat } from 'node:fs/promises';
import type { EnsureResult, GitFailureReason, WorktreeInfo, WorktreePort, WorktreeRequest } from '../../core/ports';
import { GitError, versionAtLeast, type GitExec } from './gitRunner';
import { branchNameError } from './refFormat';
import { canonicalPath, findByPath, occupiedBy, parseWorktreeList } from './worktreeList';

export { parseWorktreeList } from './worktreeList';

export interface EnsureOptions {
  /** How many worktrees are filled at once (default 4). Registry changes are always serial. */
  concurrency?: number;
  /**
   * false: register new worktrees without filling them (no index, no files) and leave reused ones
   * as they are; the caller fills them later with `populate` (e.g. once, at the commit it wants).
   */
  checkout?: boolean;
}

export type DeleteBranchOptions = { force: true } | { force?: false; mergedInto: string };

type Valid = { index: number; request: WorktreeRequest; path: string };
type Fail = (index: number, reason: GitFailureReason, message: string) => void;

/** What the serial phase of ensure reads once: registrations, their real paths, existing branches. */
type RegistryState = {
  worktrees: WorktreeInfo[];
  canonical: string[];
  heads: Map<string, string>;
  starts: Map<string, Promise<string | null>>;
};

type Prepared = {
  index: number;
  request: WorktreeRequest;
  path: string;
  status: 'created' | 'attached' | 'reused';
  head: string;
};

// After `worktree add --no-checkout` the index is empty. A one-tree `read-tree -m -u` fills index and
// files in one step (as fast as `reset --hard` here), honours sparse-checkout, and, unlike
// `reset --hard`, refuses to overwrite files it does not know, which matters when finishing a
// worktree that a crash left half made.
const POPULATE = ['read-tree', '-m', '-u', 'HEAD'];

export class Worktrees implements WorktreePort {
  private readonly root: string;
  private queue: Promise<unknown> = Promise.resolve();
  private common: Promise<string> | null = null;

  constructor(repoRoot: string, private readonly git: GitExec) {
    this.root = path.resolve(repoRoot);
  }

  list(): Promise<WorktreeInfo[]> {
    return this.exclusive(() => this.listNow());
  }

  async ensure(requests: readonly WorktreeRequest[], options: EnsureOptions = {}): Promise<EnsureResult[]> {
    const results: EnsureResult[] = new Array(requests.length);
    const fail: Fail = (i, reason, message) => {
      results[i] = { request: requests[i], status: 'failed', reason, message };
    };
    const valid = this.validate(requests, fail);
    if (valid.length === 0) return results;

    if (options.checkout === false) {
      // Registered only (a path or branch in the way fails now); filled later, once, by populate().
      const record = (p: Prepared): void => {
        results[p.index] = { request: p.request, status: p.status, path: p.path, head: p.head };
      };
      await this.exclusive(() => this.register(valid, fail, record));
      return results;
    }
    // Each worktree is filled as soon as it is registered, while the next registrations go on.
    const fill = limiter(Math.max(1, options.concurrency ?? 4));
    const filling: Promise<void>[] = [];
    await this.exclusive(() => this.register(valid, fail, (p) => filling.push(fill(() => this.fillPrepared(p, results, fail)))));
    await Promise.all(filling);
    return results;
  }

  /** Fills a worktree registered without a checkout (index and files) from its HEAD, in one process. */
  async populate(worktreePath: string, commit = 'HEAD'): Promise<void> {
    await this.git.run(path.resolve(this.root, worktreePath), [...POPULATE.slice(0, -1), commit]);
  }

  /**
   * Moves a filled worktree's index and files from commit `from` (what they hold) to `to`, rewriting
   * only the files that differ: a two-tree `read-tree -m -u`, which refuses to lose local changes.
   */
  async advance(worktreePath: string, from: string, to: string): Promise<void> {
    if (from !== to) await this.git.run(path.resolve(this.root, worktreePath), ['read-tree', '-m', '-u', from, to]);
  }

  /** Fills a prepared worktree's index and files; on failure rolls back what ensure() made. */
  private async fillPrepared(p: Prepared, results: EnsureResult[], fail: Fail): Promise<void> {
    try {
      if (p.status !== 'reused' || (await this.needsPopulate(p.path))) {
        await this.git.run(p.path, POPULATE);
      }
      results[p.index] = { request: p.request, status: p.status, path: p.path, head: p.head };
    } catch (e) {
      const undo = p.status === 'reused' ? '' : await this.exclusive(() =>
        this.rollback(p.path, p.request.branch, p.status === 'created' ? p.head : null));
      fail(p.index, reasonOf(e), `could not check out ${p.request.branch} in ${p.path}: ${messageOf(e)}${undo}`);
    }
  }

  async remove(worktreePath: string, options: { force?: boolean } = {}): Promise<void> {
    const abs = path.resolve(this.root, worktreePath);
    await this.exclusive(async () => {
      const all = await this.listNow();
      const entry = await findByPath(all, abs);
      const args = ['worktree', 'remove', ...(options.force ? ['--force'] : []), '--', abs];
      if (!entry) throw refusal('not-found', `${abs} is not a worktree of ${this.root}`, args);
      if (entry === all[0]) throw refusal('invalid-request', `${abs} is the main worktree; it cannot be removed`, args);
      if (entry.locked) {
        throw refusal('locked', `the worktree ${abs} is locked${entry.lockReason ? ` (${entry.lockReason})` : ''}; run git worktree unlock first`, args);
      }
      if (entry.prunable) {
        // Its folder is already gone: only the registration is left.
        await this.git.run(this.root, ['worktree', 'prune']);
        return;
      }
      if (!options.force && (await this.isDirty(abs))) {
        throw refusal('dirty', `the worktree ${abs} has uncommitted changes or untracked files; commit them or remove with force`, args);
      }
      await this.git.run(this.root, args);
    });
  }

  async isDirty(worktreePath: string): Promise<boolean> {
    const cwd = path.resolve(this.root, worktreePath);
    const r = await this.git.run(cwd, ['status', '--porcelain', '-z', '--untracked-files=normal'], { readOnly: true });
    return r.stdout.length > 0;
  }

  async headOf(worktreePath: string): Promise<string> {
    const cwd = path.resolve(this.root, worktreePath);
    const r = await this.git.run(cwd, ['rev-parse', '--verify', 'HEAD'], { readOnly: true });
    return r.stdout.trim();
  }

  async checkedOut(worktreePath: string): Promise<{ head: string | null; branch: string | null } | null> {
    const cwd = path.resolve(this.root, worktreePath);
    // One process, O(1) in the number of worktrees (a `worktree list` reads every one of them).
    const args = ['rev-parse', '--path-format=absolute', '--show-toplevel', '--git-common-dir', 'HEAD', '--symbolic-full-name', 'HEAD'];
    const r = await this.git.run(cwd, args, { readOnly: true, allowExitCodes: [128] }).catch(() => null);
    // Not a repository, or a HEAD without a commit yet: nothing is checked out that could be off branch.
    if (!r || r.exitCode !== 0) return null;
    const [top, common, head, symbolic] = r.stdout.split('\n');
    // A folder inside another checkout (or another repository) is not this worktree.
    const [here, mine, commonHere, commonMine] = await Promise.all([canonicalPath(top), canonicalPath(cwd), canonicalPath(common), this.commonDir()]);
    if (here !== mine || commonHere !== commonMine) return null;
    return { head, branch: symbolic.startsWith('refs/heads/') ? symbolic.slice('refs/heads/'.length) : null };
  }

  async branchExists(name: string): Promise<boolean> {
    return (await this.branchHead(checkedBranch(name))) !== null;
  }

  async deleteBranch(name: string, options: DeleteBranchOptions): Promise<void> {
    const ref = `refs/heads/${checkedBranch(name)}`;
    return this.exclusive(async () => {
      const sha = await this.branchHead(name);
      if (sha === null) throw refusal('not-found', `there is no branch ${name}`, ['update-ref', '-d', ref]);
      const holder = (await this.listNow()).find((w) => w.branch === name);
      if (holder) throw refusal('checked-out', `branch ${name} is checked out at ${holder.path}; remove that worktree first`, ['update-ref', '-d', ref]);
      if (!options.force) {
        const ahead = await this.commitsAhead(sha, options.mergedInto);
        if (ahead > 0) {
          throw refusal('unmerged', `branch ${name} has ${ahead} commit(s) not in ${options.mergedInto}; delete with force to drop them`, ['update-ref', '-d', ref]);
        }
      }
      // Compare-and-delete: if a commit lands after the check above, git refuses instead of losing it.
      await this.git.run(this.root, ['update-ref', '-d', ref, sha]);
      // Like `git branch -D`, drop the branch's config section. Usually there is none (exit 128), and
      // a leftover section is harmless, so this never fails the deletion that already happened.
      await this.git.run(this.root, ['config', '--remove-section', `branch.${name}`]).catch(() => undefined);
    });
  }

  async commitsAhead(branch: string, base: string): Promise<number> {
    const r = await this.git.run(this.root, ['rev-list', '--count', '--end-of-options', `${base}..${branch}`, '--'], { readOnly: true });
    return Number(r.stdout.trim());
  }

  // ---- internals -------------------------------------------------------------------------------

  /** Runs registry-changing steps one at a time (per instance), whatever happened to the previous. */
  private exclusive<T>(step: () => Promise<T>): Promise<T> {
    const run = this.queue.then(step, step);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private validate(requests: readonly WorktreeRequest[], fail: Fail): Valid[] {
    const byBranch = new Map<string, number>();
    const byPath = new Map<string, number>();
    const valid: Valid[] = [];
    requests.forEach((request, index) => {
      const nameError = branchNameError(request.branch);
      if (nameError) return fail(index, 'invalid-name', `invalid branch name ${JSON.stringify(request.branch)}: ${nameError}`);
      if (!request.path) return fail(index, 'invalid-request', `no worktree path given for branch ${request.branch}`);
      if (!request.startPoint) return fail(index, 'invalid-request', `no start point given for branch ${request.branch}`);
      const abs = path.resolve(this.root, request.path);
      const sameBranch = byBranch.get(request.branch);
      const samePath = byPath.get(abs);
      if (sameBranch !== undefined) return fail(index, 'invalid-request', `branch ${request.branch} is requested twice (requests ${sameBranch + 1} and ${index + 1})`);
      if (samePath !== undefined) return fail(index, 'invalid-request', `path ${abs} is requested twice (requests ${samePath + 1} and ${index + 1})`);
      byBranch.set(request.branch, index);
      byPath.set(abs, index);
      valid.push({ index, request, path: abs });
    });
    return valid;
  }

  /** Serial part of ensure: decides what each request needs and adds the missing registrations. */
  private async register(valid: Valid[], fail: Fail, prepared: (p: Prepared) => void): Promise<void> {
    let state: RegistryState;
    try {
      let worktrees = await this.listNow();
      // Stale registrations (their folder is gone) are dropped first. git 2.31+ marks them in the
      // list, so prune runs only when there is one; older versions do not say, so it always runs.
      if (worktrees.some((w) => w.prunable) || !versionAtLeast(await this.git.gitVersion(), 2, 31)) {
        await this.git.run(this.root, ['worktree', 'prune']);
        worktrees = await this.listNow();
      }
      state = {
        worktrees,
        canonical: await Promise.all(worktrees.map((w) => canonicalPath(w.path))),
        heads: await this.branchHeads(valid.map((v) => v.request.branch)),
        starts: new Map(),
      };
    } catch (e) {
      for (const v of valid) fail(v.index, reasonOf(e), `could not prepare worktrees in ${this.root}: ${messageOf(e)}`);
      return;
    }
    for (const v of valid) {
      try {
        const p = await this.registerOne(v, state, fail);
        if (p) prepared(p);
      } catch (e) {
        fail(v.index, reasonOf(e), `could not prepare the worktree of ${v.request.branch} at ${v.path}: ${messageOf(e)}`);
      }
    }
  }

  private async registerOne({ index, request, path: abs }: Valid, state: RegistryState, fail: Fail): Promise<Prepared | null> {
    const { branch } = request;
    const { worktrees, canonical, heads, starts } = state;
    const where = await canonicalPath(abs);
    const atPath = worktrees.find((_, i) => canonical[i] === where);
    const holder = worktrees.find((w, i) => w.branch === branch && canonical[i] !== where);
    if (atPath && atPath.branch === branch && !atPath.prunable) {
      return { index, request, path: abs, status: 'reused', head: atPath.head ?? heads.get(branch) ?? '' };
    }
    if (atPath) {
      const what = atPath.prunable ? 'a locked worktree whose folder is missing' : atPath.branch ? `the worktree of branch ${atPath.branch}` : 'a worktree with a detached HEAD';
      fail(index, 'path-exists', `${abs} is already registered as ${what}; choose another path or remove that worktree`);
      return null;
    }
    if (holder) {
      fail(index, 'checked-out', `branch ${branch} is already checked out at ${holder.path}`);
      return null;
    }
    const occupied = await occupiedBy(abs);
    if (occupied) {
      fail(index, 'path-exists', `${abs} already exists (${occupied}) and is not a worktree of this repository; move it away or choose another path`);
      return null;
    }
    const existing = heads.get(branch);
    if (existing) {
      // An earlier run created the branch (and maybe commits on it): attach, never reset it.
      const added = await this.add(['worktree', 'add', '--no-checkout', '--', abs, branch], abs, branch, null);
      if (added === true) return { index, request, path: abs, status: 'attached', head: existing };
      fail(index, reasonOf(added), `could not add a worktree for existing branch ${branch} at ${abs}: ${messageOf(added)}`);
      return null;
    }
    if (!starts.has(request.startPoint)) starts.set(request.startPoint, this.resolveCommit(request.startPoint));
    const start = await starts.get(request.startPoint);
    if (!start) {
      fail(index, 'not-found', `start point ${JSON.stringify(request.startPoint)} of branch ${branch} is not a commit`);
      return null;
    }
    const added = await this.add(['worktree', 'add', '--no-checkout', '-b', branch, '--', abs, start], abs, branch, start);
    if (added === true) return { index, request, path: abs, status: 'created', head: start };
    fail(index, reasonOf(added), `could not create branch ${branch} with a worktree at ${abs}: ${messageOf(added)}`);
    return null;
  }

  /** Runs one `worktree add`; on failure undoes it and returns the error (with what was undone). */
  private async add(args: string[], abs: string, branch: string, createdAt: string | null): Promise<true | Error> {
    try {
      await this.git.run(this.root, args);
      return true;
    } catch (e) {
      const undo = await this.rollback(abs, branch, createdAt);
      return e instanceof GitError
        ? new GitError(e.message + undo, e.reason, e.args, e.exitCode, e.stderr, e.cwd)
        : new Error(messageOf(e) + undo);
    }
  }

  /**
   * Removes the registration at `abs` and, when this call created the branch (`createdAt` is its
   * start commit), the branch too, but only while it still points there. Must run inside exclusive().
   * Returns "" when all is clean, else a note for the failure message.
   */
  private async rollback(abs: string, branch: string, createdAt: string | null): Promise<string> {
    const notes: string[] = [];
    try {
      const entry = await findByPath(await this.listNow(), abs);
      if (entry) await this.git.run(this.root, ['worktree', 'remove', '--force', '--', abs]);
      await this.git.run(this.root, ['worktree', 'prune']);
    } catch (e) {
      notes.push(`the worktree at ${abs} could not be removed (${messageOf(e)})`);
    }
    if (createdAt) {
      try {
        const now = await this.branchHead(branch);
        if (now === createdAt) await this.git.run(this.root, ['update-ref', '-d', `refs/heads/${branch}`, createdAt]);
        else if (now !== null) notes.push(`branch ${branch} was kept because it moved to ${now}`);
      } catch (e) {
        notes.push(`branch ${branch} could not be deleted (${messageOf(e)})`);
      }
    }
    return notes.length ? `; cleanup: ${notes.join('; ')}` : '';
  }

  /** The repository's common git folder, real path, read once. */
  private commonDir(): Promise<string> {
    this.common ??= this.git
      .run(this.root, ['rev-parse', '--path-format=absolute', '--git-common-dir'], { readOnly: true })
      .then((r) => canonicalPath(r.stdout.trim()));
    return this.common;
  }

  private async listNow(): Promise<WorktreeInfo[]> {
    const nul = versionAtLeast(await this.git.gitVersion(), 2, 36);
    const r = await this.git.run(this.root, ['worktree', 'list', '--porcelain', ...(nul ? ['-z'] : [])], { readOnly: true });
    return parseWorktreeList(r.stdout, nul ? '\0' : '\n');
  }

  /** Commit of each given local branch that exists, in one process. */
  private async branchHeads(branches: string[]): Promise<Map<string, string>> {
    const refs = branches.map((b) => `refs/heads/${b}`);
    const r = await this.git.run(this.root, ['for-each-ref', '--format=%(objectname) %(refname)', '--', ...refs], { readOnly: true });
    const wanted = new Set(refs);
    const heads = new Map<string, string>();
    for (const line of r.stdout.split('\n')) {
      const space = line.indexOf(' ');
      const ref = line.slice(space + 1);
      // for-each-ref also matches refs below a pattern (refs/heads/a matches refs/heads/a/b).
      if (space > 0 && wanted.has(ref)) heads.set(ref.slice('refs/heads/'.length), line.slice(0, space));
    }
    return heads;
  }

  private async branchHead(name: string): Promise<string | null> {
    const r = await this.git.run(this.root, ['rev-parse', '--verify', '--quiet', `refs/heads/${name}`], { readOnly: true, allowExitCodes: [1] });
    return r.exitCode === 0 ? r.stdout.trim() : null;
  }

  private async resolveCommit(rev: string): Promise<string | null> {
    const r = await this.git.run(this.root, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`], { readOnly: true, allowExitCodes: [1, 128] });
    return r.exitCode === 0 ? r.stdout.trim() : null;
  }

  /** True for a registered worktree whose index was never written (a crash right after `add`). */
  private async needsPopulate(worktreePath: string): Promise<boolean> {
    const r = await this.git.run(worktreePath, ['rev-parse', '--git-path', 'index'], { readOnly: true });
    const index = path.resolve(worktreePath, r.stdout.trim());
    return stat(index).then(() => false, () => true);
  }
}

function checkedBranch(name: string): string {
  const error = branchNameError(name);
  if (error) throw refusal('invalid-name', `invalid branch name ${JSON.stringify(name)}: ${error}`, []);
  return name;
}

function refusal(reason: GitFailureReason, message: string, args: readonly string[]): GitError {
  return new GitError(message, reason, args, null, '', '');
}

function reasonOf(e: unknown): GitFailureReason {
  return e instanceof GitError ? e.reason : 'failed';
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Runs the tasks given to it at most `limit` at a time, in the order given. */
function limiter(limit: number): (task: () => Promise<void>) => Promise<void> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    if (active < limit) active++;
    else await new Promise<void>((resolve) => waiting.push(resolve)); // a finished task hands over its slot
    try {
      await task();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else active--;
    }
  };
}
