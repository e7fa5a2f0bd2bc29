// `conductor resolve`: a module that `conductor merge` left out on a conflict, merged by hand in the
// phase's integration worktree from the command line — prepared with the conflict in progress,
// resolved in the file, committed (refused while markers remain) or aborted; then `conductor merge`
// finds the module merged and goes on. Real branches from a conducted phase, the built CLI.
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { conductorBin, type BinResult } from '../support/conductorBin';
import { git, type TempRepo } from '../support/gitRepo';
import { conflictedShop, integrationMerges, merge } from '../support/mergeProject';

const repos: TempRepo[] = [];
after(() => repos.forEach((r) => r.cleanup()));

const BRANCH = 'conductor/integration/phase-1-shop';
/** The conflicted phase of mergeProject, and its integration worktree. */
async function conflicted(): Promise<{ repo: TempRepo; wt: string }> {
  const { repo } = await conflictedShop(repos);
  return { repo, wt: path.join(`${repo.root}.worktrees`, 'integration', 'phase-1-shop') };
}

const resolve = (repo: TempRepo, ...args: string[]): Promise<BinResult> => conductorBin(repo.root, ['resolve', '1', ...args]);
const tip = (repo: TempRepo, ref: string): string => git(repo.root, 'rev-parse', ref).trim();
const mergeHead = (wt: string): string | null => {
  try {
    return git(wt, 'rev-parse', '--quiet', '--verify', 'MERGE_HEAD').trim();
  } catch {
    return null;
  }
};

function assertNoStack(r: BinResult): void {
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
}

