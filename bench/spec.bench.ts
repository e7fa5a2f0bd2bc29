// Spec parsing and validation against bare markdown parses of the same READY.md (markdown-it,
// marked's lexer) and a bare line scan, all measured in the same run. (Not remark: it took 92 s on
// the 1.2 MB file; the plan no longer uses it.)
import MarkdownIt from 'markdown-it';
import { marked } from 'marked';
import { SpecWorkspace } from '../src/core/specWorkspace';
import { parseContract } from '../src/core/contract/parseContract';
import { parseTasksCsv } from '../src/core/spec/tasksCsv';
import { Planner } from '../src/core/plan/buildPlan';
import { contractText, generateSpec, tasksCsv } from './generate';
import { fmt, median, repeat } from './stats';

function fullPlan(ready: string, contracts: Map<string, string>): number {
  const ws = new SpecWorkspace();
  ws.setSpec('READY.md', ready);
  for (const [file, text] of contracts) ws.setContract(file, text);
  return ws.plan().problems.length;
}

const markdownIt = new MarkdownIt();
/** The cheapest pass over the text that still looks at every line. */
function lineScan(text: string): number {
  let n = 0;
  for (const line of text.split(/\r\n|\r|\n/)) if (line.charCodeAt(0) === 35 || line.trimStart().charCodeAt(0) === 45) n++;
  return n;
}

/** Median of `runs` timings after one warm-up call. */
function measure(runs: number, fn: () => unknown): number {
  fn();
  return median(repeat(runs, () => fn()));
}

const ratio = (a: number, b: number): string => (a / b).toFixed(3);

export async function benchSpec(log: (line: string) => void): Promise<void> {
  // 1. ~1.2 MB READY.md: 200 phases, 1,000 modules, 1,000 contracts.
  const big = generateSpec(200, 5, 6);
  log(`READY.md: ${(big.ready.length / 1024).toFixed(0)} KiB, 200 phases, 1000 modules; ${big.contracts.size} contracts (both forms)`);
  const readyAlone = measure(5, () => fullPlan(big.ready, new Map())); // new workspace each run: no cache
  const ours = measure(5, () => fullPlan(big.ready, big.contracts));
  const mdIt = measure(5, () => markdownIt.parse(big.ready, {}));
  const mdMarked = measure(5, () => marked.lexer(big.ready));
  const scan = measure(5, () => lineScan(big.ready));
  log(`  plan of READY.md alone (cold cache):   ${fmt(readyAlone)}`);
  log(`  … with its 1000 contracts:             ${fmt(ours)}`);
  log(`  bare markdown-it parse:                ${fmt(mdIt)}`);
  log(`  bare marked lexer:                     ${fmt(mdMarked)}`);
  log(`  bare line scan:                        ${fmt(scan)}`);
  log(`  ratio READY.md alone / markdown-it:    ${ratio(readyAlone, mdIt)}  (target ≤ 1)`);
  log(`  ratio with contracts / markdown-it:    ${ratio(ours, mdIt)}  (target ≤ 3)`);
  log(`  ratio READY.md alone / marked lexer:   ${ratio(readyAlone, mdMarked)}`);
  log(`  ratio READY.md alone / line scan:      ${ratio(readyAlone, scan)}`);

  // 2. ~18 KB READY.md re-planned as the user edits it.
  const small = generateSpec(4, 4, 5);
  log(`READY.md: ${(small.ready.length / 1024).toFixed(1)} KiB, 4 phases, 16 modules, 16 contracts`);
  const ws = new SpecWorkspace();
  for (const [file, text] of small.contracts) ws.setContract(file, text);
  ws.setSpec('READY.md', small.ready);
  ws.plan();
  const edits = repeat(200, (i) => {
    ws.setSpec('READY.md', small.ready.replace('- Goal 1 of phase 2', `- Goal 1 of phase 2 (edit ${i})`));
    ws.plan();
  });
  const cold = repeat(30, () => fullPlan(small.ready, small.contracts));
  const itSmall = measure(30, () => markdownIt.parse(small.ready, {}));
  const markedSmall = measure(30, () => marked.lexer(small.ready));
  log(`  re-plan after editing one phase:       median ${fmt(median(edits))}  (target ≤ 5 ms)`);
  log(`  plan from scratch (no cache):          median ${fmt(median(cold))}  (target ≤ 5 ms)`);
  log(`  bare markdown-it / marked lexer:       median ${fmt(itSmall)} / ${fmt(markedSmall)}  (ratio from scratch / markdown-it ${ratio(median(cold), itSmall)})`);

  // 3. Re-validating one 200-line contract.
  const longContract = contractText(3, 2, 5, 200);
  const longMarkdown = contractText(3, 3, 5, 200);
  log(`contract: ${longContract.split('\n').length} lines (frontmatter), ${longMarkdown.split('\n').length} lines (markdown form)`);
  const planner = new Planner();
  const alone = repeat(300, (i) => planner.plan(null, [parseContract('c.md', `${longContract}\n<!-- ${i} -->`)]));
  const aloneMd = repeat(300, (i) => planner.plan(null, [parseContract('c.md', `${longMarkdown}\n<!-- ${i} -->`)]));
  log(`  parse + check, frontmatter form:       median ${fmt(median(alone))}  (target ≤ 5 ms)`);
  log(`  parse + check, markdown form:          median ${fmt(median(aloneMd))}  (target ≤ 5 ms)`);
  const bigWs = new SpecWorkspace();
  bigWs.setSpec('READY.md', big.ready);
  for (const [file, text] of big.contracts) bigWs.setContract(file, text);
  bigWs.plan();
  const inPlace = repeat(50, (i) => {
    bigWs.setContract('contracts/p3-mod2.md', `${longContract}\n<!-- ${i} -->`);
    bigWs.plan();
  });
  log(`  … and re-plan all 1000 modules:        median ${fmt(median(inPlace))}`);

  // 4. tasks.csv with 1,000 rows.
  const csv = tasksCsv(1000);
  const csvTimes = repeat(20, () => new Planner().plan(parseTasksCsv('tasks.csv', csv), []));
  log(`tasks.csv: 1000 rows (${(csv.length / 1024).toFixed(0)} KiB): parse + plan median ${fmt(median(csvTimes))}`);
}

if (require.main === module) {
  benchSpec((l) => console.log(l)).catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
