// Merges two commits without touching any worktree, index or ref, and says what would conflict and
// where. git ≥ 2.39: one `merge-tree --stdin` process for many merges; 2.38: one process per merge;
// older: a real merge in a temporary detached worktree (slower, announced once).
import {
  conflictRanges,
  conflictsOf,
  labelPath,
  parseMergeTreeOutput,
  parseMergeTreeStdinOutput,
  scanConflictMarkers,
  type Conflict,
  type MergeCheck,
  type MergeTreeResult,
} from '../../core/merge/conflicts';
import { GitError, versionAtLeast, type GitExec } from './gitRunner';
import { mapLimit } from './mapLimit';
import { readBlobs, resolveCommits } from './objects';
import { scratchMerges } from './scratchMerge';

export type { Conflict, ConflictKind, ConflictRange, MergeCheck } from '../../core/merge/conflicts';

export interface MergeTreeOptions {
  /** Told once, when this git is too old for merge-tree and merges go through a scratch worktree. */
  onSlowFallback?: (message: string) => void;
  /** Merge-tree processes run at once on git 2.38 (one per merge); 2 by default. */
  concurrency?: number;
}

/** One merge as git reported it, before line ranges are filled in. */
export interface RawMerge {
  ours: string;
  theirs: string;
  clean: boolean;
  result: MergeTreeResult;
  /** Conflict marker labels git wrote (merge-tree writes the commit ids we pass). */
  labels: { ours: string; theirs: string };
  /** Conflicted files' merged text when it is not in `result.tree` (scratch merges). */
  mergedText?: Map<string, string>;
}

const REGULAR = new Set(['100644', '100755']);
const MERGE_TREE = ['merge-tree', '--write-tree', '-z', '--messages'];

