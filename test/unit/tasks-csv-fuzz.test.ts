import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseTasksCsv } from '../../src/core/spec/tasksCsv';
import type { Pos, SpecDocument } from '../../src/core/model';

const VALID = [
  '\uFEFFid,agent,task,max_turns,context_path,output_file,tags',
  '1,codex,"Create user model with email, password_hash. Say ""hi"".",40,project,models/user.py,backend models',
  'auth,claude,"Multi',
  'line task",50,./project/,src/auth.ts,backend',
  '',
  '3,node tools/agent.mjs --fast,plain task,30,p,,"docs, site"',
].join('\r\n');

// Characters that matter to the tokenizer, so random strings hit its edge cases often.
const csvChar = fc.constantFrom('"', ',', '\n', '\r', ' ', 'a', 'id', 'task', '\uFEFF', '.', '-', 'é');
const csvish = fc.array(csvChar, { maxLength: 80 }).map((parts) => parts.join(''));

const mutation = fc.record({
  at: fc.nat(),
  remove: fc.nat({ max: 5 }),
  insert: fc.oneof(csvish, fc.string({ maxLength: 10 })),
});
const mutated = fc.array(mutation, { minLength: 1, maxLength: 5 }).map((ms) =>
  ms.reduce((text, m) => {
    const at = m.at % (text.length + 1);
    return text.slice(0, at) + m.insert + text.slice(at + m.remove);
  }, VALID),
);

function positions(doc: SpecDocument): Pos[] {
  const all: Pos[] = [...doc.problems];
  for (const phase of doc.phases) {
    all.push(phase);
    for (const m of phase.modules) {
      all.push(m, ...m.goals, ...m.expectedFiles, ...(m.tags ?? []));
      for (const f of [m.agent, m.maxTurns, m.contextPath]) if (f) all.push(f);
    }
  }
  return all;
}

function checkPositions(text: string): void {
  const doc = parseTasksCsv('tasks.csv', text);
  const lines = text.split(/\r\n|\r|\n/);
  for (const p of positions(doc)) {
    assert.ok(Number.isInteger(p.line) && p.line >= 1 && p.line <= lines.length, `line ${p.line} of ${lines.length}`);
    const width = lines[p.line - 1].length + 1;
    assert.ok(Number.isInteger(p.column) && p.column >= 1 && p.column <= width, `column ${p.column} of ${width}`);
  }
  assert.equal(doc.phases.length, 1);
}

test('the valid sample parses cleanly', () => {
  const doc = parseTasksCsv('tasks.csv', VALID);
  assert.deepEqual(doc.problems, []);
  assert.deepEqual(doc.phases[0].modules.map((m) => m.id), ['1', 'auth', '3']);
});

test('random text never throws and positions stay inside the text', () => {
  fc.assert(fc.property(fc.oneof(csvish, fc.string({ maxLength: 200 })), checkPositions), { numRuns: 300 });
});

test('mutations of a valid CSV never throw and positions stay inside the text', () => {
  fc.assert(fc.property(mutated, checkPositions), { numRuns: 300 });
});
