// A check command for plan-run tests: `node check.mjs` fails with a `file:line` finding while
// src/shared.txt has a line with BROKEN in it, so validation attributes it to whoever wrote that line.
export const BROKEN_CHECK = [
  "import { readFileSync } from 'node:fs';",
  "const lines = readFileSync('src/shared.txt', 'utf8').split('\\n');",
  "const bad = lines.findIndex((l) => l.includes('BROKEN'));",
  "if (bad >= 0) { console.log(`src/shared.txt:${bad + 1}:1: error: shared value is broken`); process.exit(1); }",
  "console.log('ok');",
  '',
].join('\n');
