import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GitError, GitRunner, classifyGitError, parseGitVersion, runGit, versionAtLeast } from '../../src/infra/git/gitRunner';

describe('gitRunner', () => {
  let dir: string;
  let repo: string;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'git-runner-'));
    repo = path.join(dir, 'repo');
    await runGit(dir, ['init', '-q', '-b', 'main', repo]);
    await writeFile(path.join(repo, 'a.txt'), 'a\n');
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('returns stdout, stderr and exit code', async () => {
    const r = await runGit(repo, ['rev-parse', '--is-inside-work-tree']);
    assert.deepEqual(r, { stdout: 'true\n', stderr: '', exitCode: 0 });
  });

  test('allowed exit codes are answers, not errors', async () => {
    const r = await runGit(repo, ['show-ref', '--verify', '--quiet', 'refs/heads/nope'], { allowExitCodes: [1] });
    assert.equal(r.exitCode, 1);
  });

  test('a failure throws a typed GitError classified from stderr', async () => {
    const outside = path.join(dir, 'plain');
    await runGit(dir, ['init', '-q', outside]);
    await rm(path.join(outside, '.git'), { recursive: true });
    await assert.rejects(runGit(outside, ['status'], { env: { GIT_CEILING_DIRECTORIES: dir } }), (e: unknown) => {
      assert.ok(e instanceof GitError);
      assert.equal(e.reason, 'not-a-repository');
      assert.deepEqual(e.args, ['status']);
      assert.equal(e.exitCode, 128);
      assert.match(e.stderr, /not a git repository/);
      return true;
    });
    await assert.rejects(runGit(repo, ['rev-parse', '--verify', 'nosuch']), { name: 'GitError', reason: 'not-found' });
  });

  test('readOnly prepends --no-optional-locks', async () => {
    await assert.rejects(runGit(repo, ['rev-parse', '--verify', 'nosuch'], { readOnly: true }), (e: GitError) => {
      assert.deepEqual(e.args, ['--no-optional-locks', 'rev-parse', '--verify', 'nosuch']);
      return true;
    });
  });

  test('feeds standard input', async () => {
    const r = await runGit(repo, ['hash-object', '--stdin'], { input: 'hello\n' });
    assert.equal(r.stdout.trim(), 'ce013625030ba8dba906f756967f9e9ca394464a');
  });

  test('arguments are never interpreted by a shell', async () => {
    const r = await runGit(repo, ['hash-object', '--stdin', '--path', '$(touch pwned) `touch pwned2`; rm -rf x'], { input: 'x' });
    assert.equal(r.exitCode, 0);
    const s = await runGit(repo, ['status', '--porcelain']);
    assert.doesNotMatch(s.stdout, /pwned/);
  });

  test('a missing working folder is reported as not-found, not as a missing git', async () => {
    await assert.rejects(runGit(path.join(dir, 'missing'), ['status']), { name: 'GitError', reason: 'not-found' });
  });

  test('a missing git executable is reported as git-missing', async () => {
    await assert.rejects(new GitRunner('/nonexistent/git').run(repo, ['status']), { name: 'GitError', reason: 'git-missing' });
  });

  test('a timeout kills git and fails with reason timeout', async () => {
    await assert.rejects(
      runGit(repo, ['-c', 'alias.wait=!sleep 3', 'wait'], { timeoutMs: 200 }),
      { name: 'GitError', reason: 'timeout' },
    );
  });

  test('messages are in the C locale whatever the environment', async () => {
    await assert.rejects(runGit(repo, ['checkout', 'nosuch'], { env: { LANG: 'de_DE.UTF-8' } }), /did not match any/);
  });

  test('gitVersion parses and is cached per instance', async () => {
    const runner = new GitRunner();
    const v = await runner.gitVersion();
    assert.ok(v.major >= 2);
    assert.equal(await runner.gitVersion(), v);
    assert.notEqual(await new GitRunner().gitVersion(), v);
  });

  test('parseGitVersion and versionAtLeast', () => {
    assert.deepEqual(parseGitVersion('git version 2.39.5\n'), { major: 2, minor: 39, patch: 5 });
    assert.deepEqual(parseGitVersion('git version 2.45.1.windows.1'), { major: 2, minor: 45, patch: 1 });
    assert.deepEqual(parseGitVersion('git version 2.40'), { major: 2, minor: 40, patch: 0 });
    assert.equal(parseGitVersion('nope'), null);
    assert.ok(versionAtLeast({ major: 2, minor: 39, patch: 5 }, 2, 36));
    assert.ok(!versionAtLeast({ major: 2, minor: 35, patch: 9 }, 2, 36));
    assert.ok(versionAtLeast({ major: 3, minor: 0, patch: 0 }, 2, 36));
  });

  test('classifies the messages the adapters rely on', () => {
    const cases: [string, string][] = [
      ["fatal: a branch named 'x' already exists", 'ref-exists'],
      ["fatal: cannot lock ref 'refs/heads/a/b': 'refs/heads/a' exists; cannot create 'refs/heads/a/b'", 'ref-exists'],
      ["fatal: '/tmp/w' already exists", 'path-exists'],
      ["fatal: 'x' is already checked out at '/tmp/w'", 'checked-out'],
      ["fatal: Unable to create '/r/.git/index.lock': File exists.", 'locked'],
      ["error: cannot lock ref 'refs/heads/x': is at 1234 but expected 5678", 'conflict'],
      ['CONFLICT (content): Merge conflict in a.txt', 'conflict'],
      ["fatal: '/tmp/w' contains modified or untracked files, use --force to delete it", 'dirty'],
      ["error: The branch 'x' is not fully merged.", 'unmerged'],
      ["fatal: not a valid object name: 'nosuch'", 'not-found'],
      ["fatal: '-x' is not a valid branch name", 'invalid-name'],
      ['fatal: something else entirely', 'failed'],
    ];
    for (const [stderr, reason] of cases) assert.equal(classifyGitError(stderr), reason, stderr);
  });
});
