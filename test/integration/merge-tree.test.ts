import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { GitError, GitRunner, type GitResult, type GitVersion } from '../../src/infra/git/gitRunner';
import { MergeTree, type MergeCheck } from '../../src/infra/git/mergeTree';
import { readBlobs } from '../../src/infra/git/objects';
import { git, makeRepo, type TempRepo } from '../support/gitRepo';
import { gitSpy } from '../support/gitSpy';

const lines = (n: number, f: (i: number) => string): string => Array.from({ length: n }, (_, i) => `${f(i + 1)}\n`).join('');
const BASE = lines(30, (i) => `line ${i}`);

let repo: TempRepo;

/** A branch off main with `files` written (null deletes) and `renames` done, committed. */
function branch(name: string, files: Record<string, string | null>, renames: [string, string][] = []): void {
  git(repo.root, 'checkout', '-q', '-b', name, 'main');
  for (const [from, to] of renames) git(repo.root, 'mv', from, to);
  for (const [file, content] of Object.entries(files)) {
    if (content === null) git(repo.root, 'rm', '-q', file);
    else repo.write(file, content);
  }
  git(repo.root, 'add', '-A');
  git(repo.root, 'commit', '-qm', name);
  git(repo.root, 'checkout', '-q', 'main');
}

const show = (rev: string, file: string): string[] => git(repo.root, 'show', `${rev}:${file}`).split('\n');
/** Lines start..end (1-based, inclusive) of a file on a branch. */
const slice = (rev: string, file: string, start: number, end: number): string[] => show(rev, file).slice(start - 1, end);

before(() => {
  repo = makeRepo({
    'text.txt': BASE,
    'other.txt': 'other\n',
    'deleted.txt': 'keep me\n',
    'moved.txt': lines(10, (i) => `moved ${i}`),
    'image.bin': '\0\x01\x02base',
  });
  // Ours (the module): lines 10-11 become three lines, line 20 goes, line 25 changes.
  const oursText = BASE.replace('line 10\nline 11\n', 'mod A\nmod B\nmod C\n').replace('line 20\n', '').replace('line 25\n', 'mod 25\n');
  // Theirs (integration): four new lines at the top, line 10 and line 25 change.
  const theirsText = `top 1\ntop 2\ntop 3\ntop 4\n${BASE.replace('line 10\n', 'int X\n').replace('line 25\n', 'int 25\n')}`;
  branch('ours', {
    'text.txt': oursText, 'new.txt': 'added by ours\n', 'deleted.txt': null,
    'image.bin': '\0\x01\x02ours', 'moved-again.txt': lines(10, (i) => (i === 3 ? 'ours 3' : `moved ${i}`)),
  }, [['moved.txt', 'moved-again.txt']]);
  branch('theirs', {
    'text.txt': theirsText, 'new.txt': 'added by theirs\n', 'deleted.txt': 'changed\n',
    'image.bin': '\0\x01\x02theirs', 'moved.txt': lines(10, (i) => (i === 3 ? 'theirs 3' : `moved ${i}`)),
  });
  branch('ours-clean', { 'other.txt': 'ours changed other\n' }, [['moved.txt', 'renamed.txt']]);
  branch('theirs-clean', { 'moved.txt': lines(10, (i) => (i === 9 ? 'theirs 9' : `moved ${i}`)) });
});

after(() => repo.cleanup());

function conflictsOf(check: MergeCheck) {
  assert.equal(check.clean, false, 'expected conflicts');
  return check.clean ? [] : check.conflicts;
}

