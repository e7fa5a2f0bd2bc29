// Property tests: no input makes the READY.md parser or the planner throw, and every position they
// report lies inside its file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { ReadyParser } from '../../src/core/spec/parseReady';
import { SpecWorkspace } from '../../src/core/specWorkspace';
import { collectPositions, lineCount } from '../support/positions';
import { mutatedWith } from '../support/readyVariants';

const dir = path.join(__dirname, '../fixtures/bookshop');
const ready = readFileSync(path.join(dir, 'READY.md'), 'utf8');
const contracts = readdirSync(path.join(dir, 'contracts')).map((f) => [`contracts/${f}`, readFileSync(path.join(dir, 'contracts', f), 'utf8')] as const);

const fragments = [
  '## Implementation Phases', '## Phases', '### Phase 1: A', '### Phase 2 - B', '### Phase 02 — C', '### Phase x: bad', '### Notes',
  '#### Module: api', '#### Module: ../x', '#### Success Criteria', '#### Test Commands', '#### Expected Files',
  '**Modules:** a, b, a', 'Modules:', '**Depends on:** Phase 9', 'Depends on: none', 'Gate: manual', 'Gate: ???',
  '- item', '  - nested', '* star', '1. one', '- [ ] box', '```', '~~~~', '```bash', 'npm test', '`npm test`', '> quote',
  '<div>', '---', '***', '', ' ', '\t', '# top', 'text with `code` and **bold**', '\\', '[link](x)', '|a|b|',
];
const line = fc.oneof(fc.constantFrom(...fragments), fc.string({ maxLength: 20 }), fc.string({ unit: 'binary', maxLength: 8 }));
const markdownish = fc
  .tuple(fc.array(line, { maxLength: 60 }), fc.constantFrom('\n', '\r\n', '\r'))
  .map(([lines, eol]) => lines.join(eol));

const mutated = mutatedWith(line);

function assertInside(value: unknown, files: Record<string, string>, defaultFile: string): void {
  for (const p of collectPositions(value)) {
    const file = p.file ?? defaultFile;
    const text = files[file];
    if (text === undefined) continue; // positions of other files are checked against those files
    assert.ok(p.line >= 1 && p.line <= lineCount(text), `${p.path}: line ${p.line} outside ${file} (${lineCount(text)} lines)`);
    assert.ok(p.column >= 1, `${p.path}: column ${p.column}`);
  }
}

test('READY.md parser: random markdown never throws, positions stay inside', () => {
  const parser = new ReadyParser();
  fc.assert(
    fc.property(markdownish, (text) => {
      const doc = parser.parse('READY.md', text);
      assertInside(doc, { 'READY.md': text }, 'READY.md');
    }),
    { numRuns: 400 },
  );
});

test('READY.md parser: mutations of a valid plan never throw, positions stay inside', () => {
  const parser = new ReadyParser();
  fc.assert(
    fc.property(mutated(ready), (text) => {
      assertInside(parser.parse('READY.md', text), { 'READY.md': text }, 'READY.md');
    }),
    { numRuns: 300 },
  );
});

test('whole workspace: mutated READY.md and contracts never throw, every problem points into its file', () => {
  const contractArbs = contracts.map(([, text]) => fc.oneof(fc.constant(text), mutated(text), markdownish));
  fc.assert(
    fc.property(fc.oneof(mutated(ready), markdownish), fc.tuple(...contractArbs), (readyText, texts) => {
      const ws = new SpecWorkspace();
      ws.setSpec('READY.md', readyText);
      const files: Record<string, string> = { 'READY.md': readyText };
      texts.forEach((t, i) => {
        ws.setContract(contracts[i][0], t);
        files[contracts[i][0]] = t;
      });
      const plan = ws.plan();
      for (const p of plan.problems) {
        assert.ok(p.file in files, `problem in unknown file ${p.file}`);
        assert.ok(p.line >= 1 && p.line <= lineCount(files[p.file]), `${p.code} at ${p.file}:${p.line}`);
        assert.ok(p.column >= 1);
      }
      for (const phase of plan.phases) assert.equal(phase.waves.flat().length, phase.modules.length);
    }),
    { numRuns: 200 },
  );
});
