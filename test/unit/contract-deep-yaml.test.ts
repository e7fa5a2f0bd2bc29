// A frontmatter nested thousands of levels deep is a malformed-frontmatter problem at the line where
// the nesting goes too deep: never "Maximum call stack size exceeded", never a crash.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseContract } from '../../src/core/contract/parseContract';

const HEAD = '---\nfeature_id: f-a\nprovides: [x]\ndepends_on: []\nacceptance_criteria:\n  - returns 200\n';
const contract = (owns: string) => `${HEAD}owns: ${owns}\n---\n`;
const DEPTH = 3000;

const FORMS: Record<string, [text: string, line: number]> = {
  // `- - - … x` on one line
  'compact block list': [contract(`\n  ${'- '.repeat(DEPTH)}x`), 8],
  // one item per line, each indented further
  'block list, a line per level': [contract(`\n${Array.from({ length: DEPTH }, (_, i) => `${'  '.repeat(i + 1)}-`).join('\n')} x`), 8 + 63],
  'flow list': [contract(`${'['.repeat(DEPTH)}x${']'.repeat(DEPTH)}`), 7],
  'maps, a line per level': [contract(`\n${Array.from({ length: DEPTH }, (_, i) => `${'  '.repeat(i + 1)}k${i}:`).join('\n')} x`), 8 + 63],
};

describe('a deeply nested frontmatter', () => {
  for (const [name, [text, line]] of Object.entries(FORMS)) {
    test(`${name}: one malformed-frontmatter problem at the line where it nests too deep`, () => {
      const c = parseContract('contracts/a.md', text);
      assert.deepEqual(
        c.problems.map((p) => [p.code, p.line, p.message]),
        [['malformed-frontmatter', line, 'The frontmatter nests lists or maps more than 64 levels deep here; a contract needs a few.']],
      );
      assert.ok(c.problems[0].column >= 1 && c.problems[0].column <= text.split('\n')[line - 1].length + 1, 'the column is on the line');
    });
  }

  test('nesting a contract really uses still parses', () => {
    const c = parseContract('contracts/a.md', contract(`\n  - src/a/**\n  - - src/b/**\n    - [src/c/**, [src/d/**]]`));
    assert.ok(!c.problems.some((p) => p.code === 'malformed-frontmatter'), JSON.stringify(c.problems));
  });

  test('brackets inside quoted strings and comments are not nesting', () => {
    const c = parseContract('contracts/a.md', `${HEAD}owns: ["${'['.repeat(200)}", '${'{'.repeat(200)}'] # ${'['.repeat(200)}\n---\n`);
    assert.ok(!c.problems.some((p) => p.code === 'malformed-frontmatter'), JSON.stringify(c.problems));
  });
});

test('brackets in a block scalar are text, not nesting', () => {
  const c = parseContract('contracts/a.md', `${HEAD}notes: |\n  ${'[ '.repeat(100)}\n  more ${'{'.repeat(100)}\nowns: [src/a/**]\n---\n`);
  assert.ok(!c.problems.some((p) => p.code === 'malformed-frontmatter'), JSON.stringify(c.problems));
});
