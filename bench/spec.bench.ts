// Spec parsing and validation against a bare remark-parse pass of the same READY.md, in one run.
import { unified } from 'unified';
import remarkParse from 'remark-parse';
import { SpecWorkspace } from '../src/core/specWorkspace';
import { parseContract } from '../src/core/contract/parseContract';
import { parseTasksCsv } from '../src/core/spec/tasksCsv';
import { Planner } from '../src/core/plan/buildPlan';
import { contractText, generateSpec, tasksCsv } from './generate';
import { fmt, median, repeat, time } from './stats';

function fullPlan(ready: string, contracts: Map<string, string>): number {
  const ws = new SpecWorkspace();
  ws.setSpec('READY.md', ready);
  for (const [file, text] of contracts) ws.setContract(file, text);
  return ws.plan().problems.length;
}

export async function benchSpec(log: (line: string) => void): Promise<void> {
  // 1. ~1 MB READY.md: 200 phases, 1,000 modules, 1,000 contracts.
  const big = generateSpec(200, 5, 6);
  log(`READY.md: ${(big.ready.length / 1024).toFixed(0)} KiB, 200 phases, 1000 modules; ${big.contracts.size} contracts (both forms)`);
  fullPlan(big.ready, big.contracts); // warm the JIT on the same code paths (new workspace each run: no cache)
  const ours = median(repeat(3, () => fullPlan(big.ready, big.contracts)));
  const bare = time(() => unified().use(remarkParse).parse(big.ready)).ms;
  log(`  full plan + validation (cold cache):   ${fmt(ours)}`);
  log(`  bare remark-parse of READY.md alone:   ${fmt(bare)}`);
  log(`  ratio ours / bare remark:              ${(ours / bare).toFixed(3)}  (target < 1)`);

  // 2. ~20 KB READY.md re-planned as the user edits it.
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
  const bareSmall = median(repeat(30, () => unified().use(remarkParse).parse(small.ready)));
  log(`  re-plan after editing one phase:       median ${fmt(median(edits))}  (target ≤ 50 ms)`);
  log(`  plan from scratch (no cache):          median ${fmt(median(cold))}`);
  log(`  bare remark-parse of the same file:    median ${fmt(bareSmall)}  (ratio from scratch / bare ${(median(cold) / bareSmall).toFixed(2)})`);

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
