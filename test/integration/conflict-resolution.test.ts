// Resolve in Merge Editor, at the git level: a conflicting module's merge prepared in the integration
// worktree (MERGE_HEAD, stages, markers), resolved by hand, committed; then Merge & Validate finds
// it merged and goes on with the modules after it. Real branches from a conducted phase.
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadWorkspace } from '../../src/core/loadPlan';
import type { PlannedPhase } from '../../src/core/model';
import { openRepository, type Engine } from '../../src/infra/engine';
import { FsSpecSource } from '../../src/infra/fsSpecSource';
import { GitConflictResolution } from '../../src/infra/merge/conflictResolution';
import { conductorBin } from '../support/conductorBin';
import { git, type TempRepo } from '../support/gitRepo';
import { conflictedShop, integrationMerges, merge } from '../support/mergeProject';

const repos: TempRepo[] = [];
after(() => repos.forEach((r) => r.cleanup()));

/** The conflicted phase of mergeProject (b conflicts with a; c needs b), and the port that resolves it. */
async function conflicted(): Promise<{ repo: TempRepo; engine: Engine; phase: PlannedPhase; resolution: () => Promise<GitConflictResolution> }> {
  const { repo, first } = await conflictedShop(repos);
  assert.deepEqual(first.merged, ['a']);
  assert.deepEqual(first.notMerged.map((n) => n.module), ['b', 'c']);
  const engine = await openRepository(repo.root);
  const phase = (await loadWorkspace(new FsSpecSource(repo.root))).plan().phases[0];
  const resolution = async (): Promise<GitConflictResolution> => {
    const run = (await engine.state.read()).phases[phase.slug];
    return new GitConflictResolution({ git: engine.git, repo: engine.repo, worktrees: engine.worktrees, conductorDir: engine.conductorDir }, phase, run, `${repo.root}.worktrees`);
  };
  return { repo, engine, phase, resolution };
}

describe('conflict resolution in the integration worktree', () => {
  test('prepare, resolve, commit: the next Merge & Validate merges the module and the ones after it, and validates', async () => {
    const { repo, resolution } = await conflicted();
    const port = await resolution();
    const prepared = await port.prepare('b');
    assert.equal(prepared.kind, 'conflicts');
    assert.ok(prepared.kind === 'conflicts');
    assert.equal(prepared.worktree, path.join(`${repo.root}.worktrees`, 'integration', 'phase-1-shop'));
    assert.deepEqual(prepared.files.map((f) => f.path), ['src/shared.ts']);
    const [file] = prepared.files;
    // Each stage's blob is the side's version of the file.
    assert.equal(git(repo.root, 'cat-file', 'blob', file.base!), 'one\ntwo\nthree\nfour\nfive\n');
    assert.equal(git(repo.root, 'cat-file', 'blob', file.ours!), 'one\na-two\nthree\nfour\nfive\n');
    assert.equal(git(repo.root, 'cat-file', 'blob', file.theirs!), 'one\nb-two\nthree\nfour\nfive\n');
    const output = path.join(prepared.worktree, 'src/shared.ts');
    assert.match(readFileSync(output, 'utf8'), /^<<<<<<< HEAD\na-two\n=======\nb-two\n>>>>>>> refs\/heads\/conductor\/phase-1-shop\/b$/m);
    assert.deepEqual(await port.inProgress().then((p) => p && { module: p.module, unmerged: p.unmerged.map((f) => f.path) }), { module: 'b', unmerged: ['src/shared.ts'] });

    // Preparing again resumes the same merge; Merge & Validate refuses to reset it away.
    assert.deepEqual(await port.prepare('b').then((p) => p.kind === 'conflicts' && p.resumed), true);
    await assert.rejects(port.prepare('c'), /a merge of b is in progress/);
    const refused = await conductorBin(repo.root, ['merge', '1']);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /a merge conflict is being resolved in .*integration\/phase-1-shop \(MERGE_HEAD [0-9a-f]{8}\): commit the resolution/);
    assert.ok(existsSync(path.join(prepared.worktree, 'src/shared.ts')));

    // Markers left: the commit is refused.
    await assert.rejects(port.commit(), /src\/shared\.ts still holds conflict markers/);
    writeFileSync(output, 'one\na-two\nb-two\nthree\nfour\nfive\n');
    const committed = await port.commit();
    assert.equal(committed.module, 'b');
    const branch = 'conductor/integration/phase-1-shop';
    assert.equal(git(repo.root, 'rev-parse', branch).trim(), committed.commit);
    assert.equal(git(repo.root, 'log', '-1', '--format=%s', branch).trim(), 'conductor: merge b (feature-b, contracts/b.md)');
    assert.equal(git(repo.root, 'rev-list', '--parents', '-1', branch).trim().split(' ').length, 3, 'a merge commit: two parents');
    assert.equal(await port.inProgress(), null);

    const again = await merge(repo, '--trust');
    assert.deepEqual(again.json.notMerged, []);
    assert.deepEqual(again.json.merged, ['a', 'b', 'c']);
    assert.deepEqual(again.json.conflicts, []);
    assert.deepEqual(again.json.validation.flatMap((v) => v.findings.filter((f) => f.severity === 'error').map((f) => `${v.kind}: ${f.message}`)), []);
    assert.equal(again.json.ok, true);
    assert.equal(again.code, 0);
    assert.ok(again.json.validation.some((v) => v.kind === 'test-command' && v.exitCode === 0), 'the test command ran on the result');
    assert.deepEqual(integrationMerges(repo, branch), ['conductor: merge c (feature-c, contracts/c.md)', 'conductor: merge b (feature-b, contracts/b.md)', 'conductor: merge a (feature-a, contracts/a.md)']);
    assert.equal(readFileSync(path.join(again.json.integrationWorktree, 'src/shared.ts'), 'utf8'), 'one\na-two\nb-two\nthree\nfour\nfive\n');
  });

  test('abort leaves the integration worktree at its branch, and Merge & Validate reports the conflict again', async () => {
    const { repo, resolution } = await conflicted();
    const port = await resolution();
    const prepared = await port.prepare('b');
    assert.equal(prepared.kind, 'conflicts');
    await port.abort();
    assert.equal(await port.inProgress(), null);
    const wt = path.join(`${repo.root}.worktrees`, 'integration', 'phase-1-shop');
    assert.equal(git(wt, 'status', '--porcelain'), '');
    const again = await merge(repo);
    assert.deepEqual(again.json.conflicts.map((c) => c.module), ['b']);
  });

  test('a module already merged, or one that no longer conflicts, is merged without a conflict to resolve', async () => {
    const { repo, resolution } = await conflicted();
    const port = await resolution();
    assert.deepEqual(await port.prepare('a').then((p) => [p.kind, p.kind === 'merged' && p.why]), ['merged', 'a is already merged into conductor/integration/phase-1-shop']);
    // b's agent resolves it on its branch: a's work merged in, its own line kept.
    const bWorktree = path.join(`${repo.root}.worktrees`, 'phase-1-shop', 'b');
    git(bWorktree, 'merge', '--quiet', '-X', 'ours', 'conductor/phase-1-shop/a', '-m', 'take a');
    const prepared = await (await resolution()).prepare('b');
    assert.equal(prepared.kind, 'merged');
    assert.equal(git(repo.root, 'log', '-1', '--format=%s', 'conductor/integration/phase-1-shop').trim(), 'conductor: merge b (feature-b, contracts/b.md)');
  });
});
