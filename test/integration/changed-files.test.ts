// countChangedFiles: many modules' changed-file counts by two git processes, each equal to what
// `git diff --name-only <base> <tip>` counts (the per-module diff the report ran before).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { countChangedFiles } from '../../src/infra/git/changes';
import { GitRunner } from '../../src/infra/git/gitRunner';
import { git, makeRepo, type TempRepo } from '../support/gitRepo';

const repos: TempRepo[] = [];
after(() => repos.forEach((r) => r.cleanup()));

test('counts per pair as git diff --name-only does: renames, no change, a missing branch or base, a hex-named file', async () => {
  const repo = makeRepo({ 'a.txt': 'a\n'.repeat(20), 'b.txt': 'b\n' });
  repos.push(repo);
  const base = git(repo.root, 'rev-parse', 'HEAD').trim();
  git(repo.root, 'checkout', '-qb', 'renames');
  git(repo.root, 'mv', 'a.txt', 'moved.txt');
  repo.write('b.txt', 'b2\n');
  repo.write(`${'f'.repeat(40)}`, 'hex\n');
  git(repo.root, 'add', '-A');
  git(repo.root, 'commit', '-qm', 'renames');
  git(repo.root, 'checkout', '-qb', 'empty', base);
  git(repo.root, 'commit', '-q', '--allow-empty', '-m', 'nothing');
  git(repo.root, 'checkout', '-qb', 'one', base);
  repo.write('c.txt', 'c\n');
  git(repo.root, 'add', '-A');
  git(repo.root, 'commit', '-qm', 'one');
  const pairs = [
    { base, tip: 'renames' },
    { base, tip: 'empty' },
    { base, tip: 'gone' },
    { base: 'no-such-base', tip: 'one' },
    { base, tip: 'one' },
    { base: 'one', tip: 'renames' },
    { base, tip: base },
  ];
  const diffCount = (b: string, t: string): number => {
    const r = spawnSync('git', ['diff', '--name-only', b, t, '--'], { cwd: repo.root, encoding: 'utf8' });
    return r.status === 0 ? r.stdout.split('\n').filter(Boolean).length : 0;
  };
  const counts = await countChangedFiles(new GitRunner(), repo.root, pairs);
  assert.deepEqual(counts, pairs.map((p) => diffCount(p.base, p.tip)));
  assert.deepEqual(counts, [3, 0, 0, 0, 1, 4, 0]);
});
