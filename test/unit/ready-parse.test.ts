import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ReadyParser } from '../../src/core/spec/parseReady';
import type { SpecDocument } from '../../src/core/model';

const fixture = readFileSync(path.join(__dirname, '../fixtures/bookshop/READY.md'), 'utf8');
const parse = (text: string): SpecDocument => new ReadyParser().parse('READY.md', text);
const codes = (doc: SpecDocument): string[] => doc.problems.map((p) => p.code);

describe('READY.md phases', () => {
  const doc = parse(fixture);

  test('finds the phases of the Implementation Phases section only', () => {
    assert.deepEqual(doc.problems, []);
    assert.deepEqual(
      doc.phases.map((p) => [p.number, p.name, p.slug, p.line, p.column]),
      [
        [1, 'Foundation', 'phase-1-foundation', 7, 1],
        [2, 'Storefront', 'phase-2-storefront', 24, 1],
      ],
    );
  });

  test('goals are the bullets directly under the heading, with positions of their text', () => {
    assert.deepEqual(doc.phases[0].goals, [
      { value: 'Set up the project layout and shared types', line: 8, column: 3 },
      { value: 'Add a `Book` model', line: 9, column: 3 },
    ]);
  });

  test('bold-label and level-4 subsections', () => {
    const [p1, p2] = doc.phases;
    assert.deepEqual(p1.successCriteria, [{ value: '`npm test` exits 0', line: 12, column: 3 }]);
    assert.deepEqual(p1.expectedFiles.map((f) => f.value), ['src/types.ts', 'package.json']);
    assert.deepEqual(p2.gotchas.map((g) => [g.value, g.line]), [['Prices are integers in cents, never floats', 36]]);
    assert.deepEqual(p2.expectedFiles.map((f) => f.value), ['src/catalog/index.ts', 'src/cart/index.ts']);
  });

  test('test commands from a fenced block (comments skipped) and from inline-code bullets', () => {
    assert.deepEqual(doc.phases[0].testCommands, [{ value: 'npm test', line: 21, column: 1 }]);
    assert.deepEqual(doc.phases[1].testCommands.map((c) => [c.value, c.line, c.column]), [
      ['npm test', 43, 3],
      ['npm run lint', 44, 3],
    ]);
  });

  test('modules from a **Modules:** line, each at its column, with goals from #### Module: sections', () => {
    const mods = doc.phases[1].modules;
    assert.deepEqual(mods.map((m) => [m.id, m.line, m.column]), [
      ['catalog', 27, 14],
      ['search', 27, 23],
      ['cart', 27, 31],
      ['checkout', 27, 37],
    ]);
    assert.deepEqual(mods[0].goals, [{ value: 'List books with `GET /books`', line: 47, column: 3 }]);
    assert.deepEqual(mods[3].goals.map((g) => g.value), ['Turn a cart into an order']);
  });

  test('a phase without modules has one implicit module named after it', () => {
    assert.deepEqual(doc.phases[0].modules.map((m) => [m.id, m.implicit, m.line]), [['foundation', true, 7]]);
  });

  test('Depends on and Gate lines', () => {
    assert.equal(doc.phases[0].dependsOn, null);
    assert.deepEqual(doc.phases[1].dependsOn, [{ value: 1, line: 28, column: 23 }]);
    assert.equal(doc.phases[1].gate, 'manual');
    assert.equal(doc.phases[0].gate, null);
  });
});

