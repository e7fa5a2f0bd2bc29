// The READY.md parser's output on fixed variants equals the output recorded from the remark-based
// parser before the switch to the block scanner (test/support/recordReadyGolden.ts). Two variants were
// updated by hand since: their indented code blocks in Test Commands now give each command's own line
// and column (remark's reading put them one line below, at column 1).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ReadyParser } from '../../src/core/spec/parseReady';
import type { SpecDocument } from '../../src/core/model';
import { GOLDEN_FILE } from '../support/recordReadyGolden';

const cases = JSON.parse(readFileSync(GOLDEN_FILE, 'utf8')) as { text: string; doc: SpecDocument }[];

test(`READY.md parser: ${cases.length} recorded variants give the recorded plan, positions and problems`, () => {
  const parser = new ReadyParser();
  for (const [i, c] of cases.entries()) {
    assert.deepEqual(parser.parse('READY.md', c.text), c.doc, `variant ${i}:\n${c.text}`);
  }
});
