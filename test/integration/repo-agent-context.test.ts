// GitRepo.agentGitContext and branchTips against real git: what an agent's launch is told.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { realpathSync } from 'node:fs';
import * as path from 'node:path';
import { GitRunner } from '../../src/infra/git/gitRunner';
import { GitRepo } from '../../src/infra/git/repo';
import { git, makeRepo } from '../support/gitRepo';

test('agentGitContext: the worktree\'s git folders, and the identity as git config --get reads it (last value wins, empty is unset)', async () => {
  const repo = makeRepo({ 'a.txt': 'a\n' });
  try {
    const wt = path.join(repo.root, '..', 'wt');
    git(repo.root, 'worktree', 'add', '-q', '-b', 'm', wt);
    git(repo.root, 'config', 'user.name', 'First');
    git(repo.root, 'config', '--add', 'user.name', 'Second Name');
    git(repo.root, 'config', 'user.email', '');
    const ctx = await new GitRepo(repo.root, new GitRunner()).agentGitContext(wt);
    const common = realpathSync(path.join(repo.root, '.git'));
    assert.equal(realpathSync(ctx.commonDir), common);
    assert.equal(realpathSync(ctx.gitDir), path.join(common, 'worktrees', 'wt'));
    assert.equal(ctx.identity.GIT_AUTHOR_NAME, git(wt, 'config', '--get', 'user.name').trim());
    assert.equal(ctx.identity.GIT_AUTHOR_NAME, 'Second Name');
    assert.equal(ctx.identity.GIT_COMMITTER_NAME, 'Second Name');
    assert.equal('GIT_AUTHOR_EMAIL' in ctx.identity, false);
  } finally {
    repo.cleanup();
  }
});

test('branchTips: the commit of each branch that exists, none for a missing one or one below a name', async () => {
  const repo = makeRepo({ 'a.txt': 'a\n' });
  try {
    git(repo.root, 'branch', 'x/y');
    git(repo.root, 'branch', 'z');
    const head = git(repo.root, 'rev-parse', 'HEAD').trim();
    const tips = await new GitRepo(repo.root, new GitRunner()).branchTips(['z', 'x', 'missing', 'main']);
    assert.deepEqual(Object.fromEntries(tips), { z: head, main: head });
  } finally {
    repo.cleanup();
  }
});
