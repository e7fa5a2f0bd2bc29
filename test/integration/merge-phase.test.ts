// mergePhase called directly, on branch layouts the CLI tests do not make: module branches that are
// already in the integration branch, or in each other, merges interrupted between modules, and the
// integration worktree filled while the merges run.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { createPhaseRun } from '../../src/core/run/createRun';
import type { PhaseRun } from '../../src/core/run/model';
import { SpecWorkspace } from '../../src/core/specWorkspace';
import { GitRunner, type GitExec } from '../../src/infra/git/gitRunner';
import { MergeTree } from '../../src/infra/git/mergeTree';
import { GitRepo } from '../../src/infra/git/repo';
import { Worktrees } from '../../src/infra/git/worktrees';
import { mergePhase, type MergeResult } from '../../src/infra/merge/phaseMerge';
import { gitSpy } from '../support/gitSpy';
import { readyMd } from '../support/specBuilder';
import { git, GIT_ENV, makeRepo, type TempRepo } from '../support/gitRepo';

const repos: TempRepo[] = [];
after(() => repos.forEach((r) => r.cleanup()));

function phaseOf(modules: string[]) {
  const ws = new SpecWorkspace();
  ws.setSpec('READY.md', readyMd([{ number: 1, name: 'T', modules }]));
  return ws.plan().phases[0];
}

function setup(modules: string[]): { repo: TempRepo; base: string; run: PhaseRun; phase: ReturnType<typeof phaseOf> } {
  const repo = makeRepo({ 'READY.md': readyMd([{ number: 1, name: 'T', modules }]), 'shared.txt': 'one\ntwo\nthree\n' });
  repos.push(repo);
  const base = git(repo.root, 'rev-parse', 'HEAD').trim();
  const phase = phaseOf(modules);
  const run = createPhaseRun(phase, { runId: 't', baseCommit: base, now: new Date().toISOString(), worktreeRoot: path.join(repo.root, '..', 'wt'), agent: 'x', maxParallel: 2, retries: 0 });
  run.modules = run.modules.map((m) => ({ ...m, state: 'complete', baseCommit: base }));
  return { repo, base, run, phase };
}

/** A commit on `branch` (made from `from`) adding `file` (its own name as content), without a checkout. */
function commitOn(repo: TempRepo, branch: string, from: string, file: string): string {
  const env = { ...process.env, ...GIT_ENV, GIT_INDEX_FILE: path.join(repo.root, '..', `index-${file}`) };
  const run = (args: string[], input?: string) => execFileSync('git', args, { cwd: repo.root, env, encoding: 'utf8', input }).trim();
  run(['read-tree', from]);
  run(['update-index', '--add', '--cacheinfo', `100644,${run(['hash-object', '-w', '--stdin'], `${file}\n`)},${file}`]);
  const commit = run(['commit-tree', run(['write-tree']), '-p', from, '-m', `add ${file}`]);
  git(repo.root, 'update-ref', `refs/heads/${branch}`, commit);
  return commit;
}

function merge(repo: TempRepo, run: PhaseRun, phase: ReturnType<typeof phaseOf>, runner: GitExec = new GitRunner()): Promise<MergeResult> {
  return mergePhase(
    phase,
    run,
    { git: runner, repo: new GitRepo(repo.root, runner), worktrees: new Worktrees(repo.root, runner), mergeTree: new MergeTree(repo.root, runner), conductorDir: path.join(repo.root, '.conductor') },
    { worktreeRoot: path.join(repo.root, '..', 'wt'), trust: false, commands: [], into: null, startFrom: null },
  );
}

const mergeSubjects = (repo: TempRepo, branch: string, base: string) =>
  git(repo.root, 'log', '--merges', '--format=%s', `${base}..${branch}`).split('\n').filter(Boolean).reverse();

