// For git older than 2.38 (no `merge-tree --write-tree`): real merges in one temporary detached
// worktree, reset between merges and removed at the end. No branch, ref or user index is touched;
// hooks and rerere are off so that the user's setup cannot change or slow down the answer.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { messagesFromText, type MergeTreeEntry } from '../../core/merge/conflicts';
import { GitError, type GitExec } from './gitRunner';
import type { RawMerge } from './mergeTree';

/** Only for merges in the scratch worktree (nothing is committed), when git has no identity. */
const SCRATCH_IDENTITY = {
  GIT_AUTHOR_NAME: 'Spec Conductor',
  GIT_AUTHOR_EMAIL: 'conductor@localhost',
  GIT_COMMITTER_NAME: 'Spec Conductor',
  GIT_COMMITTER_EMAIL: 'conductor@localhost',
};

function parseUnmerged(stdout: string): MergeTreeEntry[] {
  const out: MergeTreeEntry[] = [];
  for (const record of stdout.split('\0')) {
    const m = /^([0-7]{6}) ([0-9a-f]+) ([0-3])\t([\s\S]+)$/.exec(record);
    if (m) out.push({ mode: m[1], object: m[2], stage: Number(m[3]), path: m[4] });
  }
  return out;
}

export async function scratchMerges(git: GitExec, repo: string, pairs: readonly (readonly [string, string])[]): Promise<RawMerge[]> {
  const dir = await mkdtemp(path.join(tmpdir(), 'conductor-merge-'));
  const worktree = path.join(dir, 'worktree');
  // A hooks folder that does not exist: no post-checkout or merge hook of the user's runs here.
  const config = ['-c', `core.hooksPath=${path.join(dir, 'no-hooks')}`, '-c', 'rerere.enabled=false', '-c', 'merge.autoStash=false'];
  const out: RawMerge[] = [];
  try {
    await git.run(repo, [...config, 'worktree', 'add', '--detach', '--quiet', worktree, pairs[0][0]]);
    for (const [ours, theirs] of pairs) {
      await git.run(worktree, [...config, 'reset', '--quiet', '--hard', ours]);
      await git.run(worktree, ['clean', '-fdxq']);
      const args = [...config, 'merge', '--no-commit', '--no-ff', '--no-edit', theirs];
      const r = await git.run(worktree, args, { allowExitCodes: [1], env: SCRATCH_IDENTITY });
      const labels = { ours: 'HEAD', theirs };
      if (r.exitCode === 0) {
        const tree = (await git.run(worktree, ['write-tree'])).stdout.trim();
        out.push({ ours, theirs, clean: true, result: { tree, entries: [], messages: [] }, labels });
        continue;
      }
      const entries = parseUnmerged((await git.run(worktree, ['ls-files', '-u', '-z'], { readOnly: true })).stdout);
      const messages = messagesFromText(`${r.stdout}\n${r.stderr}`, entries.map((e) => e.path));
      if (entries.length === 0 && !messages.some((m) => /^CONFLICT\b/.test(m.type))) {
        throw new GitError(`git merge of ${theirs} into ${ours} failed: ${r.stderr.trim() || r.stdout.trim()}`, 'failed', args, r.exitCode, r.stderr, worktree);
      }
      const mergedText = new Map<string, string>();
      for (const file of new Set(entries.filter((e) => e.stage === 2 || e.stage === 3).map((e) => e.path))) {
        const text = await readFile(path.join(worktree, file), 'utf8').catch(() => null);
        if (text !== null) mergedText.set(file, text);
      }
      out.push({ ours, theirs, clean: false, result: { tree: null, entries, messages }, labels, mergedText });
    }
    return out;
  } finally {
    await git.run(repo, ['worktree', 'remove', '--force', worktree]).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}