describe('conductor resolve', () => {
  test('prepare, shown in progress, commit refused with markers, committed once resolved; conductor merge then finishes the phase', async () => {
    const { repo, wt } = await conflicted();
    const shared = path.join(wt, 'src/shared.ts');

    const none = await resolve(repo);
    assert.equal(none.code, 0, none.stderr);
    assert.match(none.stdout, /^No merge is being resolved in phase 1\.$/m);
    assert.match(none.stdout, /left out on a conflict: b\./);
    assert.match(none.stdout, /^ {2}conductor resolve 1 b$/m);

    const prepared = await resolve(repo, 'b');
    assert.equal(prepared.code, 0, prepared.stderr);
    assert.match(prepared.stdout, /Merging b \(conductor\/phase-1-shop\/b\) into conductor\/integration\/phase-1-shop in /);
    assert.ok(prepared.stdout.includes(`  ${shared}:2  (conflict markers at lines 2-6)`), prepared.stdout);
    assert.match(prepared.stdout, /^ {2}conductor resolve 1 --commit {3}commit the resolution on conductor\/integration\/phase-1-shop$/m);
    assert.match(prepared.stdout, /^ {2}conductor resolve 1 --abort {4}or drop it$/m);
    assert.match(readFileSync(shared, 'utf8'), /^<<<<<<< HEAD\na-two\n=======\nb-two\n>>>>>>> refs\/heads\/conductor\/phase-1-shop\/b$/m);
    const bTip = tip(repo, 'conductor/phase-1-shop/b');
    assert.equal(mergeHead(wt), bTip, 'MERGE_HEAD is the tip of b');
    assert.ok(prepared.stdout.includes(`MERGE_HEAD ${bTip} (the tip of b)`));

    const shown = await resolve(repo);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /^The merge of b is being resolved in .*integration\/phase-1-shop \(conductor\/integration\/phase-1-shop\)\.$/m);
    assert.ok(shown.stdout.includes(`MERGE_HEAD ${bTip}`));
    assert.ok(shown.stdout.includes(`  ${shared}:2  (conflict markers at lines 2-6)`));
    const shownJson = JSON.parse((await resolve(repo, '--json')).stdout) as { inProgress: { module: string; mergeHead: string; files: { path: string; file: string; blocks: unknown }[] } };
    assert.deepEqual(shownJson.inProgress, { module: 'b', mergeHead: bTip, files: [{ path: 'src/shared.ts', file: shared, blocks: [{ startLine: 2, endLine: 6 }] }] });

    const resumed = await resolve(repo, 'b');
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stdout, /^The merge of b is already being resolved in /m);
    // conductor merge refuses to reset the resolution away, and says how to finish it.
    const mergeRefused = await conductorBin(repo.root, ['merge', '1']);
    assert.equal(mergeRefused.code, 1);
    assert.match(mergeRefused.stderr, /conductor resolve 1 --commit\) or abort it \(conductor resolve 1 --abort\) first/);

    const before = tip(repo, BRANCH);
    const refused = await resolve(repo, '--commit');
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /^conductor: not committed: src\/shared\.ts still holds conflict markers$/m);
    assert.ok(refused.stderr.includes(`  ${shared}:2  (conflict markers at lines 2-6)`), refused.stderr);
    assert.match(refused.stderr, /then run "conductor resolve 1 --commit" again/);
    assertNoStack(refused);
    assert.equal(tip(repo, BRANCH), before, 'nothing committed');
    assert.equal(mergeHead(wt), bTip, 'the merge is still in progress');

    writeFileSync(shared, 'one\na-two\nb-two\nthree\nfour\nfive\n');
    const noMarkers = await resolve(repo);
    assert.ok(noMarkers.stdout.includes(`  ${shared}  (no conflict markers left)`), noMarkers.stdout);
    const committed = await resolve(repo, '--commit');
    assert.equal(committed.code, 0, committed.stderr);
    const commit = tip(repo, BRANCH);
    assert.match(committed.stdout, new RegExp(`^Committed the resolution of b on conductor/integration/phase-1-shop at ${commit.slice(0, 8)}\\.$`, 'm'));
    assert.match(committed.stdout, /^Next: "conductor merge 1" finds b merged/m);
    assert.deepEqual(git(repo.root, 'rev-list', '--parents', '-1', BRANCH).trim().split(' '), [commit, before, bTip], 'a merge commit of b on the integration branch');
    assert.equal(git(repo.root, 'log', '-1', '--format=%s', BRANCH).trim(), 'conductor: merge b (feature-b, contracts/b.md)');
    assert.equal(mergeHead(wt), null);

    const again = await merge(repo, '--trust');
    assert.deepEqual(again.json.merged, ['a', 'b', 'c']);
    assert.deepEqual(again.json.notMerged, []);
    assert.equal(again.json.ok, true);
    assert.equal(again.code, 0);
    assert.deepEqual(integrationMerges(repo, BRANCH), ['conductor: merge c (feature-c, contracts/c.md)', 'conductor: merge b (feature-b, contracts/b.md)', 'conductor: merge a (feature-a, contracts/a.md)']);
    const after = await resolve(repo);
    assert.match(after.stdout, /^The last merge of phase 1 left no module out on a conflict\.$/m);
  });

  test('--json prepare and abort: the worktree clean at the integration branch tip; usage errors say what is wrong without a stack trace', async () => {
    const { repo, wt } = await conflicted();
    const before = tip(repo, BRANCH);

    const usage = async (args: string[], message: RegExp): Promise<void> => {
      const r = await resolve(repo, ...args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assertNoStack(r);
    };
    await usage(['nope'], /^conductor: phase 1 has no module "nope" \(modules: a, b, c\)$/m);
    await usage(['--commit', '--abort'], /--commit and --abort exclude each other/);
    await usage(['b', '--commit'], /--commit takes no module/);
    await usage(['a'], /^conductor: a did not conflict in the last merge of phase 1 \(it was merged\); the modules that did: b$/m);
    await usage(['c'], /^conductor: c did not conflict in the last merge of phase 1 \(.+\); the modules that did: b$/m);
    const unknownPhase = await conductorBin(repo.root, ['resolve', '9', 'b']);
    assert.equal(unknownPhase.code, 2);
    assert.match(unknownPhase.stderr, /the plan has no phase "9"/);

    const nothing = await resolve(repo, '--commit');
    assert.equal(nothing.code, 1);
    assert.match(nothing.stderr, /^conductor: no merge is being resolved in phase 1 \(.*\); "conductor resolve 1 <module>" prepares one$/m);
    assertNoStack(nothing);

    const prepared = await resolve(repo, 'b', '--json');
    assert.equal(prepared.code, 0, prepared.stderr);
    const json = JSON.parse(prepared.stdout) as { kind: string; module: string; resumed: boolean; worktree: string; integrationBranch: string; mergeHead: string; files: { path: string; file: string; blocks: { startLine: number; endLine: number }[] }[] };
    assert.deepEqual(
      [json.kind, json.module, json.resumed, json.worktree, json.integrationBranch, json.mergeHead],
      ['conflicts', 'b', false, wt, BRANCH, tip(repo, 'conductor/phase-1-shop/b')],
    );
    assert.deepEqual(json.files, [{ path: 'src/shared.ts', file: path.join(wt, 'src/shared.ts'), blocks: [{ startLine: 2, endLine: 6 }] }]);
    // Prepared again with the worktree root named: the same merge resumes, and the next steps keep the option.
    const resumed = await conductorBin(repo.root, ['resolve', '1', 'b', '--worktree-root', `${repo.root}.worktrees`]);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.ok(resumed.stdout.includes(`conductor resolve 1 --commit --worktree-root ${repo.root}.worktrees `), resumed.stdout);
    const refusedJson = await resolve(repo, '--commit', '--json');
    assert.equal(refusedJson.code, 1);
    assert.deepEqual((JSON.parse(refusedJson.stdout) as { ok: boolean; marked: { path: string }[] }).marked.map((m) => m.path), ['src/shared.ts']);

    const aborted = await resolve(repo, '--abort', '--json');
    assert.equal(aborted.code, 0, aborted.stderr);
    assert.deepEqual(JSON.parse(aborted.stdout), { phase: 1, ok: true, aborted: { module: 'b', mergeHead: tip(repo, 'conductor/phase-1-shop/b') }, integrationBranch: BRANCH, commit: before });
    assert.equal(mergeHead(wt), null);
    assert.equal(git(wt, 'status', '--porcelain'), '');
    assert.equal(git(wt, 'rev-parse', 'HEAD').trim(), before);
    assert.equal(tip(repo, BRANCH), before);

    const again = await resolve(repo, '--abort');
    assert.equal(again.code, 0);
    assert.match(again.stdout, /^No merge was being resolved in phase 1: nothing to abort\.$/m);
    const remerged = await merge(repo);
    assert.deepEqual(remerged.json.conflicts.map((c) => c.module), ['b']);
  });
});
