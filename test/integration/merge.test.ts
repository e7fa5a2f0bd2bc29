// `conductor merge` end to end: real branches from real conducted phases, merged in an integration
// worktree; the user's checkout must not change by a byte.
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { readyMd } from '../support/specBuilder';
import { git, makeRepo, type TempRepo } from '../support/gitRepo';
import { conductorBin, SCRIPTED_AGENT, spawnConductor } from '../support/conductorBin';
import { conduct, done, integrationMerges, merge, project as projectIn, write, type MergeJson } from '../support/mergeProject';

const repos: TempRepo[] = [];
after(() => repos.forEach((r) => r.cleanup()));

const project = (extra: string[] = []): TempRepo => projectIn(repos, extra);

/** Everything a merge must leave alone: status, HEAD, index and every byte of the working tree. */
function checkoutFingerprint(root: string): string {
  const hash = createHash('sha256');
  hash.update(git(root, 'status', '--porcelain=v1', '--untracked-files=all'));
  hash.update(git(root, 'rev-parse', 'HEAD'));
  hash.update(git(root, 'symbolic-ref', 'HEAD'));
  hash.update(readFileSync(path.join(root, '.git', 'index')));
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      if (name === '.git' || name === '.conductor') continue;
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else hash.update(`${path.relative(root, full)}\0`).update(readFileSync(full));
    }
  };
  walk(root);
  return hash.digest('hex');
}

