import { test, describe, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GitError, GitRunner, runGit, type GitExec, type GitResult, type RunGitOptions } from '../../src/infra/git/gitRunner';
import { Worktrees } from '../../src/infra/git/worktrees';
import { branchNameError } from '../../src/infra/git/refFormat';
import type { EnsureResult, WorktreeRequest } from '../../src/core/ports';

// Creating a file is the dominant cost of these tests (the stress test uses a smaller repository).
const FILES = 200;
const AUTHOR = {
  GIT_AUTHOR_NAME: 'Test', GIT_AUTHOR_EMAIL: 'test@example.invalid',
  GIT_COMMITTER_NAME: 'Test', GIT_COMMITTER_EMAIL: 'test@example.invalid',
};

async function makeRepo(dir: string, files = FILES): Promise<string> {
  const repo = path.join(dir, 'repo');
  await runGit(dir, ['init', '-q', '-b', 'main', repo]);
  for (let d = 0; d < 10; d++) await mkdir(path.join(repo, `dir${d}`));
  await Promise.all(Array.from({ length: files }, (_, i) => writeFile(path.join(repo, `dir${i % 10}`, `file${i}.txt`), `content ${i}\n`)));
  await runGit(repo, ['add', '-A']);
  await commit(repo, 'initial');
  return repo;
}

async function commit(cwd: string, message: string): Promise<string> {
  await runGit(cwd, ['-c', 'commit.gpgsign=false', 'commit', '-q', '--allow-empty', '-m', message], { env: AUTHOR });
  return (await runGit(cwd, ['rev-parse', 'HEAD'])).stdout.trim();
}

async function branches(repo: string): Promise<string[]> {
  const r = await runGit(repo, ['for-each-ref', '--format=%(refname:short)', 'refs/heads/']);
  return r.stdout.split('\n').filter(Boolean).sort();
}

async function registrations(repo: string): Promise<string[]> {
  return readdir(path.join(repo, '.git', 'worktrees')).catch(() => []);
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(() => true, () => false);
}

async function trackedFiles(worktree: string): Promise<number> {
  return (await runGit(worktree, ['ls-files'])).stdout.split('\n').filter(Boolean).length;
}

function ok(r: EnsureResult): void {
  assert.notEqual(r.status, 'failed', r.status === 'failed' ? r.message : '');
}

/** A real runner that lets a test do something just before chosen git commands run. */
class HookedGit implements GitExec {
  private readonly inner = new GitRunner();
  constructor(private readonly before: (cwd: string, args: readonly string[]) => Promise<void>) {}
  async run(cwd: string, args: readonly string[], opts?: RunGitOptions): Promise<GitResult> {
    await this.before(cwd, args);
    return this.inner.run(cwd, args, opts);
  }
  gitVersion() {
    return this.inner.gitVersion();
  }
}

