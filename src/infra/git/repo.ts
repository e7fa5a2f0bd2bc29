// The user's repository as the engine sees it. Reads take no locks; the only writes are objects
// (scratch merge commits) and `.git/info/exclude` — never the user's HEAD, index or working tree.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { AgentGitContext, RepoPort } from '../../core/ports';
import { gitBool, parseConfigZ } from './gitConfig';
import { GitError, versionAtLeast, type GitExec } from './gitRunner';
import type { CommitWrite } from './integrationWriter';

/** Used only when the user has no git identity configured, for the engine's own scratch commits. */
const FALLBACK_IDENTITY = {
  GIT_AUTHOR_NAME: 'Spec Conductor',
  GIT_AUTHOR_EMAIL: 'conductor@localhost',
  GIT_COMMITTER_NAME: 'Spec Conductor',
  GIT_COMMITTER_EMAIL: 'conductor@localhost',
};

const IDENTITY_REUSE_MS = 5000;

export class GitRepo implements RepoPort {
  private excludeQueue: Promise<void> = Promise.resolve();
  private commonDir: Promise<string> | undefined;
  private sharedIdentity: { at: number; identity: Promise<Record<string, string> | null> } | undefined;

  constructor(
    readonly root: string,
    private readonly git: GitExec,
  ) {}

  async head(): Promise<string> {
    return (await this.git.run(this.root, ['rev-parse', '--verify', 'HEAD^{commit}'], { readOnly: true })).stdout.trim();
  }

  async changedFiles(): Promise<string[]> {
    const r = await this.git.run(this.root, ['status', '--porcelain=v1', '-z', '--untracked-files=normal'], { readOnly: true });
    const out: string[] = [];
    const parts = r.stdout.split('\0');
    for (let i = 0; i < parts.length; i++) {
      const entry = parts[i];
      if (entry.length < 4) continue;
      out.push(entry.slice(3));
      if (entry[0] === 'R' || entry[0] === 'C') i++; // the next field is the rename's source
    }
    return out;
  }

  async resolve(rev: string): Promise<string> {
    return (await this.git.run(this.root, ['rev-parse', '--verify', '--end-of-options', `${rev}^{commit}`], { readOnly: true })).stdout.trim();
  }

  excludeLocally(pattern: string): Promise<void> {
    const run = this.excludeQueue.then(async () => {
      const file = path.join(await this.gitCommonDir(), 'info', 'exclude');
      const current = await fs.readFile(file, 'utf8').catch(() => '');
      if (current.split(/\r?\n/).includes(pattern)) return;
      await fs.mkdir(path.dirname(file), { recursive: true });
      await fs.appendFile(file, `${current === '' || current.endsWith('\n') ? '' : '\n'}${pattern}\n`);
    });
    this.excludeQueue = run.catch(() => undefined);
    return run;
  }

  async commitsAhead(rev: string, base: string): Promise<number> {
    const r = await this.git.run(this.root, ['rev-list', '--count', `${base}..${rev}`, '--'], { readOnly: true });
    return Number(r.stdout.trim()) || 0;
  }

  async mergeCommits(
    base: string,
    branches: readonly string[],
    message: string,
    options: { noFastForward?: boolean } = {},
  ): Promise<{ commit: string } | { conflicts: string[] }> {
    const version = await this.git.gitVersion();
    let acc = await this.resolve(base);
    for (const branch of branches) {
      const tip = await this.resolve(branch);
      if (await this.isAncestor(tip, acc)) continue; // already contained
      if (!options.noFastForward && (await this.isAncestor(acc, tip))) {
        acc = tip; // fast-forward: no merge commit needed
        continue;
      }
      const merged = versionAtLeast(version, 2, 38) ? await this.mergeTree(acc, tip) : await this.mergeInScratchWorktree(acc, tip);
      if ('conflicts' in merged) return merged;
      acc = 'commit' in merged ? merged.commit : await this.commitTree(merged.tree, [acc, tip], message);
    }
    return { commit: acc };
  }

  /**
   * A merge commit of two commit ids (not resolved, no ancestry checks: the caller made them), with
   * `ours` as first parent: one merge-tree and one commit-tree process (or `writer`'s commit). Git older than 2.38: as
   * `mergeCommits(ours, [theirs], message, { noFastForward: true })`.
   */
  async mergeCommitIds(ours: string, theirs: string, message: string, writer?: CommitWrite): Promise<{ commit: string } | { conflicts: string[] }> {
    if (!versionAtLeast(await this.git.gitVersion(), 2, 38)) return this.mergeCommits(ours, [theirs], message, { noFastForward: true });
    const merged = await this.mergeTree(ours, theirs);
    if ('conflicts' in merged) return merged;
    return { commit: await (writer ?? this).commitTree(merged.tree, [ours, theirs], message) };
  }

