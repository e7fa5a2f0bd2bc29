// Deeply nested markdown in READY.md: the block scanner's work grows with the text, not with the
// square of the nesting (remark took minutes on a 3000-deep list; `conductor check` ran that long).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReadyParser } from '../../src/core/spec/parseReady';

const phase = (body: string): string => `## Implementation Phases\n### Phase 1: Deep\n${body}\n\nTest Commands: \`npm test\`\n`;

test('a 3000-deep nested bullet list: only the top-level item is a goal, and the label after it is read', () => {
  const list = Array.from({ length: 3000 }, (_, i) => `${'  '.repeat(i)}- level ${i}`).join('\n');
  const doc = new ReadyParser().parse('READY.md', phase(list));
  assert.deepEqual(doc.problems, []);
  assert.deepEqual(doc.phases[0].goals, [{ value: 'level 0', line: 3, column: 3 }]);
  assert.deepEqual(doc.phases[0].testCommands, [{ value: 'npm test', line: 3004, column: 16 }]);
});

test('3000 list markers and 3000 quote markers on single lines', () => {
  const doc = new ReadyParser().parse('READY.md', phase(`${'- '.repeat(3000)}x\n\n${'> '.repeat(3000)}y\n\n${'- '.repeat(3000)}- - -`));
  assert.deepEqual(doc.phases[0].goals, []);
  assert.deepEqual(doc.phases[0].testCommands.map((c) => c.value), ['npm test']);
});