describe('Worktrees', () => {
  let dir: string;
  let repo: string;
  let base: string;
  let start: string;
  let wt: Worktrees;
  const req = (module: string, extra: Partial<WorktreeRequest> = {}): WorktreeRequest => ({
    branch: `conductor/phase-1/${module}`,
    path: path.join(base, 'phase-1', module),
    startPoint: 'main',
    ...extra,
  });

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'worktrees-'));
    repo = await makeRepo(dir);
    base = path.join(dir, 'repo.worktrees');
    start = (await runGit(repo, ['rev-parse', 'main'])).stdout.trim();
    wt = new Worktrees(repo, new GitRunner());
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  test('creates several worktrees at once, each on its branch with every file checked out', async () => {
    const requests = ['api', 'ui', 'db', 'cli', 'docs'].map((m) => req(m));
    const results = await wt.ensure(requests, { concurrency: 3 });
    for (const [i, r] of results.entries()) {
      ok(r);
      assert.equal(r.status, 'created');
      assert.equal(r.request, requests[i]);
      assert.equal(await trackedFiles(requests[i].path), FILES);
      assert.equal(await wt.isDirty(requests[i].path), false);
      assert.equal(await wt.headOf(requests[i].path), start);
      assert.equal(await readFile(path.join(requests[i].path, 'dir3', 'file13.txt'), 'utf8'), 'content 13\n');
    }
    const list = await wt.list();
    assert.equal(list.length, 6);
    assert.equal(list[0].branch, 'main');
    assert.deepEqual(list.slice(1).map((w) => w.branch).sort(), requests.map((r) => r.branch).sort());
    assert.ok(list.every((w) => w.head === start && !w.detached && !w.locked && !w.prunable && !w.bare));
  });

  test('each worktree is filled as soon as it is registered, beside the registrations still to come', async () => {
    const order: string[] = [];
    const hooked = new Worktrees(repo, new HookedGit(async (_cwd, args) => {
      if (args[0] === 'worktree' && args[1] === 'add') order.push('add');
      if (args[0] === 'read-tree') order.push('fill');
    }));
    const requests = ['api', 'ui', 'db', 'cli', 'docs'].map((m) => req(m));
    for (const r of await hooked.ensure(requests, { concurrency: 2 })) ok(r);
    assert.equal(order.filter((o) => o === 'fill').length, 5);
    // Registration stays one at a time; the first fill does not wait for the last registration.
    assert.ok(order.indexOf('fill') < order.lastIndexOf('add'), order.join(' '));
  });

  test('checkedOut: HEAD and branch of a worktree, read from it alone; null for a folder that is not one', async () => {
    const [r] = await wt.ensure([req('api')]);
    ok(r);
    assert.deepEqual(await wt.checkedOut(req('api').path), { head: start, branch: 'conductor/phase-1/api' });
    await runGit(req('api').path, ['checkout', '-q', '--detach']);
    assert.deepEqual(await wt.checkedOut(req('api').path), { head: start, branch: null });
    assert.equal(await wt.checkedOut(path.join(repo, 'dir3')), null, 'a folder of the main checkout');
    assert.equal(await wt.checkedOut(path.join(base, 'phase-1', 'missing')), null);
    assert.deepEqual(await wt.checkedOut(repo), { head: start, branch: 'main' });
  });

  test('a second call reuses what exists and touches nothing', async () => {
    const requests = [req('api'), req('ui')];
    await wt.ensure(requests);
    await writeFile(path.join(requests[0].path, 'dir0', 'file0.txt'), 'work in progress\n');
    const again = await wt.ensure(requests);
    assert.deepEqual(again.map((r) => r.status), ['reused', 'reused']);
    assert.equal(await readFile(path.join(requests[0].path, 'dir0', 'file0.txt'), 'utf8'), 'work in progress\n');
  });

  test('attaches to a branch left without a worktree, keeping its commits', async () => {
    const [first] = await wt.ensure([req('api')]);
    ok(first);
    const work = await commit(req('api').path, 'agent work');
    await wt.remove(req('api').path);
    assert.equal(await wt.branchExists(req('api').branch), true);

    const [again] = await wt.ensure([req('api')]);
    assert.equal(again.status, 'attached');
    assert.equal(again.head, work);
    assert.equal(await wt.headOf(req('api').path), work);
    assert.equal(await trackedFiles(req('api').path), FILES);
  });

  test('finishes a worktree that a crash left registered but never checked out', async () => {
    await runGit(repo, ['worktree', 'add', '-q', '--no-checkout', '-b', req('api').branch, req('api').path, 'main']);
    assert.equal(await trackedFiles(req('api').path), 0);
    const [r] = await wt.ensure([req('api')]);
    assert.equal(r.status, 'reused');
    assert.equal(await trackedFiles(req('api').path), FILES);
    assert.equal(await wt.isDirty(req('api').path), false);
  });

  test('checkout: false registers without filling; populate fills it later at its branch\'s commit then', async () => {
    const [r] = await wt.ensure([req('api')], { checkout: false });
    ok(r);
    assert.equal(r.status, 'created');
    assert.equal(await trackedFiles(req('api').path), 0);
    assert.deepEqual(await readdir(req('api').path).then((names) => names.filter((n) => n !== '.git')), []);
    const moved = await commit(repo, 'moved on main');
    await runGit(repo, ['update-ref', `refs/heads/${req('api').branch}`, moved]);
    await wt.populate(req('api').path);
    assert.equal(await trackedFiles(req('api').path), FILES);
    assert.equal(await wt.isDirty(req('api').path), false);
    assert.equal(await wt.headOf(req('api').path), moved);
    const [again] = await wt.ensure([req('api')], { checkout: false });
    assert.equal(again.status, 'reused');
  });

  test('a non-empty folder in the way fails that request only, and nothing is deleted', async () => {
    const blocked = req('ui');
    await mkdir(blocked.path, { recursive: true });
    await writeFile(path.join(blocked.path, 'notes.txt'), 'mine\n');
    const results = await wt.ensure([req('api'), blocked, req('db')]);
    ok(results[0]);
    ok(results[2]);
    assert.equal(results[1].status, 'failed');
    assert.equal(results[1].status === 'failed' && results[1].reason, 'path-exists');
    assert.match(results[1].status === 'failed' ? results[1].message : '', /already exists/);
    assert.equal(await readFile(path.join(blocked.path, 'notes.txt'), 'utf8'), 'mine\n');
    assert.deepEqual(await branches(repo), ['conductor/phase-1/api', 'conductor/phase-1/db', 'main']);
    assert.equal((await registrations(repo)).length, 2);
  });

  test('an invalid start point creates nothing', async () => {
    const [bad, good] = await wt.ensure([req('api', { startPoint: 'no-such-branch' }), req('ui')]);
    assert.equal(bad.status === 'failed' && bad.reason, 'not-found');
    ok(good);
    assert.deepEqual(await branches(repo), ['conductor/phase-1/ui', 'main']);
    assert.equal(await exists(req('api').path), false);
  });

  test('when git fails after creating the branch, branch and registration are rolled back', async () => {
    // A folder appearing between the check and `git worktree add -b`: git creates the branch, then fails.
    const target = req('ui').path;
    const git = new HookedGit(async (_cwd, args) => {
      if (args[0] === 'worktree' && args[1] === 'add' && args.includes(target)) {
        await mkdir(target, { recursive: true });
        await writeFile(path.join(target, 'raced.txt'), 'x');
      }
    });
    const results = await new Worktrees(repo, git).ensure([req('api'), req('ui')]);
    ok(results[0]);
    assert.equal(results[1].status, 'failed');
    assert.deepEqual(await branches(repo), ['conductor/phase-1/api', 'main']);
    assert.equal((await registrations(repo)).length, 1);
    assert.equal(await readFile(path.join(target, 'raced.txt'), 'utf8'), 'x');
  });

  test('when checking out fails, the new worktree and branch are removed and a retry succeeds', async () => {
    const target = req('db').path;
    let sabotage = true;
    const git = new HookedGit(async (cwd, args) => {
      if (sabotage && cwd === target && args[0] === 'read-tree') {
        await mkdir(path.join(target, 'dir1'), { recursive: true });
        await writeFile(path.join(target, 'dir1', 'file1.txt'), 'untracked in the way\n');
      }
    });
    const faulty = new Worktrees(repo, git);
    const results = await faulty.ensure([req('api'), req('db'), req('ui')], { concurrency: 3 });
    assert.deepEqual(results.map((r) => r.status), ['created', 'failed', 'created']);
    assert.equal(results[1].status === 'failed' && results[1].reason, 'dirty');
    assert.equal(await exists(target), false);
    assert.deepEqual(await branches(repo), ['conductor/phase-1/api', 'conductor/phase-1/ui', 'main']);
    assert.equal((await registrations(repo)).length, 2);

    sabotage = false;
    const retry = await faulty.ensure([req('api'), req('db'), req('ui')]);
    assert.deepEqual(retry.map((r) => r.status), ['reused', 'created', 'reused']);
  });

  test('rollback keeps a branch that moved since this call created it', async () => {
    const target = req('db').path;
    const git = new HookedGit(async (cwd, args) => {
      if (cwd === target && args[0] === 'read-tree') {
        // Someone commits on the new branch, then a stray file makes the checkout fail.
        const moved = (await runGit(repo, ['commit-tree', '-p', start, '-m', 'meanwhile', `${start}^{tree}`], { env: AUTHOR })).stdout.trim();
        await runGit(repo, ['update-ref', `refs/heads/${req('db').branch}`, moved]);
        await mkdir(path.join(target, 'dir1'));
        await writeFile(path.join(target, 'dir1', 'file1.txt'), 'in the way\n');
      }
    });
    const [r] = await new Worktrees(repo, git).ensure([req('db')]);
    assert.equal(r.status, 'failed');
    assert.match(r.status === 'failed' ? r.message : '', /kept because it moved/);
    assert.equal(await wt.commitsAhead(req('db').branch, 'main'), 1);
    assert.equal((await registrations(repo)).length, 0);
    assert.equal(await exists(target), false);
  });

  test('refuses a path registered to another branch, a branch checked out elsewhere, and duplicates', async () => {
    await wt.ensure([req('api')]);
    const results = await wt.ensure([
      req('other', { path: req('api').path }),
      req('api', { path: path.join(base, 'elsewhere') }),
      req('x'),
      req('x', { path: path.join(base, 'x2') }),
      req('y', { branch: 'main' }),
    ]);
    assert.deepEqual(results.map((r) => r.status === 'failed' ? r.reason : r.status),
      ['path-exists', 'checked-out', 'created', 'invalid-request', 'checked-out']);
  });

  test('hostile branch names are rejected before git sees them', async () => {
    const hostile = ['-x', '--orphan', 'a b', 'a..b', 'x.lock', 'a/.hidden', 'a@{1}', 'a~1', 'a^', 'a:b', 'a?', 'a*', 'a[b', 'a\\b',
      '/a', 'a/', 'a//b', 'a.', '@', 'HEAD', '', 'tab\there', 'nl\nhere'];
    const results = await wt.ensure(hostile.map((branch, i) => ({ branch, path: path.join(base, `h${i}`), startPoint: 'main' })));
    for (const r of results) assert.equal(r.status === 'failed' && r.reason, 'invalid-name', JSON.stringify(r.request.branch));
    assert.deepEqual(await branches(repo), ['main']);
    assert.deepEqual(await readdir(dir), ['repo']);
  });

  test('the branch name check agrees with git check-ref-format --branch', async () => {
    const names = ['ok', 'conductor/p/m', 'a-b_c.d', '$(touch x)', "it's", 'q"q', '-x', 'a b', 'a..b', 'x.lock', 'a/x.lock/b',
      '.a', 'a/.b', 'a@{u}', 'a@b', '@', 'HEAD', 'a~', 'a^b', 'a:b', 'a?', 'a*', 'a[', 'a\\b', '/a', 'a/', 'a//b', 'a.', 'a/.',
      'ü', 'a\x7f', 'a\tb', 'x/HEAD', 'lock', '.lock'];
    for (const name of names) {
      const r = await runGit(repo, ['check-ref-format', '--branch', name], { allowExitCodes: [128] });
      // `--branch @` expands @ to the current branch; as a new branch name "@" is refused (refs rule 9).
      const gitAccepts = r.exitCode === 0 && name !== '@';
      assert.equal(branchNameError(name) === null, gitAccepts, JSON.stringify(name));
    }
  });

  test('odd but valid names and hostile paths are passed to git verbatim, never to a shell', async () => {
    const requests: WorktreeRequest[] = [
      { branch: 'conductor/$(touch${IFS}pwned)`touch${IFS}pwned2`', path: path.join(base, 'sub $(touch pwned) `touch pwned2`'), startPoint: 'main' },
      { branch: "conductor/it's\"quoted\"", path: path.join(base, `it's "quoted"; rm -rf x`), startPoint: 'main' },
      { branch: 'conductor/dash', path: '-x', startPoint: 'main' },
      { branch: 'conductor/dash2', path: path.join(base, '--force'), startPoint: 'main' },
      { branch: 'conductor/startpoint', path: path.join(base, 'sp'), startPoint: '--orphan' },
    ];
    const results = await wt.ensure(requests);
    results.slice(0, 4).forEach(ok);
    assert.equal(results[4].status === 'failed' && results[4].reason, 'not-found');
    assert.equal(results[2].status !== 'failed' && results[2].path, path.join(repo, '-x'));
    for (const r of results.slice(0, 4)) assert.equal(await trackedFiles(r.status !== 'failed' ? r.path : ''), FILES);
    const everywhere = [dir, repo, base, process.cwd()];
    for (const d of everywhere) {
      const entries = await readdir(d).catch(() => []);
      assert.ok(!entries.some((e) => e.startsWith('pwned')), d);
    }
    assert.deepEqual((await wt.ensure(requests.slice(0, 4))).map((r) => r.status), ['reused', 'reused', 'reused', 'reused']);
    await wt.remove('-x');
    await wt.remove(requests[0].path, { force: true });
    await wt.deleteBranch(requests[0].branch, { force: true });
    assert.equal(await wt.branchExists(requests[0].branch), false);
    assert.equal(await wt.branchExists('conductor/dash'), true);
  });

  test('list reports locked and prunable worktrees', async () => {
    await wt.ensure([req('api'), req('ui')]);
    await runGit(repo, ['worktree', 'lock', '--reason', 'agent running', req('api').path]);
    await rm(req('ui').path, { recursive: true });
    const list = await wt.list();
    const api = list.find((w) => w.branch === req('api').branch)!;
    const ui = list.find((w) => w.branch === req('ui').branch)!;
    assert.equal(api.locked, true);
    assert.equal(api.lockReason, 'agent running');
    assert.equal(ui.prunable, true);
    await assert.rejects(wt.remove(req('api').path, { force: true }), { reason: 'locked' });
  });

  test('a registration whose folder was deleted is pruned by the next ensure, which then makes that worktree again', async () => {
    const git: string[] = [];
    const counted = new Worktrees(repo, new HookedGit(async (_cwd, args) => void git.push(args.slice(0, 2).join(' '))));
    for (const r of await counted.ensure([req('api'), req('ui')])) ok(r);
    assert.equal(git.filter((g) => g === 'worktree prune').length, 0, 'nothing to prune: no prune process');
    await rm(req('ui').path, { recursive: true });
    const [again] = await counted.ensure([req('ui')]);
    ok(again);
    assert.equal(git.filter((g) => g === 'worktree prune').length, 1);
    assert.equal(again.status, 'attached');
    assert.equal(await trackedFiles(req('ui').path), FILES);
  });

  test('two ensure calls at once on one instance both succeed', async () => {
    const [first, second] = await Promise.all([
      wt.ensure([req('a1'), req('a2'), req('a3')]),
      wt.ensure([req('b1'), req('b2'), req('b3')]),
    ]);
    [...first, ...second].forEach(ok);
    assert.equal((await registrations(repo)).length, 6);
  });

  test('outside a repository every request fails with a reason instead of throwing', async () => {
    const elsewhere = new Worktrees(path.join(dir, 'not-a-repo'), new GitRunner());
    await mkdir(path.join(dir, 'not-a-repo'));
    const results = await elsewhere.ensure([req('api'), req('ui')]);
    assert.deepEqual(results.map((r) => r.status === 'failed' && r.reason), ['not-a-repository', 'not-a-repository']);
  });

  test('remove refuses a dirty worktree unless forced', async () => {
    const [a, b] = [req('api'), req('ui')];
    await wt.ensure([a, b]);
    await writeFile(path.join(a.path, 'dir0', 'file0.txt'), 'changed\n');
    await writeFile(path.join(b.path, 'new-untracked.txt'), 'new\n');
    for (const p of [a.path, b.path]) {
      assert.equal(await wt.isDirty(p), true);
      await assert.rejects(wt.remove(p), (e: unknown) => e instanceof GitError && e.reason === 'dirty');
      assert.equal(await exists(p), true);
    }
    await wt.remove(a.path, { force: true });
    assert.equal(await exists(a.path), false);
    await rm(path.join(b.path, 'new-untracked.txt'));
    await wt.remove(b.path);
    assert.equal((await wt.list()).length, 1);
    await assert.rejects(wt.remove(b.path), { reason: 'not-found' });
    await assert.rejects(wt.remove(repo), { reason: 'invalid-request' });
  });

  test('remove of a worktree whose folder was deleted drops the registration', async () => {
    await wt.ensure([req('api')]);
    await rm(req('api').path, { recursive: true });
    await wt.remove(req('api').path);
    assert.deepEqual(await registrations(repo), []);
  });

  test('deleteBranch refuses unmerged work and checked-out branches unless forced', async () => {
    const [a, b] = [req('api'), req('ui.v2')];
    await wt.ensure([a, b]);
    await commit(a.path, 'one');
    await commit(a.path, 'two');
    assert.equal(await wt.commitsAhead(a.branch, 'main'), 2);
    assert.equal(await wt.commitsAhead(b.branch, 'main'), 0);
    await assert.rejects(wt.deleteBranch(a.branch, { mergedInto: 'main' }), { reason: 'checked-out' });
    await wt.remove(a.path);
    await assert.rejects(wt.deleteBranch(a.branch, { mergedInto: 'main' }), (e: unknown) =>
      e instanceof GitError && e.reason === 'unmerged' && /2 commit/.test(e.message));
    assert.equal(await wt.branchExists(a.branch), true);
    await wt.deleteBranch(a.branch, { force: true });
    assert.equal(await wt.branchExists(a.branch), false);

    await wt.remove(b.path);
    await runGit(repo, ['config', `branch.${b.branch}.description`, 'module ui']);
    await wt.deleteBranch(b.branch, { mergedInto: 'main' });
    assert.equal(await wt.branchExists(b.branch), false);
    const config = await runGit(repo, ['config', '--get-regexp', '^branch\\.'], { allowExitCodes: [1] });
    assert.doesNotMatch(config.stdout, /ui\.v2/);
    await assert.rejects(wt.deleteBranch(b.branch, { force: true }), { reason: 'not-found' });
    await assert.rejects(wt.branchExists('-x'), { reason: 'invalid-name' });
  });
});

