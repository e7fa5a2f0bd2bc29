// Records the READY.md parser's output on the variants as golden JSON (run once, before a parser change):
//   node --import tsx test/support/recordReadyGolden.ts
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { ReadyParser } from '../../src/core/spec/parseReady';
import { readyVariants } from './readyVariants';

export const GOLDEN_FILE = path.join(__dirname, '../fixtures/ready-golden/variants.json');

if (require.main === module) {
  const cases = readyVariants(120, 12).map((text) => ({ text, doc: new ReadyParser().parse('READY.md', text) }));
  writeFileSync(GOLDEN_FILE, `${JSON.stringify(cases, null, 0).replace(/\},\{"text"/g, '},\n{"text"')}\n`);
  console.log(`${cases.length} cases -> ${GOLDEN_FILE}`);
}
