// What a module or a phase changed, read from git for Review Changes (src/core/view/reviewChanges.ts
// decides what is compared); and the text of a file at a commit, for the diff's read-only side.
import { existsSync } from 'node:fs';
import { parseNameStatus, withUntracked, type ChangedFile, type ReviewSource } from '../../core/view/reviewChanges';
import type { GitExec } from './gitRunner';
import { findCommits, readBlobs } from './objects';

export interface ReviewChanges {
  /** The commit the left side shows: the merge-base of the source's tip (or its worktree's HEAD) with its base. */
  base: string;
  files: ChangedFile[];
}

/** The files `source` changed against the merge-base with its base; the worktree's uncommitted and untracked files included. */
export async function reviewChanges(git: GitExec, source: ReviewSource): Promise<ReviewChanges> {
  const tip = source.tip ?? 'HEAD';
  const mb = await git.run(source.dir, ['merge-base', tip, source.base], { readOnly: true });
  const base = mb.stdout.trim();
  const diffArgs = ['diff', '--name-status', '-z', '--no-renames', '--no-ext-diff', base];
  if (source.tip === null) {
    const [diff, untracked] = await Promise.all([
      git.run(source.dir, diffArgs, { readOnly: true }),
      git.run(source.dir, ['ls-files', '--others', '--exclude-standard', '-z'], { readOnly: true }),
    ]);
    return { base, files: withUntracked(parseNameStatus(diff.stdout), untracked.stdout) };
  }
  const diff = await git.run(source.dir, [...diffArgs, source.tip], { readOnly: true });
  return { base, files: withUntracked(parseNameStatus(diff.stdout), '') };
}

/** The text of `path` at `commit`; empty when the commit has no such file. */
export async function fileAtCommit(git: GitExec, repo: string, commit: string, path: string): Promise<string> {
  const [text] = await readBlobs(git, repo, [`${commit}:${path}`]);
  return text ?? '';
}

/** The tip of a branch or ref, or null when it does not exist. */
export async function refCommit(git: GitExec, repo: string, ref: string): Promise<string | null> {
  const r = await git.run(repo, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { readOnly: true, allowExitCodes: [1, 128] });
  return r.exitCode === 0 ? r.stdout.trim() : null;
}

export function directoryExists(dir: string): boolean {
  return existsSync(dir);
}

/**
 * How many files each `tip` changed against its `base` (as `git diff --name-only base tip` counts
 * them, renames as one), 0 where either is not a commit: one cat-file and one `diff-tree --stdin`
 * for all pairs, instead of a diff process per module.
 */
export async function countChangedFiles(git: GitExec, repo: string, pairs: readonly { base: string; tip: string }[]): Promise<number[]> {
  const askable = (rev: string) => rev !== '' && !/[\n\0]/.test(rev);
  const revs = [...new Set(pairs.flatMap((p) => [p.base, p.tip]).filter(askable))];
  const ids = new Map<string, string | null>();
  (await findCommits(git, repo, revs)).forEach((id, i) => ids.set(revs[i], id));
  const known = pairs.map((p) => ({ base: ids.get(p.base) ?? null, tip: ids.get(p.tip) ?? null }));
  const asked = known.filter((p): p is { base: string; tip: string } => p.base !== null && p.tip !== null && p.base !== p.tip);
  const counts = new Map<string, number>();
  if (asked.length > 0) {
    // A line `<tip> <base>` diffs the base against the tip; --always gives every line its header
    // (\x01<tip>\0), so an empty diff is a record too and records stay in input order.
    const input = asked.map((p) => `${p.tip} ${p.base}\n`).join('');
    const r = await git.run(repo, ['diff-tree', '--stdin', '-r', '-M', '--name-only', '-z', '--always', '--format=%x01%H'], { readOnly: true, input });
    const records = r.stdout.split('\x01').slice(1);
    asked.forEach((p, i) => {
      const record = records[i] ?? '';
      const names = record.slice(record.indexOf('\0') + 1).replace(/^\n/, '').split('\0').filter(Boolean);
      counts.set(`${p.tip} ${p.base}`, names.length);
    });
  }
  return known.map((p) => (p.base === null || p.tip === null ? 0 : counts.get(`${p.tip} ${p.base}`) ?? 0));
}
