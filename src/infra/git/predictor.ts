// Live conflict prediction while agents run: merges every pair of modules' current work (commits,
// plus a snapshot commit of uncommitted worktree changes) with merge-tree, without touching any
// ref, index or worktree of the user's or an agent's. Results are cached on the instance by commit
// pair, so a poll in which nothing changed runs no merge at all.
import { copyFile, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { MergeCheck } from '../../core/merge/conflicts';
import {
  ownershipViolations,
  ownsMatcher,
  pairConflicts,
  pairsOf,
  statusV2,
  uniqueViolations,
  type OwnershipViolation,
  type PredictModule,
  type Prediction,
} from '../../core/merge/predict';
import { GitError, type GitExec } from './gitRunner';
import { mapLimit } from './mapLimit';
import type { MergeTree } from './mergeTree';
import { findCommits } from './objects';

export type { PredictModule, Prediction } from '../../core/merge/predict';

/** Snapshot commits get a fixed identity and date: the same work gives the same commit id. */
const SNAPSHOT_ENV = {
  GIT_AUTHOR_NAME: 'Spec Conductor',
  GIT_AUTHOR_EMAIL: 'conductor@localhost',
  GIT_AUTHOR_DATE: '946684800 +0000',
  GIT_COMMITTER_NAME: 'Spec Conductor',
  GIT_COMMITTER_EMAIL: 'conductor@localhost',
  GIT_COMMITTER_DATE: '946684800 +0000',
};

/** Git processes started at once while looking at the modules' worktrees. */
const CONCURRENCY = 4;

interface Snapshot {
  /** HEAD, status and the changed files' sizes and times: the same key means the same work. */
  key: string;
  commit: Promise<string>;
}

export class Predictor {
  private merges = new Map<string, Promise<MergeCheck>>();
  private diffs = new Map<string, Promise<string[]>>();
  private snapshots = new Map<string, Snapshot>();
  private readonly indexFiles = new Map<string, Promise<string>>();

  constructor(
    readonly repoRoot: string,
    private readonly git: GitExec,
    private readonly mergeTree: MergeTree,
  ) {}

  async predict(modules: readonly PredictModule[]): Promise<Prediction> {
    const commits = await this.currentCommits(modules);
    const live = modules.map((m, i) => ({ module: m, commit: commits[i] })).filter((x): x is { module: PredictModule; commit: string } => x.commit !== null);
    const pairs = pairsOf(live);

    const merges = new Map<string, Promise<MergeCheck>>();
    const missing = pairs.filter(([a, b]) => !this.merges.has(`${a.commit} ${b.commit}`));
    if (missing.length > 0) {
      const batch = this.mergeTree.mergeMany(missing.map(([a, b]) => [a.commit, b.commit] as const));
      missing.forEach(([a, b], i) => this.merges.set(`${a.commit} ${b.commit}`, handled(batch.then((r) => r[i]))));
    }
    for (const [a, b] of pairs) {
      const key = `${a.commit} ${b.commit}`;
      merges.set(key, this.merges.get(key) as Promise<MergeCheck>);
    }
    // Only what this poll used is kept: commits that moved on are not coming back.
    this.merges = merges;
    const checks = await Promise.all(pairs.map(([a, b]) => merges.get(`${a.commit} ${b.commit}`) as Promise<MergeCheck>)).catch((e: unknown) => {
      this.merges = new Map(); // a failed batch is not an answer to remember
      throw e;
    });

    const result: Prediction = { pairs: [], ownershipViolations: await this.ownership(live) };
    pairs.forEach(([a, b], i) => {
      const conflicts = pairConflicts(checks[i]);
      if (conflicts.length > 0) result.pairs.push({ a: a.module.id, b: b.module.id, conflicts });
    });
    return result;
  }

  /** Each module's current work as a commit: its worktree (snapshot if dirty), else its branch, else null. */
  private async currentCommits(modules: readonly PredictModule[]): Promise<(string | null)[]> {
    const fromWorktree = await mapLimit(modules, CONCURRENCY, async (m) => {
      const worktree = m.worktree && path.resolve(this.repoRoot, m.worktree);
      if (!worktree || !(await isDirectory(worktree))) return null;
      try {
        return await this.worktreeCommit(worktree);
      } catch (e) {
        // A folder that is no longer a worktree (being removed, say): the branch still tells.
        if (e instanceof GitError && (e.reason === 'not-a-repository' || e.reason === 'not-found')) return null;
        throw e;
      }
    });
    const wanted = modules.map((m, i) => (fromWorktree[i] === null ? m.branch : null));
    const revs = wanted.filter((b): b is string => b !== null);
    const found = await findCommits(this.git, this.repoRoot, revs);
    const byBranch = new Map(revs.map((b, i) => [b, found[i]]));
    const live = new Set(modules.map((m) => m.worktree && path.resolve(this.repoRoot, m.worktree)));
    for (const wt of this.snapshots.keys()) if (!live.has(wt)) this.snapshots.delete(wt);
    return modules.map((_, i) => fromWorktree[i] ?? byBranch.get(wanted[i] ?? '') ?? null);
  }

  private async worktreeCommit(worktree: string): Promise<string> {
    // HEAD and the changes in one process: a prediction runs this for every worktree.
    const args = ['status', '--porcelain=v2', '-z', '--branch', '--untracked-files=all'];
    const status = await this.git.run(worktree, args, { readOnly: true });
    const { head: headId, paths } = statusV2(status.stdout);
    if (headId === null) throw new GitError(`${worktree} has no commit checked out`, 'not-found', args, null, '', worktree);
    if (paths.length === 0) return headId;
    // Status alone does not change when an already-modified file is edited again: add sizes and times.
    const stamps = await Promise.all(paths.map((p) =>
      stat(path.join(worktree, p)).then((s) => `${s.size}:${s.mtimeMs}`, () => '-')));
    const key = `${headId}\0${status.stdout}\0${stamps.join(',')}`;
    const known = this.snapshots.get(worktree);
    if (known?.key === key) return known.commit;
    const commit = this.snapshotCommit(worktree, headId);
    this.snapshots.set(worktree, { key, commit });
    commit.catch(() => {
      if (this.snapshots.get(worktree)?.commit === commit) this.snapshots.delete(worktree);
    });
    return commit;
  }

  /**
   * A commit of the worktree's files on top of HEAD, made through a private copy of its index
   * (GIT_INDEX_FILE): the agent's index, HEAD and refs are never written. Copying the index rather
   * than `read-tree HEAD` keeps its stat data, so `add -A` only hashes files that changed.
   */
  private async snapshotCommit(worktree: string, head: string): Promise<string> {
    const dir = await mkdtemp(path.join(tmpdir(), 'conductor-snapshot-'));
    const env = { GIT_INDEX_FILE: path.join(dir, 'index') };
    try {
      const copied = await copyFile(await this.indexFileOf(worktree), env.GIT_INDEX_FILE).then(() => true, () => false);
      if (!copied) await this.git.run(worktree, ['read-tree', head], { env });
      await this.git.run(worktree, ['add', '-A'], { env });
      const tree = (await this.git.run(worktree, ['write-tree'], { env })).stdout.trim();
      const args = ['commit-tree', '--no-gpg-sign', tree, '-p', head, '-m', 'conductor: snapshot of uncommitted work'];
      return (await this.git.run(worktree, args, { env: { ...env, ...SNAPSHOT_ENV } })).stdout.trim();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  private indexFileOf(worktree: string): Promise<string> {
    let file = this.indexFiles.get(worktree);
    if (!file) {
      file = this.git.run(worktree, ['rev-parse', '--git-path', 'index'], { readOnly: true }).then((r) => path.resolve(worktree, r.stdout.trim()));
      this.indexFiles.set(worktree, file);
      file.catch(() => this.indexFiles.delete(worktree));
    }
    return file;
  }

  /**
   * Files each module changed that another module owns: changes since the module's `base` when
   * known (all such modules in one `diff-tree --stdin`), else since its merge-base with each owner
   * (`git diff owner...module`, one process per pair: pass `base` where it is known).
   */
  private async ownership(live: readonly { module: PredictModule; commit: string }[]): Promise<OwnershipViolation[]> {
    const owners = live.filter((x) => x.module.owns.length > 0).map((x) => ({ id: x.module.id, commit: x.commit, owns: ownsMatcher(x.module.owns) }));
    if (owners.length === 0) return [];
    type Owner = (typeof owners)[number];
    // Changes of `to` since `base`, or since its merge-base with `other`.
    type Job = { module: PredictModule; base: string | null; other: string | null; to: string; owners: Owner[] };
    const jobs = live.flatMap(({ module, commit }): Job[] => {
      const others = owners.filter((o) => o.id !== module.id);
      const self = owners.filter((o) => o.id === module.id);
      if (others.length === 0) return [];
      if (module.base) return [{ module, base: module.base, other: null, to: commit, owners: [...self, ...others] }];
      return others.map((o) => ({ module, base: null, other: o.commit, to: commit, owners: [...self, o] }));
    });
    const bases = [...new Set(jobs.flatMap((j) => (j.base ? [j.base] : [])))];
    const baseIds = new Map((await findCommits(this.git, this.repoRoot, bases)).map((id, i) => [bases[i], id]));
    for (const j of jobs) {
      if (j.base === null) continue;
      const id = baseIds.get(j.base);
      // An unknown base (e.g. a commit since garbage-collected) is reported, not guessed around.
      if (!id) throw new GitError(`the base "${j.base}" of module ${j.module.id} is not a commit`, 'not-found', ['cat-file'], null, '', this.repoRoot);
      j.base = id;
    }
    const keyOf = (j: Job): string => (j.base ? `${j.base}..${j.to}` : `${j.other}...${j.to}`);

    const fresh = jobs.filter((j) => j.base && !this.diffs.has(keyOf(j)));
    if (fresh.length > 0) {
      const batch = this.changedSince(fresh.map((j) => ({ from: j.base as string, to: j.to })));
      fresh.forEach((j, k) => this.diffs.set(keyOf(j), handled(batch.then((r) => r[k]))));
    }
    const used = new Map<string, Promise<string[]>>();
    let files: string[][];
    try {
      files = await mapLimit(jobs, CONCURRENCY, (j) => {
        const key = keyOf(j);
        const known = used.get(key) ?? this.diffs.get(key) ?? handled(this.changedSinceMergeBase(j.other as string, j.to));
        used.set(key, known);
        return known;
      });
    } catch (e) {
      this.diffs = new Map(); // a failed diff is not an answer to remember
      throw e;
    }
    // Only what this poll used is kept: commits that moved on are not coming back.
    this.diffs = used;
    const violations = jobs.flatMap((job, i) => ownershipViolations(job.module.id, files[i], job.owners));
    return uniqueViolations(violations);
  }

  /** Files changed from each `from` to its `to` (full commit ids), by one `diff-tree --stdin`. */
  private async changedSince(pairs: readonly { from: string; to: string }[]): Promise<string[][]> {
    // A `<commit> <parent>` line diffs the parent we name against the commit; --always prints the
    // commit id even when nothing changed, so every line has a header to find.
    const args = ['diff-tree', '--stdin', '--always', '-r', '--name-only', '-z', '--no-renames', '--no-ext-diff'];
    const r = await this.git.run(this.repoRoot, args, { readOnly: true, input: pairs.map((p) => `${p.to} ${p.from}\n`).join('') });
    const tokens = r.stdout.split('\0');
    const out: string[][] = [];
    let i = 0;
    for (let k = 0; k < pairs.length; k++) {
      if (tokens[i] !== pairs[k].to) throw new GitError(`unexpected git diff-tree output near "${(tokens[i] ?? '').slice(0, 80)}"`, 'failed', args, r.exitCode, r.stderr, this.repoRoot);
      const next = pairs[k + 1]?.to;
      const files: string[] = [];
      for (i++; i < tokens.length && tokens[i] !== '' && tokens[i] !== next; i++) files.push(tokens[i]);
      out.push(files);
    }
    return out;
  }

  private async changedSinceMergeBase(other: string, to: string): Promise<string[]> {
    const r = await this.git.run(this.repoRoot, ['diff', '--name-only', '-z', '--no-renames', '--no-ext-diff', `${other}...${to}`, '--'], { readOnly: true });
    return r.stdout.split('\0').filter(Boolean);
  }
}

/** Marks a cached promise's failure as handled; whoever awaits it still sees the error. */
function handled<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}

async function isDirectory(p: string): Promise<boolean> {
  return stat(p).then((s) => s.isDirectory(), () => false);
}
