// What conduct checks before it creates or starts anything, and how it says what is wrong.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { git, makeRepo, type TempRepo } from '../support/gitRepo';
import { conductorBin, SCRIPTED_AGENT } from '../support/conductorBin';
import { contractFor, readyMd } from '../support/specBuilder';

const cleanups: (() => void)[] = [];
after(() => cleanups.forEach((c) => c()));

test('a repository with no commits yet: conduct says so (not "uncommitted changes") and creates nothing', async () => {
  const parent = mkdtempSync(path.join(tmpdir(), 'conductor-it-'));
  cleanups.push(() => rmSync(parent, { recursive: true, force: true }));
  const root = path.join(parent, 'repo');
  mkdirSync(path.join(root, 'contracts'), { recursive: true });
  writeFileSync(path.join(root, 'READY.md'), readyMd([{ number: 1, name: 'Shop', modules: ['a'] }]));
  writeFileSync(path.join(root, 'contracts/a.md'), contractFor('a'));
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: root });
  const r = await conductorBin(root, ['conduct', '1', '--agent', SCRIPTED_AGENT]);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.equal(r.stderr, `conductor: The repository ${root} has no commits yet: every module's worktree starts from a commit. Commit the plan first (git add -A && git commit -m "Plan"), then conduct.\n`);
  assert.doesNotMatch(r.stderr, /uncommitted/);
  assert.equal(existsSync(`${root}.worktrees`), false);
});

test('a sparse checkout: conduct warns that every worktree inherits its patterns', async () => {
  const repo: TempRepo = makeRepo({
    'READY.md': readyMd([{ number: 1, name: 'Shop', modules: ['a'] }]),
    'contracts/a.md': contractFor('a'),
    'docs/guide.md': 'outside the sparse patterns\n',
  });
  cleanups.push(() => repo.cleanup());
  git(repo.root, 'sparse-checkout', 'set', 'contracts');
  const r = await conductorBin(repo.root, ['conduct', '1', '--agent', SCRIPTED_AGENT]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(
    r.stdout,
    /warning: This checkout is sparse \(core\.sparseCheckout\): git gives every module's worktree the same sparse patterns, so agents see only those paths and fail on files outside them\. Run "git sparse-checkout disable"/,
  );
  assert.equal(existsSync(path.join(`${repo.root}.worktrees`, 'phase-1-shop', 'a', 'docs')), false, 'as said: the worktree is sparse too');
});

test('a checkout that is not sparse gets no such warning', async () => {
  const repo = makeRepo({ 'READY.md': readyMd([{ number: 1, name: 'Shop', modules: ['a'] }]), 'contracts/a.md': contractFor('a') });
  cleanups.push(() => repo.cleanup());
  const r = await conductorBin(repo.root, ['conduct', '1', '--agent', SCRIPTED_AGENT]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.doesNotMatch(r.stdout, /sparse/);
});
