import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { findMarker, scanAddedLines } from '../../src/core/validate/todoScan';

// Real `git diff -U0` output (git 2.39): binary, new (quoted non-ASCII name), deleted, modified with
// an added line that starts with "++", and a renamed file whose last line has no newline.
const DIFF = String.raw`diff --git a/bin.dat b/bin.dat
index bdc955b..8835708 100644
Binary files a/bin.dat and b/bin.dat differ
diff --git "a/caf\303\251.ts" "b/caf\303\251.ts"
new file mode 100644
index 0000000..1741582
--- /dev/null
+++ "b/caf\303\251.ts"
@@ -0,0 +1 @@
+x // TODO café
diff --git a/del.ts b/del.ts
deleted file mode 100644
index 286c5f5..0000000
--- a/del.ts
+++ /dev/null
@@ -1 +0,0 @@
-// TODO deleted lines do not count
diff --git a/keep.ts b/keep.ts
index d75b8b6..bd77ee4 100644
--- a/keep.ts
+++ b/keep.ts
@@ -2,0 +3 @@ a
+// FIXME new
@@ -3,0 +5,2 @@ c
+++ x TODO
+plain
diff --git a/moved.ts b/renamed.ts
similarity index 61%
rename from moved.ts
rename to renamed.ts
index b2f931a..7e163b4 100644
--- a/moved.ts
+++ b/renamed.ts
@@ -5 +5 @@ four
-five // HACK old
+five // HACK
\ No newline at end of file
diff --git a/only-renamed.ts b/now-here.ts
similarity index 100%
rename from only-renamed.ts
rename to now-here.ts
`;

describe('scanAddedLines', () => {
  test('finds markers in added lines only, with new-file positions', () => {
    assert.deepEqual(scanAddedLines(DIFF), [
      { file: 'café.ts', line: 1, column: 6, text: 'x // TODO café', marker: 'TODO' },
      { file: 'keep.ts', line: 3, column: 4, text: '// FIXME new', marker: 'FIXME' },
      { file: 'keep.ts', line: 5, column: 6, text: '++ x TODO', marker: 'TODO' },
      { file: 'renamed.ts', line: 5, column: 9, text: 'five // HACK', marker: 'HACK' },
    ]);
  });

  test('counts lines through a hunk with context and removed lines', () => {
    const diff = [
      'diff --git a/a.ts b/a.ts',
      '--- a/a.ts',
      '+++ b/a.ts',
      '@@ -10,4 +10,4 @@ function f() {',
      ' one',
      '-two',
      '+two // TODO: check',
      ' three',
      '-four',
      '+// XXX four',
      '',
    ].join('\n');
    assert.deepEqual(scanAddedLines(diff).map((m) => [m.line, m.marker]), [[11, 'TODO'], [13, 'XXX']]);
  });

  test('a removed line that starts with "--" is not a header, and CRLF lines are read', () => {
    const diff = 'diff --git a/q.sql b/q.sql\r\n--- a/q.sql\r\n+++ b/q.sql\r\n@@ -1 +1 @@\r\n--- old\r\n+-- todo: index\r\n';
    assert.deepEqual(scanAddedLines(diff), [{ file: 'q.sql', line: 1, column: 4, text: '-- todo: index', marker: 'TODO' }]);
  });

  test('empty and non-diff input', () => {
    assert.deepEqual(scanAddedLines(''), []);
    assert.deepEqual(scanAddedLines('+TODO without any header\n@@ nonsense @@\n'), []);
  });
});

describe('findMarker', () => {
  const flagged: [string, string][] = [
    ['// TODO: wire this up', 'TODO'],
    ['  // todo wire this up', 'TODO'],
    ['/* Fixme later */', 'FIXME'],
    [' * @todo cover the error case', 'TODO'],
    ['x = 1  # hack around the API', 'HACK'],
    ['-- TODO', 'TODO'],
    ['<!-- todo: copy -->', 'TODO'],
    ['return null; // STUB', 'STUB'],
    ['// stub implementation', 'STUB'],
    ["throw new Error('not implemented');", 'NOT-IMPLEMENTED'],
    ['throw new Error("Not yet implemented: refunds")', 'NOT-IMPLEMENTED'],
    ['panic(`not implemented`)', 'NOT-IMPLEMENTED'],
    ['raise NotImplementedError', 'NOT-IMPLEMENTED'],
    ['throw new NotImplementedException();', 'NOT-IMPLEMENTED'],
    ['    todo!()', 'NOT-IMPLEMENTED'],
    ['    unimplemented!("later")', 'NOT-IMPLEMENTED'],
    ['const TODO = 1;', 'TODO'],
    ["'XXX-XX-XXXX'", 'XXX'],
  ];
  for (const [line, marker] of flagged) {
    test(`flags ${JSON.stringify(line)}`, () => assert.equal(findMarker(line)?.marker, marker));
  }

  const clean = [
    'const todos = await loadTodos();',
    'todo.title = input.trim();',
    'export function addTodo(todo: Todo) {}',
    "import { TodoList } from './todo-list';",
    'const TODO_LIST = [];',
    'const stub = sinon.stub(api, "get");',
    'it("stubs the network", () => {});',
    'const url = "http://todo.example.com";',
    'x = a * todo.count;',
    'HACKS and TODOS in plural',
    'implemented = true; // the feature is implemented',
    'the word notImplemented is an identifier',
  ];
  for (const line of clean) {
    test(`leaves ${JSON.stringify(line)}`, () => assert.equal(findMarker(line), null));
  }

  test('in Markdown only the capitalised words count', () => {
    assert.equal(findMarker('# Todo app', 'README.md'), null);
    assert.equal(findMarker('- [ ] todo: write docs', 'docs/notes.md'), null);
    assert.equal(findMarker('TODO: write docs', 'README.md')?.marker, 'TODO');
    assert.equal(findMarker('# Todo app', 'src/app.py')?.marker, 'TODO');
  });

  test('points at the leftmost marker', () => {
    assert.deepEqual(findMarker('foo(); // FIXME: and TODO'), { marker: 'FIXME', index: 10 });
  });
});
