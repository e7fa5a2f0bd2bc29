// IntegrationWriter: merge commits written through one hash-object process are the commits
// `git commit-tree -m` writes, byte for byte; signing or another commit encoding falls back to
// commit-tree; the ref moves through one update-ref session, compare-and-swap kept.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { GitRunner } from '../../src/infra/git/gitRunner';
import { IntegrationWriter, plainCommits } from '../../src/infra/git/integrationWriter';
import { GitRepo } from '../../src/infra/git/repo';
import { git, makeRepo, type TempRepo } from '../support/gitRepo';
import { gitSpy } from '../support/gitSpy';

const repos: TempRepo[] = [];
after(() => repos.forEach((r) => r.cleanup()));

function twoBranches(): { repo: TempRepo; base: string; a: string; b: string; tree: string } {
  const repo = makeRepo({ 'x.txt': 'x\n' });
  repos.push(repo);
  const base = git(repo.root, 'rev-parse', 'HEAD').trim();
  git(repo.root, 'commit', '-q', '--allow-empty', '-m', 'a');
  const a = git(repo.root, 'rev-parse', 'HEAD').trim();
  git(repo.root, 'checkout', '-q', '-b', 'other', base);
  git(repo.root, 'commit', '-q', '--allow-empty', '-m', 'b');
  const b = git(repo.root, 'rev-parse', 'HEAD').trim();
  return { repo, base, a, b, tree: git(repo.root, 'rev-parse', `${base}^{tree}`).trim() };
}

/** `git commit-tree` as the writer runs it: the process's own environment, no test identity added. */
const commitTree = (root: string, tree: string, parents: string[], message: string): string =>
  execFileSync('git', ['commit-tree', tree, ...parents.flatMap((p) => ['-p', p]), '-m', message], { cwd: root, encoding: 'utf8' }).trim();

const MESSAGES = ['conductor: merge a (contracts/a.md)', 'two lines\n\nand a body', 'ends with a break\n', 'ünïcödé — ✓'];

async function withEnv<T>(vars: Record<string, string>, f: () => Promise<T>): Promise<T> {
  const old = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  try {
    return await f();
  } finally {
    for (const [k, v] of Object.entries(old)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
  }
}

test('with the dates fixed (GIT_*_DATE), every commit has the id commit-tree gives it', async () => {
  const { repo, a, b, tree } = twoBranches();
  const dates = { GIT_AUTHOR_DATE: '1700000000 +0130', GIT_COMMITTER_DATE: '1700000100 -0500', GIT_AUTHOR_NAME: 'Ann Author', GIT_AUTHOR_EMAIL: 'ann@example.invalid', GIT_COMMITTER_NAME: 'Cy Committer', GIT_COMMITTER_EMAIL: 'cy@example.invalid' };
  await withEnv(dates, async () => {
    const runner = gitSpy();
    const writer = await IntegrationWriter.open(runner, new GitRepo(repo.root, runner));
    try {
      for (const message of MESSAGES) {
        const expected = commitTree(repo.root, tree, [a, b], message);
        assert.equal(await writer.commitTree(tree, [a, b], message), expected, JSON.stringify(message));
        assert.equal(git(repo.root, 'cat-file', '-t', expected).trim(), 'commit');
      }
    } finally {
      await writer.close();
    }
    assert.equal(runner.count('commit-tree'), 0);
  });
});

test('with the dates git takes as now, the commit is commit-tree\'s but for the seconds', async () => {
  const { repo, a, b, tree } = twoBranches();
  const runner = new GitRunner();
  const writer = await IntegrationWriter.open(runner, new GitRepo(repo.root, runner));
  const before = Math.floor(Date.now() / 1000);
  const id = await writer.commitTree(tree, [a, b], MESSAGES[0]).finally(() => writer.close());
  const after = Math.ceil(Date.now() / 1000);
  const expected = git(repo.root, 'cat-file', 'commit', commitTree(repo.root, tree, [a, b], MESSAGES[0]));
  const written = git(repo.root, 'cat-file', 'commit', id);
  const stamp = / (\d+) ([+-]\d{4})$/gm;
  assert.equal(written.replace(stamp, ' T $2'), expected.replace(stamp, ' T $2'));
  for (const [, seconds] of written.matchAll(stamp)) assert.ok(Number(seconds) >= before && Number(seconds) <= after, seconds);
});

test('commit.gpgSign set: commits are left to commit-tree (which, as plumbing, does not sign either)', async () => {
  const { repo, a, b, tree } = twoBranches();
  git(repo.root, 'config', 'commit.gpgSign', 'true');
  git(repo.root, 'config', 'gpg.program', 'false');
  await withEnv({ GIT_AUTHOR_DATE: '1700000000 +0000', GIT_COMMITTER_DATE: '1700000000 +0000' }, async () => {
    const runner = gitSpy();
    const writer = await IntegrationWriter.open(runner, new GitRepo(repo.root, runner));
    try {
      assert.equal(await writer.commitTree(tree, [a, b], 'm'), commitTree(repo.root, tree, [a, b], 'm'));
    } finally {
      await writer.close();
    }
    assert.equal(runner.count('commit-tree'), 1);
  });
});

test('plainCommits reads commit.gpgSign and i18n.commitEncoding as git does', () => {
  const z = (...entries: string[]) => entries.map((e) => `${e}\0`).join('');
  assert.equal(plainCommits(''), true);
  for (const v of ['true', 'yes', 'On', '1', '-3']) assert.equal(plainCommits(z(`commit.gpgsign\n${v}`)), false, v);
  assert.equal(plainCommits(z('commit.gpgsign')), false, 'a key without a value is true');
  assert.equal(plainCommits(z('commit.gpgsign\nmaybe')), false, 'a value git refuses is left to commit-tree');
  for (const v of ['false', 'no', 'off', '0', '']) assert.equal(plainCommits(z(`commit.gpgsign\n${v}`)), true, v);
  assert.equal(plainCommits(z('commit.gpgsign\ntrue', 'commit.gpgsign\nfalse')), true, 'the last value wins');
  assert.equal(plainCommits(z('i18n.commitencoding\nISO-8859-1')), false);
  assert.equal(plainCommits(z('i18n.commitencoding\nutf8')), true);
});

test('compareAndSwap moves the ref only from the expected commit; a mismatch fails as a conflict', async () => {
  const { repo, base, a, b } = twoBranches();
  const runner = gitSpy();
  const writer = await IntegrationWriter.open(runner, new GitRepo(repo.root, runner));
  try {
    git(repo.root, 'update-ref', 'refs/heads/integ', base);
    await writer.compareAndSwap('refs/heads/integ', a, base);
    assert.equal(git(repo.root, 'rev-parse', 'integ').trim(), a);
    await writer.compareAndSwap('refs/heads/integ', b, a);
    assert.equal(git(repo.root, 'rev-parse', 'integ').trim(), b);
    await assert.rejects(writer.compareAndSwap('refs/heads/integ', base, a), (e: Error & { reason?: string }) => e.reason === 'conflict');
    assert.equal(git(repo.root, 'rev-parse', 'integ').trim(), b);
  } finally {
    await writer.close().catch(() => undefined);
  }
  assert.equal(runner.count('update-ref'), 0);
});
