// `conductor merge` says plainly which modules of the phase it did not merge, fails unless all of
// them merged and validated, and moves a user branch (--into) only then — or, with --partial, when
// what was merged validated, saying the branch got a partial phase.
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import type { TempRepo } from '../support/gitRepo';
import { git } from '../support/gitRepo';
import { conductorBin } from '../support/conductorBin';
import { conduct, done, merge, project, write } from '../support/mergeProject';

const repos: TempRepo[] = [];
after(() => repos.forEach((r) => r.cleanup()));

const failed = (summary: string) => [{ report: 'failed', summary }];
const tip = (repo: TempRepo, branch: string): string => git(repo.root, 'rev-parse', branch).trim();

/** a and c complete; b fails, so d (after b) is blocked. */
async function bFails(extra: string[] = []): Promise<TempRepo> {
  const repo = project(repos, extra);
  await conduct(repo, { b: failed('cannot reach the database') }, ['--retries', '0']);
  return repo;
}

describe('merge tells the truth about the modules it did not merge', () => {
  test('a failed module: exit 1, and the modules not merged are named with why', async () => {
    const repo = await bFails();
    const r = await conductorBin(repo.root, ['merge', '1']);
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stdout, /^not merged: b — it failed: cannot reach the database$/m);
    assert.match(r.stdout, /^not merged: d — it is blocked/m);
    assert.match(r.stdout, /2 of 4 modules not merged \(b, d\)/);
    assert.doesNotMatch(r.stdout, /Merged and validated/);

    const { code, json } = await merge(repo);
    assert.equal(code, 1);
    assert.equal(json.ok, false);
    assert.deepEqual(json.merged, ['a', 'c']);
    assert.deepEqual(json.notMerged.map((n) => n.module), ['b', 'd']);
    assert.match(json.notMerged[0].reason, /failed: cannot reach the database/);
  });

  test('nothing merged: exit 1, never "merged and validated"', async () => {
    const repo = project(repos);
    await conduct(repo, { '*': failed('no luck') }, ['--retries', '0']);
    const r = await conductorBin(repo.root, ['merge', '1']);
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stdout, /^merged: none$/m);
    assert.match(r.stdout, /4 of 4 modules not merged/);
    const { json } = await merge(repo);
    assert.deepEqual([json.ok, json.merged, json.notMerged.length], [false, [], 4]);
  });

  test('--into is refused when a module was not merged: the branch does not move', async () => {
    const repo = await bFails();
    git(repo.root, 'branch', 'release');
    const before = tip(repo, 'release');
    const r = await conductorBin(repo.root, ['merge', '1', '--into', 'release']);
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stdout, /release was not moved/);
    assert.equal(tip(repo, 'release'), before);
    assert.equal(tip(repo, 'main'), before, 'main did not move either');
  });

  test('--into with nothing merged is refused, --partial or not', async () => {
    const repo = project(repos);
    await conduct(repo, { '*': failed('no luck') }, ['--retries', '0']);
    const before = tip(repo, 'main');
    const { code, json } = await merge(repo, '--into', 'main', '--partial');
    assert.equal(code, 1);
    assert.equal(json.into, null);
    assert.equal(tip(repo, 'main'), before);
  });

  test('--partial brings in what was merged and validated, and says which modules are missing', async () => {
    const repo = await bFails(['', '#### Test Commands', '- `node check.mjs`']);
    git(repo.root, 'branch', 'release');
    const r = await conductorBin(repo.root, ['merge', '1', '--into', 'release', '--partial', '--trust']);
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.stdout, /release got a partial phase 1: b, d not merged/);
    const files = git(repo.root, 'ls-tree', '-r', '--name-only', 'release');
    assert.match(files, /^a\.txt$/m);
    assert.match(files, /^c\.txt$/m);
    assert.doesNotMatch(files, /^b\.txt$/m);
    assert.equal(tip(repo, 'release'), tip(repo, 'conductor/integration/phase-1-shop'));

    const { code, json } = await merge(repo, '--into', 'release', '--partial', '--trust');
    assert.equal(code, 0);
    assert.equal(json.ok, false, 'a partial phase is never ok');
    assert.deepEqual(json.into && [json.into.branch, json.into.partial], ['release', true]);
  });

  test('--partial still refuses a partial result that did not validate (exit 1, branch unmoved)', async () => {
    const repo = project(repos, ['', '#### Test Commands', '- `node check.mjs`']);
    await conduct(repo, { a: [write('src/shared.ts', 'one\nBROKEN\nthree\nfour\nfive\n'), ...done()], b: failed('no') }, ['--retries', '0']);
    git(repo.root, 'branch', 'release');
    const before = tip(repo, 'release');
    const { code, json } = await merge(repo, '--into', 'release', '--partial', '--trust');
    assert.equal(code, 1);
    assert.equal(json.into, null);
    assert.equal(tip(repo, 'release'), before);
  });

  test('--partial without --trust does not count unrun test commands as validated', async () => {
    const repo = await bFails(['', '#### Test Commands', '- `node check.mjs`']);
    git(repo.root, 'branch', 'release');
    const before = tip(repo, 'release');
    const { code, json } = await merge(repo, '--into', 'release', '--partial');
    assert.equal(code, 1);
    assert.equal(json.into, null);
    assert.equal(tip(repo, 'release'), before);
  });
});