  /**
   * Of `candidates`, those that are neither an ancestor of `tip` nor of another candidate (nor equal
   * to one: pass each commit once where duplicates are told apart otherwise): one
   * `merge-base --independent`. Any other candidate may or may not be contained.
   */
  async independentOf(tip: string, candidates: readonly string[]): Promise<Set<string>> {
    const counts = new Map<string, number>();
    for (const c of candidates) counts.set(c, (counts.get(c) ?? 0) + 1);
    if (candidates.length === 0) return new Set();
    const r = await this.git.run(this.root, ['merge-base', '--independent', tip, ...counts.keys()], { readOnly: true });
    const heads = new Set(r.stdout.split('\n').map((l) => l.trim()).filter(Boolean));
    return new Set([...counts].filter(([c, n]) => n === 1 && c !== tip && heads.has(c)).map(([c]) => c));
  }

  private async isAncestor(a: string, b: string): Promise<boolean> {
    const r = await this.git.run(this.root, ['merge-base', '--is-ancestor', a, b], { allowExitCodes: [1], readOnly: true });
    return r.exitCode === 0;
  }

  /** `git merge-tree --write-tree`: exit 0 clean, 1 conflicts, anything else an error (thrown). */
  private async mergeTree(a: string, b: string): Promise<{ tree: string } | { conflicts: string[] }> {
    const r = await this.git.run(this.root, ['merge-tree', '--write-tree', '--name-only', '--no-messages', a, b], { allowExitCodes: [1] });
    const lines = r.stdout.split('\n').filter(Boolean);
    if (r.exitCode === 1) return { conflicts: [...new Set(lines.slice(1))] };
    return { tree: lines[0] };
  }

  /** Moves `ref` to `next` only if it still points at `expected` (null: only if it does not exist). */
  async compareAndSwap(ref: string, next: string, expected: string | null): Promise<void> {
    await this.git.run(this.root, ['update-ref', '-m', 'conductor', ref, next, expected ?? '0'.repeat(40)]);
  }

  async refTip(ref: string): Promise<string | null> {
    const r = await this.git.run(this.root, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { allowExitCodes: [1], readOnly: true });
    return r.exitCode === 0 ? r.stdout.trim() : null;
  }

  async isAncestorOf(ancestor: string, descendant: string): Promise<boolean> {
    return this.isAncestor(ancestor, descendant);
  }

  /** Git older than 2.38 has no `merge-tree --write-tree`: merge in a throwaway detached worktree. */
  private async mergeInScratchWorktree(a: string, b: string): Promise<{ commit: string } | { conflicts: string[] }> {
    const dir = await fs.mkdtemp(path.join(await this.gitCommonDir(), 'conductor-scratch-'));
    await this.git.run(this.root, ['worktree', 'add', '--detach', dir, a]);
    try {
      const r = await this.withIdentity((env) => this.git.run(dir, ['merge', '--no-ff', '--no-edit', b], { allowExitCodes: [1], env }));
      if (r.exitCode === 1) {
        const files = await this.git.run(dir, ['diff', '--name-only', '--diff-filter=U'], { readOnly: true });
        await this.git.run(dir, ['merge', '--abort'], { allowExitCodes: [128] });
        return { conflicts: files.stdout.split('\n').filter(Boolean) };
      }
      return { commit: (await this.git.run(dir, ['rev-parse', 'HEAD'])).stdout.trim() };
    } finally {
      await this.git.run(this.root, ['worktree', 'remove', '--force', dir]).catch(() => undefined);
      await fs.rm(dir, { recursive: true, force: true });
    }
  }

  /** `git commit-tree`, as the user (see withIdentity). */
  async commitTree(tree: string, parents: readonly string[], message: string): Promise<string> {
    const args = ['commit-tree', tree, ...parents.flatMap((p) => ['-p', p]), '-m', message];
    const r = await this.withIdentity((env) => this.git.run(this.root, args, { env }));
    return r.stdout.trim();
  }

  /** Runs a committing git command as the user, or as Spec Conductor when git knows no identity. */
  async withIdentity<T>(run: (env: Record<string, string> | undefined) => Promise<T>): Promise<T> {
    try {
      return await run(undefined);
    } catch (e) {
      if (e instanceof GitError && /tell me who you are|empty ident|unable to auto-detect email/i.test(e.stderr)) return run(FALLBACK_IDENTITY);
      throw e;
    }
  }

