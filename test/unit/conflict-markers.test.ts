import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  conflictRanges,
  conflictsOf,
  kindOf,
  labelPath,
  parseMergeTreeOutput,
  parseMergeTreeStdinOutput,
  resolvedSpans,
  scanConflictMarkers,
  splitLines,
} from '../../src/core/merge/conflicts';
import { matchLines } from '../../src/core/merge/lineMatch';
import { ownershipViolations, ownsMatcher, pairConflicts, pairsOf, statusV2 } from '../../src/core/merge/predict';

const text = (...lines: string[]): string => `${lines.join('\n')}\n`;

describe('scanConflictMarkers', () => {
  test('finds a block with 0-based marker and side lines', () => {
    const blocks = scanConflictMarkers(text('a', '<<<<<<< ours', 'o1', 'o2', '=======', 't1', '>>>>>>> theirs', 'z'));
    assert.deepEqual(blocks, [{
      markerStart: 1, markerEnd: 6, oursStart: 2, oursEnd: 4, baseStart: null, baseEnd: null,
      theirsStart: 5, theirsEnd: 6, oursLabel: 'ours', theirsLabel: 'theirs',
    }]);
  });

  test('a diff3 base section ends our side and is reported on its own', () => {
    const [b] = scanConflictMarkers(text('<<<<<<< a', 'o', '||||||| base', 'b1', 'b2', '=======', 't', '>>>>>>> b'));
    assert.deepEqual([b.oursStart, b.oursEnd, b.baseStart, b.baseEnd, b.theirsStart, b.theirsEnd], [1, 2, 3, 5, 6, 7]);
  });

  test('CRLF line ends are not part of the markers or labels', () => {
    const blocks = scanConflictMarkers('x\r\n<<<<<<< HEAD\r\nmine\r\n=======\r\nyours\r\n>>>>>>> other\r\n');
    assert.equal(blocks.length, 1);
    assert.equal(blocks[0].oursLabel, 'HEAD');
    assert.equal(blocks[0].theirsLabel, 'other');
    assert.deepEqual(splitLines('a\r\nb\r\n'), ['a', 'b']);
  });

  test('marker-like text that is not a marker is content', () => {
    const blocks = scanConflictMarkers(text(
      'Title', '=======', // a Markdown heading underline outside any block
      ' <<<<<<< indented', '<<<<<<<<< nine', '<<<<<<<x no space',
      '<<<<<<< a', 'keep', '>>>>>>> too early', '=======', '======== eight', '||||||| late base', 'theirs', '>>>>>>> b',
    ));
    assert.equal(blocks.length, 1);
    const [b] = blocks;
    assert.deepEqual([b.markerStart, b.oursStart, b.oursEnd, b.theirsStart, b.theirsEnd, b.markerEnd], [5, 6, 8, 9, 12, 12]);
  });

  test('an unterminated block is ignored, also when a new block starts inside it', () => {
    assert.deepEqual(scanConflictMarkers(text('<<<<<<< a', 'x', '=======', 'y')), []);
    const blocks = scanConflictMarkers(text('<<<<<<< a', 'x', '<<<<<<< a', 'o', '=======', 't', '>>>>>>> b'));
    assert.equal(blocks.length, 1);
    assert.equal(blocks[0].markerStart, 2);
  });

  test('with labels, only blocks git wrote for these commits count', () => {
    const merged = text('<<<<<<< HEAD', 'committed by mistake', '=======', 'x', '>>>>>>> old', 'mid', '<<<<<<< c1:src/a.ts', 'o', '=======', 't', '>>>>>>> c2');
    const blocks = scanConflictMarkers(merged, { labels: { ours: 'c1', theirs: 'c2' } });
    assert.equal(blocks.length, 1);
    assert.equal(blocks[0].markerStart, 6);
    assert.equal(labelPath(blocks[0].oursLabel, 'c1'), 'src/a.ts');
    assert.equal(labelPath(blocks[0].theirsLabel, 'c2'), null);
  });

  test('another marker size (conflict-marker-size attribute)', () => {
    assert.equal(scanConflictMarkers(text('<<<<<<<<<< a', 'o', '==========', 't', '>>>>>>>>>> b'), { markerSize: 10 }).length, 1);
    assert.equal(scanConflictMarkers(text('<<<<<<<<<< a', 'o', '==========', 't', '>>>>>>>>>> b')).length, 0);
  });
});