describe('READY.md variants', () => {
  test('"## Phases", dashes and em dashes, case-insensitive headings', () => {
    const doc = parse('# X\n## PHASES\n### Phase 1 - One\n### phase 2 — Two\n### Phase 3 – Three\n');
    assert.deepEqual(doc.phases.map((p) => [p.number, p.name]), [
      [1, 'One'],
      [2, 'Two'],
      [3, 'Three'],
    ]);
  });

  test('headings inside fenced code are not phases', () => {
    const doc = parse('## Implementation Phases\n### Phase 1: Real\n```md\n### Phase 2: Fake\n## Other\n```\n- goal\n');
    assert.equal(doc.phases.length, 1);
    assert.deepEqual(doc.phases[0].goals.map((g) => [g.value, g.line]), [['goal', 7]]);
  });

  test('the phases section ends at the next level-2 heading', () => {
    const doc = parse('## Implementation Phases\n### Phase 1: A\n## Appendix\n### Phase 2: Not a phase\n');
    assert.deepEqual(doc.phases.map((p) => p.number), [1]);
  });

  test('plain "Modules:" line, a modules list, and #### Module sections merge', () => {
    const doc = parse(
      [
        '## Implementation Phases',
        '### Phase 1: Shop',
        'Modules: `api`, web',
        '',
        '#### Modules',
        '- worker — processes jobs',
        '',
        '#### Module: api',
        '- Serve `GET /x`',
      ].join('\n'),
    );
    const mods = doc.phases[0].modules;
    assert.deepEqual(mods.map((m) => [m.id, m.line, m.column]), [
      ['api', 3, 11],
      ['web', 3, 17],
      ['worker', 6, 3],
    ]);
    assert.deepEqual(mods[0].goals.map((g) => g.value), ['Serve `GET /x`']);
    assert.deepEqual(mods[2].goals.map((g) => [g.value, g.column]), [['processes jobs', 12]]);
  });

  test('invalid module names are problems at their position, with a suggestion', () => {
    const doc = parse('## Phases\n### Phase 1: A\n**Modules:** Product Catalog, ../etc, ok\n');
    const bad = doc.problems.filter((p) => p.code === 'invalid-module-name');
    assert.deepEqual(bad.map((p) => [p.line, p.column, p.data?.suggestion]), [
      [3, 14, 'product-catalog'],
      [3, 31, 'etc'],
    ]);
    assert.deepEqual(doc.phases[0].modules.map((m) => m.id), ['Product Catalog', '../etc', 'ok']);
  });

  test('duplicate modules and phases, malformed and stray headings', () => {
    const doc = parse(
      ['## Phases', '### Phase 1: A', 'Modules: a, a', '### Phase 1: Again', '### Phase two: B', '### Notes', 'text'].join('\n'),
    );
    assert.deepEqual(doc.problems.map((p) => [p.code, p.line, p.severity]), [
      ['not-a-phase', 6, 'warning'],
      ['duplicate-module', 3, 'error'],
      ['duplicate-phase', 4, 'error'],
      ['malformed-phase-heading', 5, 'error'],
    ]);
  });

  test('no phases section is a problem at line 1', () => {
    const doc = parse('# Just a readme\n\n- a\n');
    assert.deepEqual(codes(doc), ['no-phases']);
    assert.equal(doc.problems[0].line, 1);
  });

  test('an empty phases section is a problem at its heading', () => {
    const doc = parse('intro\n\n## Implementation Phases\n\nnothing yet\n');
    assert.deepEqual(doc.problems.map((p) => [p.code, p.line]), [['no-phases', 3]]);
  });

  test('unknown gate values are warned about; "Depends on: none" is an explicit empty list', () => {
    const doc = parse('## Phases\n### Phase 1: A\n### Phase 2: B\nDepends on: none\nGate: sometimes\n');
    assert.deepEqual(doc.phases[1].dependsOn, []);
    assert.deepEqual(doc.problems.map((p) => [p.code, p.line, p.column]), [['unknown-gate', 5, 7]]);
  });

  test('prose paragraphs are not goals; nested bullets stay with their parent', () => {
    const doc = parse('## Phases\n### Phase 1: A\nSome prose.\n\n- parent\n  - child\n');
    assert.deepEqual(doc.phases[0].goals.map((g) => g.value), ['parent']);
  });
});

describe('positions', () => {
  test('CRLF files give the same positions as LF files', () => {
    const lf = parse(fixture);
    const crlf = parse(fixture.replace(/\n/g, '\r\n'));
    assert.deepEqual(crlf, lf);
  });

  test('a byte-order mark does not shift anything', () => {
    assert.deepEqual(parse(`\ufeff${fixture}`), parse(fixture));
  });

  test('a cached phase body is placed at its new lines after an edit above it', () => {
    const parser = new ReadyParser();
    parser.parse('READY.md', fixture);
    const edited = fixture.replace('- Add a `Book` model\n', '- Add a `Book` model\n- And an `Author` model\n');
    const fromCache = parser.parse('READY.md', edited);
    assert.deepEqual(fromCache, new ReadyParser().parse('READY.md', edited));
    assert.equal(fromCache.phases[1].line, 25);
    assert.equal(fromCache.phases[1].modules[0].line, 28);
  });
});

test('task-list checkboxes are not part of the goal text', () => {
  const doc = new ReadyParser().parse('READY.md', '## Phases\n### Phase 1: A\n- [ ] first\n- [x] second\n');
  assert.deepEqual(doc.phases[0].goals, [
    { value: 'first', line: 3, column: 7 },
    { value: 'second', line: 4, column: 7 },
  ]);
});

describe('duplicate-module positions', () => {
  // The phase starts well below line 1, so body-relative lines would show.
  const intro = ['# Shop', '', 'Some intro.', '', '## Implementation Phases', '', '### Phase 1: Core', '- goal', ''];
  const dup = (lines: string[]) => {
    const text = [...intro, ...lines].join('\n');
    return parse(text).problems.filter((p) => p.code === 'duplicate-module');
  };
  const at = (lines: string[], lineNo: number, word: string, nth = 1) => {
    const all = [...intro, ...lines];
    let col = -1;
    for (let i = 0; i < nth; i++) col = all[lineNo - 1].indexOf(word, col + 1);
    return { line: lineNo, column: col + 1 };
  };

  test('on one line: the second occurrence, and the message names the first by its line and column in the file', () => {
    const lines = ['**Modules:** alpha, beta, alpha'];
    const [p] = dup(lines);
    const second = at(lines, 10, 'alpha', 2);
    const first = at(lines, 10, 'alpha');
    assert.deepEqual([p.line, p.column, p.endLine, p.endColumn], [second.line, second.column, second.line, second.column + 'alpha'.length]);
    assert.equal(p.message, `Module "alpha" is named twice in this phase (first at line ${first.line}, column ${first.column}).`);
  });

  test('in a list and in two module sections: the second occurrence, the first named at its file line', () => {
    const list = ['#### Modules', '- alpha', '- beta', '- alpha — again'];
    const [p] = dup(list);
    assert.deepEqual([p.line, p.column], [13, 3]);
    assert.match(p.message, /\(first at line 11, column 3\)\.$/);
    const sections = ['#### Module: alpha', '- g', '', '#### Module: alpha', '- h'];
    const [q] = dup(sections);
    assert.deepEqual([q.line, q.column], [13, 14]);
    assert.match(q.message, /\(first at line 10, column 14\)\.$/);
  });
});
