// What a module or a phase changed, read from git for Review Changes (src/core/view/reviewChanges.ts
// decides what is compared); and the text of a file at a commit, for the diff's read-only side.
import { existsSync } from 'node:fs';
import { parseNameStatus, withUntracked, type ChangedFile, type ReviewSource } from '../../core/view/reviewChanges';
import type { GitExec } from './gitRunner';
import { readBlobs } from './objects';

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
