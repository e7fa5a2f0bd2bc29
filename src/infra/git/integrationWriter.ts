// The merge commits and ref moves of a phase merge, written through two long-lived git processes
// (`hash-object --stdin-paths` and an `update-ref --stdin` session of one transaction per move)
// instead of a commit-tree and an update-ref process per module. Commits are byte for byte what
// `git commit-tree -m` writes (identity from `git var`, the date git would stamp). commit-tree, being
// plumbing, does not sign even with commit.gpgSign; still, where signing is configured, the commit
// encoding is not UTF-8, or the runner cannot keep a process, the per-process commands are used.
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { gitBool, parseConfigZ } from './gitConfig';
import { versionAtLeast, type GitExec } from './gitRunner';
import type { GitLines } from './gitLines';
import type { GitRepo } from './repo';

export interface CommitWrite {
  commitTree(tree: string, parents: readonly string[], message: string): Promise<string>;
}

/** `name <email> <seconds> <zone>` as `git var GIT_*_IDENT` prints it. */
const IDENT = /^(.*) (\d+) ([+-]\d{4})$/;
const OID = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;

export class IntegrationWriter implements CommitWrite {
  private count = 0;

  private constructor(
    private readonly repo: GitRepo,
    private readonly commits: { lines: GitLines; prefix: string; author: Ident; committer: Ident } | null,
    private readonly refs: GitLines | null,
  ) {}

  static async open(git: GitExec, repo: GitRepo): Promise<IntegrationWriter> {
    if (!git.spawnLines) return new IntegrationWriter(repo, null, null);
    const [idents, config, version] = await Promise.all([
      repo.withIdentity(async (env) => ({ env, idents: await Promise.all(['GIT_AUTHOR_IDENT', 'GIT_COMMITTER_IDENT'].map(async (v) => (await git.run(repo.root, ['var', v], { env, readOnly: true })).stdout.trim())) })),
      git.run(repo.root, ['config', '-z', '--get-regexp', '^(commit\\.gpgsign|i18n\\.commitencoding)$'], { allowExitCodes: [1], readOnly: true }),
      git.gitVersion(),
    ]);
    const [author, committer] = idents.idents.map((text, i) => parseIdent(text, i === 0 ? 'GIT_AUTHOR_DATE' : 'GIT_COMMITTER_DATE'));
    let commits: IntegrationWriter['commits'] = null;
    if (author && committer && plainCommits(config.stdout)) {
      // A file per commit, gone once hashed: a crash leaves at most one behind (no folder).
      const prefix = path.join(tmpdir(), `conductor-commit-${randomUUID()}-`);
      commits = { lines: git.spawnLines(repo.root, ['hash-object', '-t', 'commit', '-w', '--no-filters', '--stdin-paths'], { env: idents.env }), prefix, author, committer };
    }
    // Interactive transactions (start/commit in one session) came with git 2.27.
    const refs = versionAtLeast(version, 2, 27) ? git.spawnLines(repo.root, ['update-ref', '-m', 'conductor', '--stdin']) : null;
    return new IntegrationWriter(repo, commits, refs);
  }

  /** The commit `commit-tree <tree> -p… -m <message>` would write, written. */
  async commitTree(tree: string, parents: readonly string[], message: string): Promise<string> {
    // commit-tree refuses a NUL in the message: let it say so.
    if (!this.commits || message.includes('\0')) return this.repo.commitTree(tree, parents, message);
    const { lines, prefix, author, committer } = this.commits;
    const body = [
      `tree ${tree}\n`,
      ...parents.map((p) => `parent ${p}\n`),
      `author ${identAt(author)}\ncommitter ${identAt(committer)}\n\n`,
      // -m ends the message with a line break when it has none.
      message === '' || message.endsWith('\n') ? message : `${message}\n`,
    ].join('');
    const file = `${prefix}${this.count++}`;
    await fs.writeFile(file, body);
    const [id] = await lines.request(`${file}\n`, 1).finally(() => fs.rm(file, { force: true }));
    if (!OID.test(id)) throw new Error(`git hash-object answered "${id}" for a commit`);
    return id;
  }

  /** Moves `ref` to `next` only if it is at `expected`: one transaction, done when this resolves. */
  async compareAndSwap(ref: string, next: string, expected: string): Promise<void> {
    if (!this.refs) return this.repo.compareAndSwap(ref, next, expected);
    const answer = await this.refs.request(`start\nupdate ${ref} ${next} ${expected}\ncommit\n`, 2);
    if (answer[0] !== 'start: ok' || answer[1] !== 'commit: ok') throw new Error(`git update-ref --stdin answered "${answer.join('; ')}"`);
  }

  async close(): Promise<void> {
    await Promise.all([this.refs?.close(), this.commits?.lines.close()]);
  }
}

interface Ident {
  who: string;
  /** The date git was given (GIT_*_DATE), kept for every commit; null: each commit's own time. */
  fixed: string | null;
}

function parseIdent(text: string, dateVar: string): Ident | null {
  const m = IDENT.exec(text);
  if (!m) return null;
  return { who: m[1], fixed: process.env[dateVar] ? `${m[2]} ${m[3]}` : null };
}

/** As git stamps a commit made now: seconds since the epoch and the local zone as ±hhmm. */
function identAt(ident: Ident): string {
  if (ident.fixed) return `${ident.who} ${ident.fixed}`;
  const now = new Date();
  const offset = -now.getTimezoneOffset();
  const abs = Math.abs(offset);
  const zone = `${offset < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`;
  return `${ident.who} ${Math.floor(now.getTime() / 1000)} ${zone}`;
}

/**
 * From `config -z --get-regexp` of commit.gpgSign and i18n.commitEncoding: whether commits are
 * unsigned and UTF-8, the only ones written here. A value git would not read as a boolean counts
 * as signing: commit-tree then reports it.
 */
export function plainCommits(configZ: string): boolean {
  let sign = false;
  let utf8 = true;
  for (const { key, value } of parseConfigZ(configZ)) {
    if (key === 'commit.gpgsign') sign = gitBool(value) !== false;
    else if (key === 'i18n.commitencoding') utf8 = /^utf-?8$/i.test(value ?? '');
  }
  return !sign && utf8;
}
