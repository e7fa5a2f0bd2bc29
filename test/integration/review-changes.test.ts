// Review Changes on a real repository: a module's worktree (committed, uncommitted, untracked and
// deleted files) against the commit its branch started from, a branch tip, and files at a commit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { GitRunner } from '../../src/infra/git/gitRunner';
import { fileAtCommit, refCommit, reviewChanges } from '../../src/infra/git/changes';
import { git, makeRepo } from '../support/gitRepo';

test('a worktree\'s committed and uncommitted changes against its base; the branch tip; files at a commit', async (t) => {
  const repo = makeRepo({ 'keep.txt': 'keep\n', 'edit.txt': 'one\n', 'gone.txt': 'bye\n' });
  t.after(() => repo.cleanup());
  const base = git(repo.root, 'rev-parse', 'HEAD').trim();
  const wt = path.join(path.dirname(repo.root), 'wt');
  git(repo.root, 'worktree', 'add', '-q', '-b', 'conductor/p/a', wt, base);
  mkdirSync(path.join(wt, 'src'));
  writeFileSync(path.join(wt, 'src', 'committed.js'), 'x\n');
  git(wt, 'add', '-A');
  git(wt, 'commit', '-qm', 'a: work');
  // Meanwhile main moves on: the module's base stays where it started.
  repo.write('main-only.txt', 'main\n');
  git(repo.root, 'add', '-A');
  git(repo.root, 'commit', '-qm', 'main moves');
  writeFileSync(path.join(wt, 'edit.txt'), 'two\n');
  writeFileSync(path.join(wt, 'untracked.js'), 'new\n');
  rmSync(path.join(wt, 'gone.txt'));

  const runner = new GitRunner();
  const live = await reviewChanges(runner, { title: 't', dir: wt, base, tip: null });
  assert.equal(live.base, base);
  assert.deepEqual(live.files, [
    { path: 'edit.txt', kind: 'modified' },
    { path: 'gone.txt', kind: 'deleted' },
    { path: 'src/committed.js', kind: 'added' },
    { path: 'untracked.js', kind: 'added' },
  ]);

  const tip = await reviewChanges(runner, { title: 't', dir: repo.root, base, tip: 'conductor/p/a' });
  assert.deepEqual(tip.files, [{ path: 'src/committed.js', kind: 'added' }]);

  assert.equal(await fileAtCommit(runner, repo.root, base, 'edit.txt'), 'one\n');
  assert.equal(await fileAtCommit(runner, repo.root, base, 'src/committed.js'), '', 'a file the commit does not have is empty');
  assert.equal(await refCommit(runner, repo.root, 'conductor/p/a'), git(wt, 'rev-parse', 'HEAD').trim());
  assert.equal(await refCommit(runner, repo.root, 'refs/conductor/checkpoints/phase-9'), null);
});