  async branchTips(branches: readonly string[]): Promise<Map<string, string>> {
    const tips = new Map<string, string>();
    if (branches.length === 0) return tips;
    const refs = new Set(branches.map((b) => `refs/heads/${b}`));
    const r = await this.git.run(this.root, ['for-each-ref', '--format=%(objectname) %(refname)', '--', ...refs], { readOnly: true });
    for (const line of r.stdout.split('\n')) {
      const space = line.indexOf(' ');
      const ref = line.slice(space + 1);
      // for-each-ref also matches refs below a pattern (refs/heads/a matches refs/heads/a/b).
      if (space > 0 && refs.has(ref)) tips.set(ref.slice('refs/heads/'.length), line.slice(0, space));
    }
    return tips;
  }

  async agentGitContext(worktree: string): Promise<AgentGitContext> {
    const [dirs, identity] = await Promise.all([this.gitFolders(worktree), this.identityFor(worktree)]);
    return { ...dirs, identity };
  }

  /**
   * A linked worktree's git folders as git finds them: its `.git` file names its own folder, whose
   * `commondir` file names the repository's — read from disk, where a process per module would cost
   * more than the agent's start. Anything else (a `.git` folder, an unusual layout) asks git.
   */
  private async gitFolders(worktree: string): Promise<{ gitDir: string; commonDir: string }> {
    const linked = await readLinkedGitDir(worktree);
    if (linked) return linked;
    const r = await this.git.run(worktree, ['rev-parse', '--path-format=absolute', '--git-dir', '--git-common-dir'], { readOnly: true });
    const [gitDir, commonDir] = r.stdout.split('\n').map((l) => l.trim());
    return { gitDir: path.resolve(worktree, gitDir), commonDir: path.resolve(worktree, commonDir) };
  }

  /**
   * The identity git would use in `worktree`. Every worktree reads the same config, read once —
   * unless per-worktree config or conditional includes (which may match one worktree's folder or
   * branch and not another's) are in play: then the worktree's own.
   */
  private async identityFor(worktree: string): Promise<Record<string, string>> {
    // Kept for a few seconds: modules start in bursts, and a change to the config still reaches
    // the agents started after it.
    if (!this.sharedIdentity || Date.now() - this.sharedIdentity.at > IDENTITY_REUSE_MS) {
      this.sharedIdentity = { at: Date.now(), identity: this.readIdentity(this.root, true) };
    }
    return (await this.sharedIdentity.identity) ?? (await this.readIdentity(worktree, false))!;
  }

  /** null: the config may differ between worktrees (see identityFor). */
  private async readIdentity(cwd: string, shared: boolean): Promise<Record<string, string> | null> {
    const pattern = shared ? '^(user\\.(name|email)|extensions\\.worktreeconfig|includeif\\..*)$' : '^user\\.(name|email)$';
    // Both keys in one process; as with `config --get`, the last value of a key wins.
    const config = await this.git.run(cwd, ['config', '-z', '--get-regexp', pattern], { allowExitCodes: [1], readOnly: true });
    const values = new Map<string, string>();
    for (const { key, value } of config.exitCode === 0 ? parseConfigZ(config.stdout) : []) {
      if (shared && key.startsWith('includeif.')) return null;
      // A value git would refuse counts as on: the worktree's own config is then asked.
      if (shared && key === 'extensions.worktreeconfig' && gitBool(value) !== false) return null;
      values.set(key, value ?? '');
    }
    const identity: Record<string, string> = {};
    for (const [key, vars] of [
      ['user.name', ['GIT_AUTHOR_NAME', 'GIT_COMMITTER_NAME']],
      ['user.email', ['GIT_AUTHOR_EMAIL', 'GIT_COMMITTER_EMAIL']],
    ] as const) {
      const v = (values.get(key) ?? '').trim();
      if (v !== '') for (const name of vars) identity[name] = v;
    }
    return identity;
  }

  private gitCommonDir(): Promise<string> {
    this.commonDir ??= this.git
      .run(this.root, ['rev-parse', '--git-common-dir'], { readOnly: true })
      .then((r) => path.resolve(this.root, r.stdout.trim()));
    return this.commonDir;
  }
}

/** A linked worktree's `.git` file → its git folder and the common one; null for any other layout. */
async function readLinkedGitDir(worktree: string): Promise<{ gitDir: string; commonDir: string } | null> {
  const dotGit = await fs.readFile(path.join(worktree, '.git'), 'utf8').catch(() => null);
  const named = dotGit?.match(/^gitdir: (.+?)\r?\n?$/);
  if (!named) return null;
  const gitDir = path.resolve(worktree, named[1]);
  const common = await fs.readFile(path.join(gitDir, 'commondir'), 'utf8').catch(() => null);
  if (!common?.trim()) return null;
  return { gitDir, commonDir: path.resolve(gitDir, common.trim()) };
}