describe('MergeTree.merge (git ≥ 2.38: merge-tree --write-tree)', () => {
  test('a clean merge gives the merged tree', async () => {
    const check = await new MergeTree(repo.root, new GitRunner()).merge('ours-clean', 'theirs-clean');
    assert.equal(check.clean, true);
    assert.ok(check.clean && /^[0-9a-f]{40}$/.test(check.tree));
    // Git follows the rename: their change to moved.txt lands in renamed.txt.
    const tree = check.clean ? check.tree : '';
    assert.equal(git(repo.root, 'show', `${tree}:renamed.txt`).split('\n')[8], 'theirs 9');
    assert.equal(git(repo.root, 'show', `${tree}:other.txt`), 'ours changed other\n');
  });

  test('content conflicts carry exact line ranges in each side\'s own file', async () => {
    const conflicts = conflictsOf(await new MergeTree(repo.root, new GitRunner()).merge('ours', 'theirs'));
    const text = conflicts.find((c) => c.file === 'text.txt');
    assert.deepEqual(text, {
      file: 'text.txt',
      kind: 'content',
      ranges: [
        // Ours: lines 10-12 are "mod A-C"; line 25 moved up to 24 (line 20 deleted) and down by 1 (2 lines became 3).
        { startLine: 10, endLine: 12, theirsStartLine: 14, theirsEndLine: 15 },
        { startLine: 25, endLine: 25, theirsStartLine: 29, theirsEndLine: 29 },
      ],
    });
    assert.deepEqual(slice('ours', 'text.txt', 10, 12), ['mod A', 'mod B', 'mod C']);
    assert.deepEqual(slice('theirs', 'text.txt', 14, 15), ['int X', 'line 11']);
    assert.deepEqual(slice('ours', 'text.txt', 25, 25), ['mod 25']);
    assert.deepEqual(slice('theirs', 'text.txt', 29, 29), ['int 25']);
  });

  test('add/add, modify/delete, binary and rename-with-edit conflicts', async () => {
    const conflicts = conflictsOf(await new MergeTree(repo.root, new GitRunner()).merge('ours', 'theirs'));
    const byFile = new Map(conflicts.map((c) => [c.file, c]));
    assert.deepEqual([...byFile.keys()].sort(), ['deleted.txt', 'image.bin', 'moved-again.txt', 'new.txt', 'text.txt']);
    assert.deepEqual(byFile.get('new.txt'), { file: 'new.txt', kind: 'add/add', ranges: [{ startLine: 1, endLine: 1, theirsStartLine: 1, theirsEndLine: 1 }] });
    assert.deepEqual(byFile.get('deleted.txt'), { file: 'deleted.txt', kind: 'modify/delete', ranges: [] });
    assert.deepEqual(byFile.get('image.bin'), { file: 'image.bin', kind: 'binary', ranges: [] });
    // Renamed by ours and edited on both sides: git follows the rename and conflicts on the content.
    assert.deepEqual(byFile.get('moved-again.txt'), {
      file: 'moved-again.txt', kind: 'content', theirsFile: 'moved.txt',
      ranges: [{ startLine: 3, endLine: 3, theirsStartLine: 3, theirsEndLine: 3 }],
    });
  });

  test('swapping the sides swaps the ranges', async () => {
    const conflicts = conflictsOf(await new MergeTree(repo.root, new GitRunner()).merge('theirs', 'ours'));
    assert.deepEqual(conflicts.find((c) => c.file === 'text.txt')?.ranges, [
      { startLine: 14, endLine: 15, theirsStartLine: 10, theirsEndLine: 12 },
      { startLine: 29, endLine: 29, theirsStartLine: 25, theirsEndLine: 25 },
    ]);
  });

  test('a revision that does not exist is an error, not a conflict', async () => {
    const mt = new MergeTree(repo.root, new GitRunner());
    await assert.rejects(mt.merge('ours', 'no-such-branch'), (e: unknown) => e instanceof GitError && e.reason === 'not-found' && /no-such-branch/.test(e.message));
    await assert.rejects(mt.merge('ours', '0'.repeat(40)), GitError);
    await assert.rejects(mt.mergeMany([['ours', 'theirs'], ['main', 'nope']]), GitError);
  });

  test('merge-tree output that does not add up is an error, never a conflict or a clean merge', async () => {
    // merge-tree's answer replaced by output git would not give (optionally as another git version).
    const answering = (result: GitResult, pretendVersion?: GitVersion) => gitSpy({ pretendVersion, pretendAnswer: { command: 'merge-tree', result } });
    const noTree = answering({ stdout: '', stderr: 'merge-tree: x - not something we can merge', exitCode: 1 });
    await assert.rejects(new MergeTree(repo.root, noTree).merge('ours', 'theirs'), /without a tree/);
    const tree = git(repo.root, 'rev-parse', 'main^{tree}').trim();
    const noFiles = answering({ stdout: `${tree}\0\0`, stderr: '', exitCode: 1 }, { major: 2, minor: 38, patch: 0 });
    await assert.rejects(new MergeTree(repo.root, noFiles).merge('ours', 'theirs'), /named no file/);
    // --stdin: output that does not parse, or answers fewer merges than asked, is an error too.
    const garbled = answering({ stdout: `1\0${tree}\0garbage\0`, stderr: '', exitCode: 0 });
    await assert.rejects(new MergeTree(repo.root, garbled).mergeMany([['ours', 'theirs'], ['main', 'ours']]), /cannot read git merge-tree --stdin output/);
    const short = answering({ stdout: `1\0${tree}\0\0\0`, stderr: '', exitCode: 0 });
    await assert.rejects(new MergeTree(repo.root, short).mergeMany([['ours', 'theirs'], ['main', 'ours']]), /answered 1 of 2/);
  });
});

