// `npm run bench`: every benchmark, each against its baseline measured in the same run.
import { benchEngine, benchScale } from './engine.bench';
import { benchMerge } from './merge.bench';
import { benchStatusLatency, benchVscode } from './vscode.bench';
import { benchPredict } from './predict.bench';
import { benchSpec } from './spec.bench';
import { benchStatus } from './status.bench';
import { benchWorktrees } from './worktrees.bench';

async function main(): Promise<void> {
  const log = (line: string): void => console.log(line);
  const only = process.argv.slice(2);
  const suites: [string, (log: (line: string) => void) => Promise<void>][] = [
    ['spec', benchSpec],
    ['status', benchStatus],
    ['worktrees', benchWorktrees],
    ['engine', benchEngine],
    // 100 modules conducted and merged (a few minutes on 2 cores); BENCH_SCALE=100,300 adds 300.
    ['scale', benchScale],
    ['predict', benchPredict],
    ['merge', benchMerge],
    // Needs test/e2e/install.sh (code-server and chromium); packages the .vsix itself.
    ['vscode', benchVscode],
    // The same needs; status line → tree and status bar in the real workbench.
    ['latency', benchStatusLatency],
  ];
  for (const [name, run] of suites) {
    if (only.length && !only.includes(name)) continue;
    log(`\n## ${name}`);
    await run(log);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