test('module branches already contained (at the base, equal to or inside a merged branch) are merged without a merge commit of their own', async () => {
  const { repo, base, run, phase } = setup(['a', 'b', 'c', 'd', 'e']);
  const branch = (id: string) => run.modules.find((m) => m.id === id)!.branch;
  const a = commitOn(repo, branch('a'), base, 'a.txt');
  git(repo.root, 'branch', '-f', branch('b'), a); // b: the same commit as a
  commitOn(repo, branch('c'), a, 'c.txt'); // c: a's work and its own
  git(repo.root, 'branch', '-f', branch('d'), base); // d: nothing of its own
  git(repo.root, 'branch', '-f', branch('e'), a); // e: a's commit again, after c was merged
  const result = await merge(repo, run, phase);
  assert.deepEqual(result.merged, ['a', 'b', 'c', 'd', 'e']);
  assert.deepEqual(mergeSubjects(repo, result.integrationBranch, base), ['conductor: merge a ()', 'conductor: merge c ()']);
  assert.equal(git(repo.root, 'rev-parse', result.integrationBranch).trim(), result.integrationCommit);
  assert.equal(readFileSync(path.join(result.integrationWorktree, 'c.txt'), 'utf8'), 'c.txt\n');
  assert.equal(git(result.integrationWorktree, 'status', '--porcelain'), '');
});

test('two module branches at the same commit, contained in no other: the second is merged without a commit of its own', async () => {
  const { repo, base, run, phase } = setup(['a', 'b', 'c']);
  const branch = (id: string) => run.modules.find((m) => m.id === id)!.branch;
  const a = commitOn(repo, branch('a'), base, 'a.txt');
  git(repo.root, 'branch', '-f', branch('b'), a);
  commitOn(repo, branch('c'), base, 'c.txt');
  const result = await merge(repo, run, phase);
  assert.deepEqual(result.merged, ['a', 'b', 'c']);
  assert.deepEqual(mergeSubjects(repo, result.integrationBranch, base), ['conductor: merge a ()', 'conductor: merge c ()']);
});

test('modules at one commit: the later ones are known merged without a git process each', async () => {
  const { repo, base, run, phase } = setup(['a', 'b', 'c', 'd']);
  const branch = (id: string) => run.modules.find((m) => m.id === id)!.branch;
  const a = commitOn(repo, branch('a'), base, 'a.txt');
  for (const id of ['b', 'd']) git(repo.root, 'branch', '-f', branch(id), a);
  commitOn(repo, branch('c'), base, 'c.txt');
  const counting = gitSpy();
  const result = await merge(repo, run, phase, counting);
  assert.deepEqual(result.merged, ['a', 'b', 'c', 'd']);
  assert.deepEqual(mergeSubjects(repo, result.integrationBranch, base), ['conductor: merge a ()', 'conductor: merge c ()']);
  // Only the one `merge-base --independent`: no is-ancestor check for b, d or a.
  assert.equal(counting.count('merge-base'), 1);
});

test('a merge stopped between modules, its integration worktree registered and being filled: the next run merges the rest and resets the worktree to the result', async () => {
  const { repo, base, run, phase } = setup(['a', 'b', 'c']);
  for (const m of run.modules) commitOn(repo, m.branch, base, `${m.id}.txt`);
  const first = await merge(repo, run, phase, gitSpy({ failRun: { command: 'update-ref', nth: 2 }, noLongLived: true })).then(() => null, (e: Error) => e);
  assert.match(String(first), /killed before git update-ref/);

  const result = await merge(repo, run, phase);
  assert.deepEqual(result.merged, ['a', 'b', 'c']);
  assert.deepEqual(mergeSubjects(repo, result.integrationBranch, base), ['conductor: merge a ()', 'conductor: merge b ()', 'conductor: merge c ()']);
  for (const id of ['a', 'b', 'c']) assert.equal(readFileSync(path.join(result.integrationWorktree, `${id}.txt`), 'utf8'), `${id}.txt\n`);
  assert.equal(git(result.integrationWorktree, 'status', '--porcelain', '--untracked-files=all'), '');
  assert.equal(git(result.integrationWorktree, 'rev-parse', 'HEAD').trim(), result.integrationCommit);
});