describe('line ranges of conflict hunks', () => {
  const merged = text(
    'l1', 'l2',
    '<<<<<<< ours', 'o1', 'o2', '=======', 't1', '>>>>>>> theirs', // ours 3-4, theirs 3
    'mid',
    '<<<<<<< ours', '||||||| base', 'b', '=======', 't2', 't3', '>>>>>>> theirs', // ours empty before 6, theirs 5-6
    'end',
  );

  test('each side counts the lines outside blocks plus its own lines of earlier blocks', () => {
    assert.deepEqual(resolvedSpans(splitLines(merged), scanConflictMarkers(merged), 'ours').lines, ['l1', 'l2', 'o1', 'o2', 'mid', 'end']);
    assert.deepEqual(conflictRanges(merged), [
      { startLine: 3, endLine: 4, theirsStartLine: 3, theirsEndLine: 3 },
      { startLine: 6, endLine: 5, theirsStartLine: 5, theirsEndLine: 6 },
    ]);
  });

  test('with the sides\' own versions, lines the other side merged cleanly are not counted', () => {
    // Theirs added two lines at the top and ours deleted l2: both merged cleanly around the hunk.
    const merged2 = text('new1', 'new2', 'l1', '<<<<<<< A', 'mine', '=======', 'yours', '>>>>>>> B', 'tail');
    const ours = text('l1', 'mine', 'tail');
    const theirs = text('new1', 'new2', 'l1', 'l2', 'yours', 'tail');
    // Counting alone places both sides in the merged file's frame: 2 lines off for ours, 1 for theirs.
    assert.deepEqual(conflictRanges(merged2), [{ startLine: 4, endLine: 4, theirsStartLine: 4, theirsEndLine: 4 }]);
    assert.deepEqual(conflictRanges(merged2, { ours, theirs }), [
      { startLine: 2, endLine: 2, theirsStartLine: 5, theirsEndLine: 5 },
    ]);
  });

  test('an empty side is placed after the last line kept before it', () => {
    const m = text('a', '<<<<<<< x', '=======', 'gone-on-ours', '>>>>>>> y', 'b');
    assert.deepEqual(conflictRanges(m, { ours: text('top', 'a', 'b'), theirs: text('a', 'gone-on-ours', 'b') }), [
      { startLine: 3, endLine: 2, theirsStartLine: 2, theirsEndLine: 2 },
    ]);
  });

  test('no markers, no ranges', () => {
    assert.deepEqual(conflictRanges('plain\ntext\n'), []);
  });
});

describe('matchLines', () => {
  test('keeps common lines along a shortest edit script', () => {
    assert.deepEqual([...(matchLines(['a', 'b', 'c', 'd'], ['a', 'x', 'c', 'd', 'e']) ?? [])], [0, -1, 2, 3]);
    assert.deepEqual([...(matchLines(['x', 'a', 'b'], ['a', 'b']) ?? [])], [-1, 0, 1]);
    assert.deepEqual([...(matchLines([], ['a']) ?? [])], []);
  });

  test('gives up beyond the edit limit', () => {
    const a = Array.from({ length: 50 }, (_, i) => `a${i}`);
    const b = Array.from({ length: 50 }, (_, i) => `b${i}`);
    assert.equal(matchLines(a, b, 10), null);
    assert.ok(matchLines(a, b, 100));
  });
});

const OID_T = 'a'.repeat(40);
const OID_1 = '1'.repeat(40);
const OID_2 = '2'.repeat(40);
const OID_3 = '3'.repeat(40);

