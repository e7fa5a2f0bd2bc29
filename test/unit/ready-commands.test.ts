// `#### Lint Commands` and `#### Check Commands` beside `#### Test Commands`: the same grammar, each
// command line checked the way Merge & Validate will run it, problems at the command's position.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ReadyParser } from '../../src/core/spec/parseReady';
import type { Located, SpecDocument } from '../../src/core/model';
import { planJson } from '../../src/core/plan/planJson';
import { planText } from '../../src/core/plan/planText';
import { planOf } from '../support/specBuilder';

const parse = (text: string): SpecDocument => new ReadyParser().parse('READY.md', text);
const at = (xs: Located[]): [string, number, number][] => xs.map((c) => [c.value, c.line, c.column]);

const READY = [
  '# Shop', //                                   1
  '', //                                         2
  '## Implementation Phases', //                 3
  '', //                                         4
  '### Phase 1: Core', //                        5
  '- Build the core', //                         6
  '', //                                         7
  '#### Test Commands', //                       8
  '- `npm test`', //                             9
  '', //                                        10
  '#### Lint Commands', //                      11
  '```bash', //                                 12
  '# the linters', //                           13
  'npx eslint src', //                          14
  '  npx prettier --check src', //              15
  '```', //                                     16
  '', //                                        17
  '#### Check Commands', //                     18
  '- `npx tsc -p . --noEmit`', //               19
  '- `node scripts/imports.mjs`', //            20
  '', //                                        21
  '### Phase 2: More', //                       22
  '- More', //                                  23
  '**Check Commands:** `npx tsc --noEmit`', //  24
  '**Lint Command:**', //                       25
  '`npx eslint .`', //                          26
  '',
].join('\n');

describe('Lint Commands and Check Commands sections', () => {
  const doc = parse(READY);

  test('fenced blocks (comments skipped) and inline-code bullets, each at its line and column', () => {
    assert.deepEqual(doc.problems, []);
    const [p1] = doc.phases;
    assert.deepEqual(at(p1.testCommands), [['npm test', 9, 3]]);
    assert.deepEqual(at(p1.lintCommands), [['npx eslint src', 14, 1], ['npx prettier --check src', 15, 3]]);
    assert.deepEqual(at(p1.checkCommands), [['npx tsc -p . --noEmit', 19, 3], ['node scripts/imports.mjs', 20, 3]]);
  });

  test('bold labels with an inline value, or inline code on the next line; positions in the file', () => {
    const p2 = doc.phases[1];
    assert.deepEqual(at(p2.checkCommands), [['npx tsc --noEmit', 24, 21]]);
    assert.deepEqual(at(p2.lintCommands), [['npx eslint .', 26, 1]]);
    assert.deepEqual(p2.testCommands, []);
  });

  test('a phase without them has empty lists', () => {
    const plain = parse('## Phases\n### Phase 1: A\n- a\n');
    assert.deepEqual([plain.phases[0].lintCommands, plain.phases[0].checkCommands], [[], []]);
  });
});

describe('command lines that Merge & Validate could not run are problems at their position', () => {
  const text = [
    '## Phases', //                                   1
    '### Phase 1: A', //                              2
    '#### Lint Commands', //                          3
    '- `npx eslint src | tee lint.txt`', //           4
    '#### Check Commands', //                         5
    '```sh', //                                       6
    'npx tsc --noEmit > out.txt', //                  7
    'npx tsc --noEmit && node check.mjs', //          8
    '```', //                                         9
    '#### Test Commands', //                         10
    '- `cd app && npm test`', //                     11
    '',
  ].join('\n');
  const doc = parse(text);

  test('one warning per command, naming what needs a shell (test commands too)', () => {
    const problems = doc.problems.map((p) => [p.line, p.column, p.severity, p.code, p.message]);
    assert.deepEqual(problems, [
      [4, 3, 'warning', 'unrunnable-command', 'Lint command "npx eslint src | tee lint.txt" cannot be run: a pipe "|" at column 16 needs a shell; put it in a script (e.g. npm run …) and call that.'],
      [7, 1, 'warning', 'unrunnable-command', 'Check command "npx tsc --noEmit > out.txt" cannot be run: a redirection ">" at column 18 needs a shell; put it in a script (e.g. npm run …) and call that.'],
      [11, 3, 'warning', 'unrunnable-command', 'Test command "cd app && npm test" cannot be run: the shell builtin "cd" at column 1 needs a shell; put it in a script (e.g. npm run …) and call that.'],
    ]);
  });

  test('the commands are kept (a settings override may replace test commands)', () => {
    assert.equal(doc.phases[0].checkCommands.length, 2);
  });
});

describe('conductor plan shows them', () => {
  const plan = planOf(READY, {});

  test('in the JSON', () => {
    const p = planJson(plan).phases[0];
    assert.deepEqual([p.lintCommands, p.checkCommands], [['npx eslint src', 'npx prettier --check src'], ['npx tsc -p . --noEmit', 'node scripts/imports.mjs']]);
  });

  test('in the text', () => {
    const text = planText(plan);
    assert.match(text, /^ {2}check commands: npx tsc -p \. --noEmit; node scripts\/imports\.mjs$/m);
    assert.match(text, /^ {2}lint commands: npx eslint src; npx prettier --check src$/m);
  });
});