test('a new integration worktree is filled at the start while the merges run, then moved to the result: added, changed and deleted files', async () => {
  const { repo, base, run, phase } = setup(['a', 'b']);
  commitOn(repo, run.modules[0].branch, base, 'a.txt');
  // b changes shared.txt and deletes READY.md, without a checkout.
  const env = { ...process.env, ...GIT_ENV, GIT_INDEX_FILE: path.join(repo.root, '..', 'index-b') };
  const plumb = (args: string[], input?: string) => execFileSync('git', args, { cwd: repo.root, env, encoding: 'utf8', input }).trim();
  plumb(['read-tree', base]);
  plumb(['update-index', '--cacheinfo', `100644,${plumb(['hash-object', '-w', '--stdin'], 'changed\n')},shared.txt`]);
  plumb(['update-index', '--force-remove', 'READY.md']);
  git(repo.root, 'update-ref', `refs/heads/${run.modules[1].branch}`, plumb(['commit-tree', plumb(['write-tree']), '-p', base, '-m', 'b']));

  const recording = gitSpy();
  const result = await merge(repo, run, phase, recording);
  const readTrees = recording.calls.filter((c) => c.args[0] === 'read-tree').map((c) => c.args);
  assert.deepEqual(result.merged, ['a', 'b']);
  assert.deepEqual(readTrees, [
    ['read-tree', '-m', '-u', base],
    ['read-tree', '-m', '-u', base, result.integrationCommit],
  ]);
  const wt = result.integrationWorktree;
  assert.equal(readFileSync(path.join(wt, 'a.txt'), 'utf8'), 'a.txt\n');
  assert.equal(readFileSync(path.join(wt, 'shared.txt'), 'utf8'), 'changed\n');
  assert.equal(existsSync(path.join(wt, 'READY.md')), false);
  assert.equal(git(wt, 'status', '--porcelain', '--untracked-files=all'), '');
  assert.equal(git(wt, 'rev-parse', 'HEAD').trim(), result.integrationCommit);
});

test('merges write their commits and move the ref through long-lived processes: no commit-tree or update-ref per module', async () => {
  const { repo, base, run, phase } = setup(['a', 'b', 'c', 'd']);
  for (const m of run.modules) commitOn(repo, m.branch, base, `${m.id}.txt`);
  const counting = gitSpy();
  const result = await merge(repo, run, phase, counting);
  assert.deepEqual(result.merged, ['a', 'b', 'c', 'd']);
  assert.deepEqual(mergeSubjects(repo, result.integrationBranch, base), ['a', 'b', 'c', 'd'].map((id) => `conductor: merge ${id} ()`));
  assert.equal(counting.count('commit-tree'), 0);
  assert.equal(counting.count('update-ref'), 1, 'only the creation of the integration branch');
  assert.equal(counting.count('merge-tree'), 4);
  assert.equal(counting.count('hash-object', { longLived: true }), 1);
  assert.equal(counting.count('update-ref', { longLived: true }), 1);
  assert.equal(git(repo.root, 'fsck', '--no-dangling', '--connectivity-only'), '');
});

test('a merge stopped between modules in the update-ref session: the journal says which, the next run merges the rest once', async () => {
  const { repo, base, run, phase } = setup(['a', 'b', 'c']);
  for (const m of run.modules) commitOn(repo, m.branch, base, `${m.id}.txt`);
  const first = await merge(repo, run, phase, gitSpy({ failRequest: { command: 'update-ref', nth: 2 } })).then(() => null, (e: Error) => e);
  assert.match(String(first), /killed before update-ref request 2/);
  const branch = `conductor/integration/${run.slug}`;
  assert.deepEqual(mergeSubjects(repo, branch, base), ['conductor: merge a ()']);
  const journal = readFileSync(path.join(repo.root, '.conductor', 'merge', `${run.slug}.journal.jsonl`), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { step: string; module?: string });
  assert.deepEqual(journal.map((e) => [e.step, e.module]), [['create', undefined], ['intent', 'a'], ['merged', 'a'], ['intent', 'b']]);

  const notes: string[] = [];
  const result = await mergePhase(
    phase,
    run,
    { git: new GitRunner(), repo: new GitRepo(repo.root, new GitRunner()), worktrees: new Worktrees(repo.root, new GitRunner()), mergeTree: new MergeTree(repo.root, new GitRunner()), conductorDir: path.join(repo.root, '.conductor') },
    { worktreeRoot: path.join(repo.root, '..', 'wt'), trust: false, commands: [], into: null, startFrom: null, note: (t) => notes.push(t) },
  );
  assert.ok(notes.some((n) => /Recovering an interrupted merge/.test(n)), notes.join('\n'));
  assert.deepEqual(result.merged, ['a', 'b', 'c']);
  assert.deepEqual(mergeSubjects(repo, branch, base), ['conductor: merge a ()', 'conductor: merge b ()', 'conductor: merge c ()']);
  for (const id of ['a', 'b', 'c']) assert.equal(readFileSync(path.join(result.integrationWorktree, `${id}.txt`), 'utf8'), `${id}.txt\n`);
  assert.equal(git(result.integrationWorktree, 'status', '--porcelain', '--untracked-files=all'), '');
});