describe('parseMergeTreeOutput', () => {
  test('-z: tree, stages and message records', () => {
    const out = [
      OID_T,
      `100644 ${OID_1} 1\tsrc/a b.ts`, `100644 ${OID_2} 2\tsrc/a b.ts`, `100644 ${OID_3} 3\tsrc/a b.ts`,
      `100644 ${OID_1} 1\tgone.txt`, `100644 ${OID_3} 3\tgone.txt`,
      '',
      '1', 'src/a b.ts', 'Auto-merging', 'Auto-merging src/a b.ts\n',
      '1', 'src/a b.ts', 'CONFLICT (contents)', 'CONFLICT (content): Merge conflict in src/a b.ts\n',
      '1', 'gone.txt', 'CONFLICT (modify/delete)', 'CONFLICT (modify/delete): gone.txt deleted in x and modified in y.\n',
      '',
    ].join('\0');
    const r = parseMergeTreeOutput(out, true);
    assert.equal(r.tree, OID_T);
    assert.equal(r.entries.length, 5);
    assert.deepEqual(r.entries[1], { mode: '100644', object: OID_2, stage: 2, path: 'src/a b.ts' });
    assert.equal(r.messages.length, 3);
    assert.deepEqual(conflictsOf(r).map((c) => [c.file, c.kind]), [['src/a b.ts', 'content'], ['gone.txt', 'modify/delete']]);
  });

  test('-z clean merge and a failure to start (no tree)', () => {
    assert.deepEqual(parseMergeTreeOutput(`${OID_T}\0\0`, true), { tree: OID_T, entries: [], messages: [] });
    assert.deepEqual(parseMergeTreeOutput('', true), { tree: null, entries: [], messages: [] });
  });

  test('without -z: quoted paths are unquoted and messages tied to paths they mention', () => {
    const out = [OID_T, `100644 ${OID_2} 2\t"caf\\303\\251 \\"x\\".txt"`, `100644 ${OID_3} 3\t"caf\\303\\251 \\"x\\".txt"`, '',
      'CONFLICT (add/add): Merge conflict in café "x".txt', ''].join('\n');
    const r = parseMergeTreeOutput(out, false);
    assert.equal(r.entries[0].path, 'café "x".txt');
    assert.deepEqual(conflictsOf(r).map((c) => c.kind), ['add/add']);
  });

  test('--stdin: a status before each merge and NUL after it', () => {
    const out = [
      '0', OID_T, `100644 ${OID_2} 2\tx`, `100644 ${OID_3} 3\tx`, '', '1', 'x', 'CONFLICT (contents)', 'CONFLICT (add/add): Merge conflict in x\n', '',
      '1', OID_T, '', '',
      '1', OID_T, '', '1', 'y', 'Auto-merging', 'Auto-merging y\n', '',
      '',
    ].join('\0');
    const r = parseMergeTreeStdinOutput(out);
    assert.deepEqual(r.map((m) => [m.status, m.entries.length, m.messages.length]), [[0, 2, 1], [1, 0, 0], [1, 0, 1]]);
    assert.throws(() => parseMergeTreeStdinOutput(['0', OID_T, 'garbage', ''].join('\0')), /after the conflicted file info/);
    assert.throws(() => parseMergeTreeStdinOutput(['1', OID_T, ''].join('\0')), /not terminated/);
  });

  test('a conflict git names only in a message (directory renames) still counts', () => {
    const r = parseMergeTreeOutput([OID_T, '', '2', 'a/x', 'b/x', 'CONFLICT (directory rename split)', 'CONFLICT (directory rename split): …', ''].join('\0'), true);
    assert.deepEqual(conflictsOf(r).map((c) => [c.file, c.kind]), [['a/x', 'rename'], ['b/x', 'rename']]);
    assert.deepEqual(conflictsOf({ tree: OID_T, entries: [], messages: [] }), []);
  });
});

