// GitRepo.agentGitContext and branchTips against real git: what an agent's launch is told.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, realpathSync, writeFileSync } from 'node:fs';
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

test('agentGitContext: a conditional include that matches one worktree\'s branch gives that worktree its own identity', async () => {
  const repo = makeRepo({ 'a.txt': 'a\n' });
  try {
    const wt = path.join(repo.root, '..', 'wt-onbranch');
    git(repo.root, 'worktree', 'add', '-q', '-b', 'agents/m', wt);
    git(repo.root, 'config', 'user.name', 'Main Name');
    const include = path.join(repo.root, '..', 'agents.gitconfig');
    writeFileSync(include, '[user]\n\tname = Agent Name\n');
    git(repo.root, 'config', 'includeIf.onbranch:agents/**.path', include);
    const repoPort = new GitRepo(repo.root, new GitRunner());
    // Both in the same burst: the identity read for one worktree must not be reused for the other.
    const [main, agent] = await Promise.all([repoPort.agentGitContext(repo.root), repoPort.agentGitContext(wt)]);
    assert.equal(main.identity.GIT_AUTHOR_NAME, 'Main Name');
    assert.equal(agent.identity.GIT_AUTHOR_NAME, git(wt, 'config', '--get', 'user.name').trim());
    assert.equal(agent.identity.GIT_AUTHOR_NAME, 'Agent Name');
  } finally {
    repo.cleanup();
  }
});

test('agentGitContext: with per-worktree config, each worktree\'s own identity', async () => {
  const repo = makeRepo({ 'a.txt': 'a\n' });
  try {
    const wt = path.join(repo.root, '..', 'wt-own');
    git(repo.root, 'worktree', 'add', '-q', '-b', 'own', wt);
    git(repo.root, 'config', 'user.email', 'main@example.com');
    git(repo.root, 'config', 'extensions.worktreeConfig', 'true');
    git(wt, 'config', '--worktree', 'user.email', 'agent@example.com');
    const repoPort = new GitRepo(repo.root, new GitRunner());
    assert.equal((await repoPort.agentGitContext(repo.root)).identity.GIT_COMMITTER_EMAIL, 'main@example.com');
    assert.equal((await repoPort.agentGitContext(wt)).identity.GIT_COMMITTER_EMAIL, 'agent@example.com');
  } finally {
    repo.cleanup();
  }
});

test('agentGitContext: the git folders read from a worktree\'s .git file are the ones git names, relative paths included', async () => {
  const repo = makeRepo({ 'a.txt': 'a\n' });
  try {
    const wt = path.join(repo.root, '..', 'wt-relative');
    git(repo.root, 'worktree', 'add', '-q', '-b', 'rel', wt);
    const absolute = readFileSync(path.join(wt, '.git'), 'utf8').trim().slice('gitdir: '.length);
    writeFileSync(path.join(wt, '.git'), `gitdir: ${path.relative(wt, absolute)}\n`);
    const ctx = await new GitRepo(repo.root, new GitRunner()).agentGitContext(wt);
    const [gitDir, commonDir] = git(wt, 'rev-parse', '--path-format=absolute', '--git-dir', '--git-common-dir').trim().split('\n');
    assert.equal(realpathSync(ctx.gitDir), realpathSync(gitDir));
    assert.equal(realpathSync(ctx.commonDir), realpathSync(commonDir));
  } finally {
    repo.cleanup();
  }
});