describe('Worktrees under concurrency', () => {
  test('8 worktrees at once, 50 times over, with cleanup between: no failure', async (t) => {
    // The race is in git's worktree registry, not in the files: a small repository keeps this quick.
    const dir = await mkdtemp(path.join(tmpdir(), 'worktrees-stress-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const small = await makeRepo(dir, 20);
    const base = path.join(dir, 'repo.worktrees');
    const sw = new Worktrees(small, new GitRunner());
    const failures: string[] = [];
    for (let round = 0; round < 50; round++) {
      const requests = Array.from({ length: 8 }, (_, m) => ({
        branch: `conductor/stress/m${m}`, path: path.join(base, `r${round}`, `m${m}`), startPoint: 'main',
      }));
      const results = await sw.ensure(requests, { concurrency: 8 });
      for (const r of results) if (r.status !== 'created') failures.push(r.status === 'failed' ? r.message : r.status);
      // Bulk cleanup (remove and deleteBranch are covered above): folders, registrations, branches.
      await rm(path.join(base, `r${round}`), { recursive: true });
      await runGit(small, ['worktree', 'prune']);
      await runGit(small, ['update-ref', '--stdin'], { input: requests.map((r) => `delete refs/heads/${r.branch}\n`).join('') });
    }
    assert.deepEqual(failures, []);
    assert.deepEqual(await branches(small), ['main']);
    assert.deepEqual(await registrations(small), []);
  });
});