describe('kindOf', () => {
  const msg = (type: string, message = type) => ({ paths: ['f'], type, message });
  const both = new Set([1, 2, 3]);
  test('from the message types about the file', () => {
    assert.equal(kindOf(both, [msg('Auto-merging'), msg('CONFLICT (contents)', 'CONFLICT (content): Merge conflict in f')]), 'content');
    assert.equal(kindOf(new Set([2, 3]), [msg('CONFLICT (contents)', 'CONFLICT (add/add): Merge conflict in f')]), 'add/add');
    assert.equal(kindOf(both, [msg('CONFLICT (binary)', 'warning: Cannot merge binary files: f'), msg('CONFLICT (contents)')]), 'binary');
    assert.equal(kindOf(new Set([1, 3]), [msg('CONFLICT (modify/delete)')]), 'modify/delete');
    assert.equal(kindOf(new Set([1, 2]), [msg('CONFLICT (rename/delete)')]), 'rename');
    assert.equal(kindOf(new Set([3]), [msg('CONFLICT (rename/rename)')]), 'rename');
    assert.equal(kindOf(new Set([2]), [msg('CONFLICT (file/directory)')]), 'other');
  });
  test('a path that looks like a type does not change the kind', () => {
    assert.equal(kindOf(both, [msg('CONFLICT (contents)', 'CONFLICT (content): Merge conflict in src/add/add.ts')]), 'content');
  });
  test('without messages: stages 2 and 3 are a content conflict', () => {
    assert.equal(kindOf(new Set([2, 3]), []), 'content');
    assert.equal(kindOf(new Set([1, 3]), []), 'other');
  });
});

describe('prediction helpers', () => {
  test('pairs, and whole-file conflicts as line 0', () => {
    assert.deepEqual(pairsOf(['a', 'b', 'c']), [['a', 'b'], ['a', 'c'], ['b', 'c']]);
    assert.deepEqual(pairConflicts({ clean: false, tree: null, conflicts: [
      { file: 'x', kind: 'content', ranges: [{ startLine: 2, endLine: 3, theirsStartLine: 4, theirsEndLine: 4 }] },
      { file: 'y', kind: 'modify/delete', ranges: [] },
    ] }), [
      { file: 'x', kind: 'content', startLine: 2, endLine: 3, bStartLine: 4, bEndLine: 4 },
      { file: 'y', kind: 'modify/delete', startLine: 0, endLine: 0, bStartLine: 0, bEndLine: 0 },
    ]);
    assert.deepEqual(pairConflicts({ clean: true, tree: OID_T }), []);
  });

  test('owns globs: wildcards, folders, negation', () => {
    const owns = ownsMatcher(['src/auth/**', './docs/auth.md', 'lib/', 'src/shared', '!src/auth/generated/**']);
    assert.ok(owns('src/auth/login.ts'));
    assert.ok(owns('docs/auth.md'));
    assert.ok(owns('lib/x/y.js'));
    assert.ok(owns('src/shared/util.ts'));
    assert.ok(!owns('src/auth/generated/api.ts'));
    assert.ok(!owns('src/sharedness.ts'));
  });

  test('a file owned by another module is a violation unless the changer owns it too', () => {
    const owners = [
      { id: 'auth', owns: ownsMatcher(['src/auth/**', 'src/common.ts']) },
      { id: 'ui', owns: ownsMatcher(['src/ui/**', 'src/common.ts']) },
    ];
    assert.deepEqual(ownershipViolations('ui', ['src/ui/a.ts', 'src/auth/x.ts', 'src/common.ts', 'README.md'], owners), [
      { module: 'ui', file: 'src/auth/x.ts', owner: 'auth' },
    ]);
  });

  test('status v2: HEAD and the paths, renames counted once, spaces in names kept', () => {
    const head = 'a'.repeat(40);
    const out = [
      `# branch.oid ${head}`,
      '# branch.head main',
      `1 .M N... 100644 100644 100644 ${head} ${head} a.txt`,
      `2 R. N... 100644 100644 100644 ${head} ${head} R100 new name.txt`,
      'old name.txt',
      `u UU N... 100644 100644 100644 100644 ${head} ${head} ${head} both.txt`,
      '? dir/u.txt',
      '',
    ].join('\0');
    assert.deepEqual(statusV2(out), { head, paths: ['a.txt', 'new name.txt', 'both.txt', 'dir/u.txt'] });
    assert.deepEqual(statusV2('# branch.oid (initial)\0# branch.head main\0? x\0'), { head: null, paths: ['x'] });
  });
});