describe('MergeTree.mergeMany', () => {
  const pairs: [string, string][] = [['ours', 'theirs'], ['ours-clean', 'theirs-clean'], ['theirs', 'ours'], ['main', 'ours'], ['ours', 'theirs-clean']];

  test('one merge-tree --stdin process gives what separate merges give', async () => {
    const spy = gitSpy();
    const many = await new MergeTree(repo.root, spy).mergeMany(pairs);
    assert.equal(spy.count('merge-tree'), 1);
    assert.equal(spy.count('merge-tree', { flag: '--stdin' }), 1);
    assert.equal(spy.count('cat-file', { flag: '--batch=' }) <= 1, true);
    const single = new MergeTree(repo.root, new GitRunner());
    const each = await Promise.all(pairs.map(([a, b]) => single.merge(a, b)));
    assert.deepEqual(many, each);
    // ours renamed moved.txt and edited line 3, theirs-clean edited line 9: git merges that cleanly.
    assert.deepEqual(many.map((c) => c.clean), [false, true, false, true, true]);
  });

  test('git 2.38 (no --stdin): one merge-tree process per pair, same answers', async () => {
    const spy = gitSpy({ pretendVersion: { major: 2, minor: 38, patch: 1 } });
    const many = await new MergeTree(repo.root, spy).mergeMany(pairs);
    assert.equal(spy.count('merge-tree'), pairs.length);
    assert.equal(spy.count('merge-tree', { flag: '--stdin' }), 0);
    assert.deepEqual(many, await new MergeTree(repo.root, new GitRunner()).mergeMany(pairs));
  });

  test('git 2.37: merges in a scratch worktree, says so once, leaves nothing behind', async () => {
    const headBefore = git(repo.root, 'rev-parse', 'HEAD');
    const refsBefore = git(repo.root, 'for-each-ref');
    const notices: string[] = [];
    const spy = gitSpy({ pretendVersion: { major: 2, minor: 37, patch: 0 } });
    const mt = new MergeTree(repo.root, spy, { onSlowFallback: (m) => notices.push(m) });
    const fallback = await mt.mergeMany(pairs);
    await mt.merge('ours', 'theirs');
    assert.equal(spy.count('merge-tree'), 0);
    assert.equal(notices.length, 1);
    assert.match(notices[0], /2\.37.*slower/);
    const expected = await new MergeTree(repo.root, new GitRunner()).mergeMany(pairs);
    assert.deepEqual(
      fallback.map((c) => (c.clean ? 'clean' : c.conflicts)),
      expected.map((c) => (c.clean ? 'clean' : c.conflicts)),
    );
    // Clean merges give the same tree as merge-tree.
    assert.deepEqual(fallback.filter((c) => c.clean), expected.filter((c) => c.clean));
    assert.equal(git(repo.root, 'worktree', 'list', '--porcelain').match(/^worktree /gm)?.length, 1);
    assert.equal(git(repo.root, 'rev-parse', 'HEAD'), headBefore);
    assert.equal(git(repo.root, 'for-each-ref'), refsBefore);
    assert.equal(git(repo.root, 'status', '--porcelain'), '');
  });

  test('an empty list runs nothing', async () => {
    const spy = gitSpy();
    assert.deepEqual(await new MergeTree(repo.root, spy).mergeMany([]), []);
    assert.equal(spy.calls.length, 0);
  });
});

describe('readBlobs', () => {
  test('many blobs by one process: empty, binary, missing ones in any position', async () => {
    const spy = gitSpy();
    const missing = 'f'.repeat(40);
    const texts = await readBlobs(spy, repo.root, [missing, 'main:text.txt', 'main:nothing-here', 'main:image.bin', 'ours:new.txt', missing]);
    assert.equal(spy.calls.length, 1);
    assert.deepEqual(texts.map((t) => (t === null ? null : t.length)), [null, BASE.length, null, texts[3]?.length, 'added by ours\n'.length, null]);
    assert.equal(texts[1], BASE);
    assert.ok(texts[3]?.startsWith('\0\x01\x02'));
    const empty = git(repo.root, 'hash-object', '-w', '--stdin').trim();
    assert.deepEqual(await readBlobs(spy, repo.root, [empty, empty, 'main:other.txt']), ['', '', 'other\n']);
  });
});
