// Deterministic READY.md variants for the golden and differential parser tests: the fixture, a
// generated plan, and seeded random/mutated documents built from the same fragments as spec-fuzz.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { readyMd } from '../../bench/generate';

export const FRAGMENTS = [
  '## Implementation Phases', '## Phases', '### Phase 1: A', '### Phase 2 - B', '### Phase 02 — C', '### Phase x: bad', '### Notes',
  '#### Module: api', '#### Module: ../x', '#### Success Criteria', '#### Test Commands', '#### Expected Files',
  '**Modules:** a, b, a', 'Modules:', '**Depends on:** Phase 9', 'Depends on: none', 'Gate: manual', 'Gate: ???',
  '- item', '  - nested', '* star', '1. one', '- [ ] box', '```', '~~~~', '```bash', 'npm test', '`npm test`', '> quote',
  '<div>', '---', '***', '', ' ', '\t', '# top', 'text with `code` and **bold**', '\\', '[link](x)', '|a|b|',
  // Block structure the parser must place exactly like CommonMark does.
  '    npm run indented', '  - `npm test`', '   * deep', '2) two', '- Tests: `x`', 'Module: b', '===', '  ```', '- ```', '>- q',
  '<!-- c -->', '</div>', '  - [x] done', '-', '  ', '[ref]: /url', 'Success Criteria:', '  Expected Files: a.ts', '\t- tab',
];

const line = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...FRAGMENTS) },
  { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
  { weight: 1, arbitrary: fc.stringMatching(/^[ \t]{0,6}[-*+>#`~0-9. )a-z:*_[\]]{0,12}$/) },
);

const markdownish = fc.tuple(fc.array(line, { maxLength: 60 }), fc.constantFrom('\n', '\r\n', '\r')).map(([ls, eol]) => ls.join(eol));

export const fixtureReady = readFileSync(path.join(__dirname, '../fixtures/bookshop/READY.md'), 'utf8');

/** Deletes, duplicates or replaces lines of a valid document, or splices in `line`s (spec-fuzz uses its own). */
export const mutatedWith = (line: fc.Arbitrary<string>) => (base: string) =>
  fc.array(fc.tuple(fc.nat(), fc.constantFrom('delete', 'duplicate', 'replace', 'insert'), line), { minLength: 1, maxLength: 12 }).map((ops) => {
    const lines = base.split('\n');
    for (const [at, op, text] of ops) {
      const i = lines.length ? at % lines.length : 0;
      if (op === 'delete') lines.splice(i, 1);
      else if (op === 'duplicate') lines.splice(i, 0, lines[i] ?? '');
      else if (op === 'replace') lines[i] = text;
      else lines.splice(i, 0, text);
    }
    return lines.join('\n');
  });

const mutated = mutatedWith(line);

/** Random documents always under a phase heading, so their bodies are parsed. */
const inPhase = markdownish.map((body) => `## Implementation Phases\n### Phase 1: A\n${body}`);

export function readyVariants(count: number, seed: number): string[] {
  const n = Math.ceil(count / 3);
  return [
    fixtureReady,
    readyMd(3, 3, 2),
    ...fc.sample(inPhase, { seed, numRuns: n }),
    ...fc.sample(mutated(fixtureReady), { seed: seed + 1, numRuns: n }),
    ...fc.sample(mutated(readyMd(2, 2, 2)), { seed: seed + 2, numRuns: n }),
  ];
}
