// Differential tests: the block scanner reads every phase body exactly as remark did (the blocks the
// plan reads, and so the whole parsed plan), on the fixtures, generated plans and random bodies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Block } from '../../src/core/spec/blocks';
import { scanBlocks } from '../../src/core/spec/blockScan';
import { ReadyParser } from '../../src/core/spec/parseReady';
import { scanSections } from '../../src/core/spec/sections';
import { readyMd } from '../../bench/generate';
import { remarkBlocks } from '../support/remarkBlocks';
import { FRAGMENTS, readyVariants } from '../support/readyVariants';

const bodies = (ready: string): string[] => scanSections(ready).sections.map((s) => s.body);

/**
 * Adjacent code blocks as one: the plan reads them alike, and remark splits an indented block that
 * starts on the line after a closed block quote or list (a micromark quirk the scanner does not copy).
 */
function joinCode(blocks: Block[]): Block[] {
  const out: Block[] = [];
  for (const b of blocks) {
    const last = out[out.length - 1];
    if (b.kind === 'code' && last?.kind === 'code') out[out.length - 1] = { kind: 'code', lines: [...last.lines, ...b.lines] };
    else out.push(b);
  }
  return out;
}

function sameBlocks(body: string): void {
  assert.deepEqual(joinCode(scanBlocks(body)), joinCode(remarkBlocks(body)), `body:\n${JSON.stringify(body)}`);
}

test('fixture, generated plans and recorded variants: the same blocks and the same plan as remark', () => {
  const viaRemark = new ReadyParser({ blocks: remarkBlocks });
  for (const ready of [...readyVariants(150, 99), readyMd(6, 4, 3)]) {
    bodies(ready).forEach(sameBlocks);
    assert.deepEqual(new ReadyParser().parse('READY.md', ready), viaRemark.parse('READY.md', ready));
  }
});

const piece = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...FRAGMENTS) },
  { weight: 2, arbitrary: fc.stringMatching(/^[ \t]{0,9}(?:[-*+>]|\d{1,2}[.)]|#{1,4}|`{3}|~{3}|<\/?div>|<!--|-->)?[ \t]{0,5}[a-z`*_:[\]]{0,6}$/) },
  { weight: 1, arbitrary: fc.string({ maxLength: 16 }) },
);

test('random bodies: the scanner gives remark\'s blocks', () => {
  fc.assert(fc.property(fc.array(piece, { maxLength: 40 }), (lines) => sameBlocks(lines.join('\n'))), { numRuns: Number(process.env.DIFF_RUNS ?? 3000) });
});

test('nested lists, quotes and fences: the scanner gives remark\'s blocks', () => {
  const indent = fc.constantFrom('', ' ', '  ', '   ', '    ', '\t', '  \t', '      ');
  const head = fc.constantFrom('- ', '* ', '1. ', '2) ', '> ', '-\t', '- > ', '> - ', '', '```', '~~~', '---', '===', '# ', '<div>', '-', '>');
  const text = fc.constantFrom('a', 'Tests: `npm test`', '**Modules:** a, b', '`npm test`', '[x]: /u', '', '- b', '```', 'Gate: manual');
  const line = fc.tuple(indent, head, text).map(([a, b, c]) => a + b + c);
  fc.assert(fc.property(fc.array(line, { maxLength: 30 }), (lines) => sameBlocks(lines.join('\n'))), { numRuns: Number(process.env.DIFF_RUNS ?? 3000) });
});
