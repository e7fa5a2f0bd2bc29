// Batched object reads: many revisions resolved, or many blobs read, by one `git cat-file` process.
import { randomUUID } from 'node:crypto';
import { GitError, type GitExec } from './gitRunner';

/** Commit ids for revisions (branch names, commit ids…), in order; null for one that names no commit. */
export async function findCommits(git: GitExec, repo: string, revs: readonly string[]): Promise<(string | null)[]> {
  if (revs.length === 0) return [];
  const args = ['cat-file', '--batch-check=%(objectname) %(objecttype)'];
  const bad = revs.find((r) => r === '' || /[\n\0]/.test(r));
  if (bad !== undefined) throw new GitError(`"${bad}" is not a revision`, 'invalid-request', args, null, '', repo);
  const r = await git.run(repo, args, { readOnly: true, input: revs.map((rev) => `${rev}^{commit}\n`).join('') });
  const lines = r.stdout.split('\n');
  return revs.map((_, i) => /^([0-9a-f]{40}(?:[0-9a-f]{24})?) commit$/.exec(lines[i] ?? '')?.[1] ?? null);
}

/** Commit ids for revisions, in order; rejects (reason 'not-found') naming the first that is not a commit. */
export async function resolveCommits(git: GitExec, repo: string, revs: readonly string[]): Promise<string[]> {
  const found = await findCommits(git, repo, revs);
  return found.map((id, i) => {
    if (id === null) throw new GitError(`"${revs[i]}" does not name a commit in ${repo}`, 'not-found', ['cat-file', '--batch-check'], null, '', repo);
    return id;
  });
}

/**
 * The text of many blobs (`<oid>` or `<tree>:<path>`, no newlines), in order, null for one that
 * does not exist, by one `cat-file --batch`. Records are found by a random separator rather than
 * by their byte size, because the runner hands back text decoded as UTF-8, where sizes no longer hold.
 */
export async function readBlobs(git: GitExec, repo: string, specs: readonly string[]): Promise<(string | null)[]> {
  if (specs.length === 0) return [];
  const sep = `@@conductor-${randomUUID()}`;
  const args = ['cat-file', `--batch=${sep} %(objecttype)`];
  if (specs.some((s) => /[\n\0]/.test(s))) throw new GitError('an object name contains a line break', 'invalid-request', args, null, '', repo);
  const r = await git.run(repo, args, { readOnly: true, input: specs.map((s) => `${s}\n`).join('') });
  const out = r.stdout;
  // Each record is `<sep> <type>\n<content>\n`, or `<spec> missing\n` (or `ambiguous`).
  const absent = (k: number, at: number): string | null => {
    for (const word of ['missing', 'ambiguous']) if (out.startsWith(`${specs[k]} ${word}\n`, at)) return `${specs[k]} ${word}\n`;
    return null;
  };
  const texts: (string | null)[] = [];
  let at = 0;
  for (let k = 0; k < specs.length; k++) {
    const gone = absent(k, at);
    if (gone) {
      texts.push(null);
      at += gone.length;
      continue;
    }
    const headerEnd = out.indexOf('\n', at);
    if (!out.startsWith(`${sep} `, at) || headerEnd < 0) {
      throw new GitError(`unexpected git cat-file output for ${specs[k]}`, 'failed', args, r.exitCode, r.stderr, repo);
    }
    let end = out.length - 1;
    if (k + 1 < specs.length) {
      const ends = [out.indexOf(`\n${sep} `, headerEnd), out.indexOf(`\n${specs[k + 1]} missing\n`, headerEnd), out.indexOf(`\n${specs[k + 1]} ambiguous\n`, headerEnd)];
      end = Math.min(...ends.filter((e) => e >= 0));
      if (!Number.isFinite(end)) throw new GitError(`git cat-file output ends early at ${specs[k]}`, 'failed', args, r.exitCode, r.stderr, repo);
    }
    texts.push(out.slice(headerEnd + 1, end));
    at = end + 1;
  }
  return texts;
}
