import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { GitRunner } from '../../src/infra/git/gitRunner';
import { MergeTree } from '../../src/infra/git/mergeTree';
import { Predictor, type PredictModule } from '../../src/infra/git/predictor';
import { git, makeRepo, type TempRepo } from '../support/gitRepo';
import { gitSpy } from '../support/gitSpy';

const SHARED = Array.from({ length: 12 }, (_, i) => `shared ${i + 1}\n`).join('');

let repo: TempRepo;
let wtA: string;
let wtB: string;
let wtC: string;
let base: string;

/** What an agent would notice if we touched its checkout: HEAD, status, and its index file. */
function agentView(worktree: string) {
  const index = path.resolve(worktree, git(worktree, 'rev-parse', '--git-path', 'index').trim());
  // The index first, and a status that may not refresh it: looking must not change what is looked at.
  const indexHash = createHash('sha256').update(readFileSync(index)).digest('hex');
  const indexMtime = statSync(index).mtimeMs;
  return {
    head: git(worktree, 'rev-parse', 'HEAD'),
    status: git(worktree, '--no-optional-locks', 'status', '--porcelain'),
    indexHash,
    indexMtime,
  };
}

before(() => {
  repo = makeRepo({ 'shared.txt': SHARED, 'src/a/index.ts': 'a\n', 'src/b/index.ts': 'b\n', 'src/c/index.ts': 'c\n' });
  base = git(repo.root, 'rev-parse', 'HEAD').trim();
  const parent = path.dirname(repo.root);
  wtA = path.join(parent, 'wt-a');
  wtB = path.join(parent, 'wt-b');
  wtC = path.join(parent, 'wt-c');
  git(repo.root, 'worktree', 'add', '-q', '-b', 'mod/a', wtA, 'main');
  git(repo.root, 'worktree', 'add', '-q', '-b', 'mod/b', wtB, 'main');
  git(repo.root, 'worktree', 'add', '-q', '-b', 'mod/c', wtC, 'main');
  // Module a commits an edit of line 5; module c changes only its own file.
  writeFileSync(path.join(wtA, 'shared.txt'), SHARED.replace('shared 5\n', 'a was here\n'));
  git(wtA, 'commit', '-qam', 'a edits line 5');
  writeFileSync(path.join(wtC, 'src/c/index.ts'), 'c2\n');
  git(wtC, 'commit', '-qam', 'c edits its file');
  // Module b edits the same line without committing, after adding two lines at the top, and stages part of it.
  writeFileSync(path.join(wtB, 'shared.txt'), `b top 1\nb top 2\n${SHARED.replace('shared 5\n', 'b was here\n')}`);
  writeFileSync(path.join(wtB, 'src/b/new.ts'), 'new\n');
  git(wtB, 'add', 'src/b/new.ts');
});

after(() => repo.cleanup());

const modules = (): PredictModule[] => [
  { id: 'a', branch: 'mod/a', worktree: wtA, owns: ['src/a/**'] },
  { id: 'b', branch: 'mod/b', worktree: wtB, owns: ['src/b/**'] },
  { id: 'c', branch: 'mod/c', worktree: wtC, owns: ['src/c/**'] },
  { id: 'later', branch: 'mod/not-started', worktree: null, owns: ['src/later/**'] },
];

describe('Predictor', () => {
  test('predicts a conflict between committed and uncommitted edits of the same lines, with ranges', async () => {
    const spy = gitSpy();
    const predictor = new Predictor(repo.root, spy, new MergeTree(repo.root, spy));
    const before = agentView(wtB);
    // b's agent is in the middle of a git command: its index is locked. Prediction needs no lock.
    const lock = path.resolve(wtB, git(wtB, 'rev-parse', '--git-path', 'index.lock').trim());
    writeFileSync(lock, '');
    const result = await predictor.predict(modules()).finally(() => rmSync(lock));
    assert.deepEqual(result, {
      pairs: [{ a: 'a', b: 'b', conflicts: [{ file: 'shared.txt', kind: 'content', startLine: 5, endLine: 5, bStartLine: 7, bEndLine: 7 }] }],
      ownershipViolations: [],
    });
    // b's work was read through a private index: its HEAD, status and index file are as they were.
    assert.deepEqual(agentView(wtB), before);
    assert.equal(git(repo.root, 'stash', 'list'), '');
    assert.equal(git(repo.root, 'for-each-ref', '--format=%(refname)').split('\n').filter(Boolean).length, 4);
    // Reads run with --no-optional-locks, so a poll never takes the index.lock an agent needs.
    const reads = spy.calls.filter((c) => ['status', 'rev-parse', 'diff', 'cat-file', 'merge-tree'].includes(c.args[0]));
    assert.ok(reads.length > 0 && reads.every((c) => c.readOnly));
  });

  test('a second prediction with nothing changed runs no merge; a new edit runs one again', async () => {
    const spy = gitSpy();
    const predictor = new Predictor(repo.root, spy, new MergeTree(repo.root, spy));
    const first = await predictor.predict(modules());
    assert.equal(spy.count('merge-tree'), 1);
    assert.equal(spy.count('commit-tree'), 1);
    const second = await predictor.predict(modules());
    assert.deepEqual(second, first);
    assert.equal(spy.count('merge-tree'), 1);
    assert.equal(spy.count('commit-tree'), 1);
    // Editing an already-modified file leaves `git status` as it was; the prediction still follows.
    writeFileSync(path.join(wtB, 'shared.txt'), SHARED.replace('shared 5\n', 'b changed its mind\n'));
    const third = await predictor.predict(modules());
    assert.equal(spy.count('commit-tree'), 2);
    assert.equal(spy.count('merge-tree'), 2);
    assert.deepEqual(third.pairs[0].conflicts[0], { file: 'shared.txt', kind: 'content', startLine: 5, endLine: 5, bStartLine: 5, bEndLine: 5 });
  });

  test('a module changing a file another module owns is flagged, from its base or the merge-base', async () => {
    writeFileSync(path.join(wtC, 'src/a/index.ts'), 'c reaches into a\n');
    git(wtC, 'commit', '-qam', 'c edits a');
    const predictor = new Predictor(repo.root, new GitRunner(), new MergeTree(repo.root, new GitRunner()));
    const expected = [{ module: 'c', file: 'src/a/index.ts', owner: 'a' }];
    assert.deepEqual((await predictor.predict(modules())).ownershipViolations, expected);
    const withBase = modules().map((m) => ({ ...m, base }));
    assert.deepEqual((await predictor.predict(withBase)).ownershipViolations, expected);
    // c's edit of src/a/index.ts does not touch a's lines: still only the a/b conflict.
    assert.deepEqual((await predictor.predict(modules())).pairs.map((p) => [p.a, p.b]), [['a', 'b']]);
  });

  test('a module without a worktree is read from its branch; one not started yet is left out', async () => {
    const predictor = new Predictor(repo.root, new GitRunner(), new MergeTree(repo.root, new GitRunner()));
    const result = await predictor.predict(modules().map((m) => (m.id === 'a' ? { ...m, worktree: null } : m)));
    assert.deepEqual(result.pairs.map((p) => [p.a, p.b]), [['a', 'b']]);
  });
});