export class MergeTree {
  private noticeGiven = false;
  private scratchQueue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly repoRoot: string,
    private readonly git: GitExec,
    private readonly options: MergeTreeOptions = {},
  ) {}

  /** Merges `theirs` into `ours` (commit ids or branch names); ours is the merging, e.g. module, branch. */
  async merge(ours: string, theirs: string): Promise<MergeCheck> {
    return (await this.mergeMany([[ours, theirs]]))[0];
  }

  /** Like `merge` for each pair, in order; an error in any pair rejects the whole call. */
  async mergeMany(pairs: readonly (readonly [string, string])[]): Promise<MergeCheck[]> {
    if (pairs.length === 0) return [];
    const revs = [...new Set(pairs.flat())];
    const ids = new Map(revs.map((rev, i) => [rev, i]));
    const commits = await resolveCommits(this.git, this.repoRoot, revs);
    const resolved = pairs.map(([a, b]) => [commits[ids.get(a) ?? -1], commits[ids.get(b) ?? -1]] as const);
    const version = await this.git.gitVersion();
    let raw: RawMerge[];
    if (!versionAtLeast(version, 2, 38)) {
      this.announceFallback(`${version.major}.${version.minor}.${version.patch}`);
      raw = await this.serialized(() => scratchMerges(this.git, this.repoRoot, resolved));
    } else if (versionAtLeast(version, 2, 39) && resolved.length > 1) {
      raw = await this.viaStdin(resolved);
    } else {
      raw = await mapLimit(resolved, this.options.concurrency ?? 2, ([a, b]) => this.single(a, b));
    }
    return this.withRanges(raw);
  }

  private async single(ours: string, theirs: string): Promise<RawMerge> {
    const args = [...MERGE_TREE, ours, theirs];
    const r = await this.git.run(this.repoRoot, args, { allowExitCodes: [1], readOnly: true });
    const result = parseMergeTreeOutput(r.stdout, true);
    // Git also exits 1 when it cannot start the merge (e.g. a bad revision): no tree, no stages.
    if (!result.tree) throw new GitError(`git merge-tree exited ${r.exitCode} without a tree: ${r.stderr.trim() || 'no output'}`, 'failed', args, r.exitCode, r.stderr, this.repoRoot);
    return { ours, theirs, clean: r.exitCode === 0, result, labels: { ours, theirs } };
  }

  private async viaStdin(pairs: readonly (readonly [string, string])[]): Promise<RawMerge[]> {
    const args = [...MERGE_TREE, '--stdin'];
    // --stdin exits 0 for clean and conflicted merges alike; anything else fails the whole batch.
    const r = await this.git.run(this.repoRoot, args, { readOnly: true, input: pairs.map(([a, b]) => `${a} ${b}\n`).join('') });
    let results;
    try {
      results = parseMergeTreeStdinOutput(r.stdout);
    } catch (e) {
      throw new GitError(`cannot read git merge-tree --stdin output: ${(e as Error).message}`, 'failed', args, r.exitCode, r.stderr, this.repoRoot);
    }
    if (results.length !== pairs.length) {
      throw new GitError(`git merge-tree --stdin answered ${results.length} of ${pairs.length} merges`, 'failed', args, r.exitCode, r.stderr, this.repoRoot);
    }
    return results.map((result, i) => {
      const [ours, theirs] = pairs[i];
      if (result.status !== 0 && result.status !== 1) {
        throw new GitError(`git merge-tree could not merge ${theirs} into ${ours} (status ${result.status})`, 'failed', args, r.exitCode, r.stderr, this.repoRoot);
      }
      return { ours, theirs, clean: result.status === 1, result, labels: { ours, theirs } };
    });
  }

  /** Conflicts per merge, with the line ranges of text conflicts read by one cat-file process. */
  private async withRanges(raw: readonly RawMerge[]): Promise<MergeCheck[]> {
    const specs = new Map<string, number>();
    const want = (spec: string): number => {
      let i = specs.get(spec);
      if (i === undefined) specs.set(spec, (i = specs.size));
      return i;
    };
    const plans = raw.map((m) => {
      if (m.clean) return null;
      const files = conflictsOf(m.result);
      if (files.length === 0) {
        throw new GitError(`git reported a conflicted merge of ${m.theirs} into ${m.ours} but named no file`, 'failed', ['merge-tree'], 1, '', this.repoRoot);
      }
      return files.map((f) => {
        const ours = f.entries.find((e) => e.stage === 2);
        const theirs = f.entries.find((e) => e.stage === 3);
        const textual = f.kind !== 'binary' && ours && theirs && REGULAR.has(ours.mode) && REGULAR.has(theirs.mode);
        const inline = m.mergedText?.has(f.file) ?? false;
        // Files whose name has a line break cannot be named to cat-file --batch: no ranges for them.
        const spec = m.result.tree && !f.file.includes('\n') ? `${m.result.tree}:${f.file}` : null;
        if (!textual || (!inline && spec === null)) return { file: f, blobs: null };
        return { file: f, blobs: { merged: inline || spec === null ? -1 : want(spec), ours: want(ours.object), theirs: want(theirs.object) } };
      });
    });
    const texts = await readBlobs(this.git, this.repoRoot, [...specs.keys()]);
    return raw.map((m, i): MergeCheck => {
      const plan = plans[i];
      if (!plan) return { clean: true, tree: m.result.tree ?? '' };
      const conflicts = plan.map(({ file, blobs }): Conflict => {
        const conflict: Conflict = { file: file.file, kind: file.kind, ranges: [] };
        if (!blobs) return conflict;
        const merged = blobs.merged < 0 ? m.mergedText?.get(file.file) ?? null : texts[blobs.merged];
        if (merged === null) return conflict;
        const options = { labels: m.labels, ours: texts[blobs.ours], theirs: texts[blobs.theirs] };
        conflict.ranges = conflictRanges(merged, options);
        const first = scanConflictMarkers(merged, options)[0];
        const oursFile = first && labelPath(first.oursLabel, m.labels.ours);
        const theirsFile = first && labelPath(first.theirsLabel, m.labels.theirs);
        if (oursFile && oursFile !== file.file) conflict.oursFile = oursFile;
        if (theirsFile && theirsFile !== file.file) conflict.theirsFile = theirsFile;
        return conflict;
      });
      return { clean: false, tree: m.result.tree, conflicts };
    });
  }

  private announceFallback(version: string): void {
    if (this.noticeGiven) return;
    this.noticeGiven = true;
    this.options.onSlowFallback?.(
      `git ${version} has no "merge-tree --write-tree" (it needs 2.38): conflicts are predicted by merging in a temporary worktree, which is slower. Updating git makes it fast.`,
    );
  }

  /** Scratch merges take turns: each one registers a worktree in the user's repository. */
  private serialized<T>(run: () => Promise<T>): Promise<T> {
    const next = this.scratchQueue.then(run, run);
    this.scratchQueue = next.catch(() => undefined);
    return next;
  }
}