describe('merge', () => {
  test('clean merges land on the integration branch, one --no-ff merge per module in wave order', async () => {
    const repo = project(['', '#### Test Commands', '- `node check.mjs`']);
    await conduct(repo, { a: [write('a.txt', 'a'), ...done()], b: [write('b.txt', 'b'), ...done()] });
    const before = checkoutFingerprint(repo.root);
    const { code, json } = await merge(repo, '--trust');
    assert.equal(code, 0, JSON.stringify(json, null, 1));
    assert.deepEqual(json.merged, ['a', 'b', 'c', 'd']);
    assert.equal(json.integrationBranch, 'conductor/integration/phase-1-shop');
    assert.equal(json.ok, true);
    const merges = integrationMerges(repo, json.integrationBranch).reverse();
    assert.deepEqual(merges.map((s) => s.split(' ')[2]), ['a', 'b', 'c', 'd']);
    assert.match(merges[0], /^conductor: merge a \(feature-a, contracts\/a\.md\)$/);
    const test = json.validation.find((v) => v.kind === 'test-command')!;
    assert.deepEqual([test.command, test.exitCode], ['node check.mjs', 0]);
    assert.equal(checkoutFingerprint(repo.root), before, 'the user\'s checkout is byte-identical');
  });

  test('a module branch deleted by hand: that module is reported, the others merge, nothing is listed as merged that was not', async () => {
    const repo = project();
    await conduct(repo, { a: [write('a.txt', 'a'), ...done()], b: [write('b.txt', 'b'), ...done()] });
    // Deleted by hand, worktree and all (update-ref: git refuses branch -D of a checked-out branch).
    git(repo.root, 'update-ref', '-d', 'refs/heads/conductor/phase-1-shop/b');
    const r = await conductorBin(repo.root, ['merge', '1', '--json']);
    assert.equal(r.code, 1, r.stderr);
    assert.doesNotMatch(r.stderr, /rev-parse|fatal/);
    const json = JSON.parse(r.stdout) as MergeJson;
    assert.deepEqual(json.merged, ['a', 'c']);
    assert.equal(json.ok, false);
    const b = json.skipped.find((x) => x.module === 'b')!;
    assert.match(b.reason, /its branch conductor\/phase-1-shop\/b does not exist/);
    assert.ok(json.skipped.some((x) => x.module === 'd'), 'd depends on b: not merged either');
    assert.deepEqual(integrationMerges(repo, json.integrationBranch).map((s) => s.split(' ')[2]).sort(), ['a', 'c']);
  });

  test('a content conflict is reported at its lines on both sides, with the module that last touched them', async () => {
    const repo = project();
    await conduct(repo, {
      b: [write('src/shared.ts', 'one\nb-two\nthree\nfour\nfive\n'), ...done()],
      c: [write('src/shared.ts', 'one\nc-two\nc-extra\nthree\nfour\nfive\n'), ...done()],
    });
    const { code, json } = await merge(repo);
    assert.equal(code, 1);
    assert.deepEqual(json.merged, ['a', 'b']);
    assert.deepEqual(
      json.conflicts.map((c) => [c.module, c.with, c.file, c.kind, c.startLine, c.endLine, c.theirsStartLine, c.theirsEndLine]),
      [['c', ['b'], 'src/shared.ts', 'content', 2, 3, 2, 2]],
    );
  });

  test('a wave-2 module conflicting with a wave-1 module is not merged; the rest still is where dependencies allow', async () => {
    const repo = project();
    await conduct(repo, {
      b: [write('src/shared.ts', 'one\ntwo\nthree\nfour\nb-five\n'), ...done()],
      c: [write('src/shared.ts', 'one\ntwo\nthree\nfour\nc-five\n'), ...done()],
    });
    const { json } = await merge(repo);
    assert.deepEqual(json.merged, ['a', 'b']);
    assert.deepEqual(json.conflicts.map((c) => [c.module, c.with, c.startLine]), [['c', ['b'], 5]]);
  });

  test('an add/add conflict is a file-level finding with its kind (merge-tree.test.ts covers the other kinds)', async () => {
    const repo = project();
    await conduct(repo, {
      a: [write('new.ts', 'from a\n'), { write: 'src/shared.ts', content: 'one\ntwo\nthree\nfour\nfive\nsix\n' }, ...done()],
      b: [write('new.ts', 'from b\n'), ...done()],
    });
    const { json } = await merge(repo);
    const kinds = json.conflicts.map((c) => [c.module, c.file, c.kind]);
    assert.deepEqual(kinds, [['b', 'new.ts', 'add/add']]);
  });

  test('failing tests become findings at file:line, attributed to the module that changed the file', async () => {
    const repo = project(['', '#### Test Commands', '- `node check.mjs`']);
    await conduct(repo, { b: [write('src/shared.ts', 'one\nBROKEN\nthree\nfour\nfive\n'), ...done()] });
    const { code, json } = await merge(repo, '--trust');
    assert.equal(code, 1);
    const test = json.validation.find((v) => v.kind === 'test-command')!;
    assert.equal(test.exitCode, 1);
    assert.deepEqual(
      test.findings.map((f) => [f.file, f.line, f.column, f.severity, f.module]),
      [['src/shared.ts', 2, 1, 'error', 'b']],
    );
  });

  test('test commands from READY.md do not run without --trust', async () => {
    const repo = project(['', '#### Test Commands', '- `node check.mjs`']);
    await conduct(repo, {});
    const { code, json } = await merge(repo);
    assert.equal(code, 1);
    const test = json.validation.find((v) => v.kind === 'test-command')!;
    assert.equal(test.exitCode, null);
    assert.match(test.findings[0].message, /not trusted/);
  });

  test('a dirty user checkout stays byte-identical, --into moves only the named branch when clean', async () => {
    const repo = project();
    await conduct(repo, {});
    repo.write('src/shared.ts', 'my own uncommitted edit\n');
    repo.write('scratch.txt', 'untracked');
    git(repo.root, 'branch', 'release');
    const before = checkoutFingerprint(repo.root);
    const { code, json } = await merge(repo, '--into', 'release');
    assert.equal(code, 0, JSON.stringify(json));
    assert.equal(checkoutFingerprint(repo.root), before);
    assert.equal(git(repo.root, 'rev-parse', 'release').trim(), git(repo.root, 'rev-parse', json.integrationBranch).trim());
  });

  test('killed mid-merge, the next run recovers: every module merged exactly once', async () => {
    const repo = project();
    await conduct(repo, {});
    const engine = spawnConductor(repo.root, ['merge', '1']);
    await new Promise<void>((resolve) => {
      engine.stdout!.on('data', (d: Buffer) => {
        if (d.toString().includes('merged.')) {
          engine.kill('SIGKILL');
          resolve();
        }
      });
      engine.once('exit', () => resolve());
    });
    const { code, json } = await merge(repo);
    assert.equal(code, 0, JSON.stringify(json));
    assert.deepEqual(json.merged, ['a', 'b', 'c', 'd']);
    const merges = integrationMerges(repo, json.integrationBranch);
    assert.equal(merges.length, 4, merges.join('\n'));
    assert.equal(git(json.integrationWorktree, 'status', '--porcelain'), '');
  });
});

test('a phase that depends on a merged phase integrates on top of that phase\'s result', async () => {
  const repo = makeRepo({
    'READY.md': readyMd([
      { number: 1, name: 'One', modules: ['p1a'] },
      { number: 2, name: 'Two', modules: ['p2a'] },
    ]),
  });
  repos.push(repo);
  for (const n of ['1', '2']) {
    const r = await conductorBin(repo.root, ['conduct', n, '--agent', SCRIPTED_AGENT, '--quiet', '--allow-dirty']);
    assert.equal(r.code, 0, r.stderr);
    if (n === '1') assert.equal((await conductorBin(repo.root, ['merge', '1'])).code, 0);
  }
  const r = await conductorBin(repo.root, ['merge', '2', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const files = git(repo.root, 'ls-tree', '-r', '--name-only', 'conductor/integration/phase-2-two');
  assert.match(files, /^p1a\.txt$/m, 'phase 1\'s work is in phase 2\'s integration result');
  assert.match(files, /^p2a\.txt$/m);
});
