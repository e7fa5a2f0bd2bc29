// Status pipeline latency: 100 simulated agents, each appending 20 lines at random small intervals
// to its own status file, watched by one StatusWatcher. For each line: time from just before the
// append to the watcher's event (the writer embeds its wall-clock time, with sub-ms precision, in
// the summary). Agents are spread over a few child processes, as real agents are other processes.

import { spawn } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { StatusWatcher } from '../src/infra/status/statusWatcher';
import { fmt, median, percentile } from './stats';

const AGENTS = 100;
const LINES_PER_AGENT = 20;
const PROCESSES = 4;
const MAX_GAP_MS = 60;
const PHASES = ['phase-1-core', 'phase-2-api', 'phase-3-ui'];

/** Each child runs its share of agents as async loops; every append is one O_APPEND write, like the hook. */
const WRITER = `
const fs = require('node:fs');
const { performance } = require('node:perf_hooks');
const [root, first, count, lines, maxGap, phases] = JSON.parse(process.argv[1]);
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function agent(n) {
  const file = root + '/status/' + phases[n % phases.length] + '/agent-' + n + '.jsonl';
  for (let i = 1; i <= lines; i++) {
    await sleep(Math.random() * maxGap);
    const line = JSON.stringify({ status: i === lines ? 'complete' : 'progress', ts: new Date().toISOString(),
      summary: 'bench ' + n + ' ' + i + ' t=' + now().toFixed(3), attempt: 1 }) + '\\n';
    const fd = fs.openSync(file, 'a');
    fs.writeSync(fd, line);
    fs.closeSync(fd);
  }
}
Promise.all(Array.from({ length: count }, (_, k) => agent(first + k))).then(() => process.exit(0));
`;

function runWriter(args: unknown[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', WRITER, JSON.stringify(args)], { stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`writer exited with ${code}`))));
  });
}

export async function benchStatus(log: (line: string) => void): Promise<void> {
  const repo = await fs.mkdtemp(path.join(os.tmpdir(), 'conductor-bench-status-'));
  const root = path.join(repo, '.conductor');
  for (const p of PHASES) await fs.mkdir(path.join(root, 'status', p), { recursive: true });
  const watcher = new StatusWatcher({ root });
  const latencies: number[] = [];
  const seen = new Set<string>();
  let duplicates = 0;
  let problems = 0;
  watcher.onEvent((e) => {
    const received = performance.timeOrigin + performance.now();
    const m = /^bench (\d+) (\d+) t=([\d.]+)$/.exec(e.summary);
    if (!m) return;
    const key = `${m[1]}/${m[2]}`;
    if (seen.has(key)) duplicates++;
    seen.add(key);
    latencies.push(received - Number(m[3]));
  });
  watcher.onProblem(() => problems++);
  watcher.onError((e) => log(`  watcher error: ${e.message}`));

  try {
    await watcher.start();
    const perProcess = Math.ceil(AGENTS / PROCESSES);
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: PROCESSES }, (_, i) =>
        runWriter([root, i * perProcess, Math.min(perProcess, AGENTS - i * perProcess), LINES_PER_AGENT, MAX_GAP_MS, PHASES]),
      ),
    );
    const writing = performance.now() - t0;
    // Give stragglers time to arrive through every safety net (follow-up checks, then the 2 s rescan).
    const expected = AGENTS * LINES_PER_AGENT;
    const giveUp = performance.now() + 5000;
    while (seen.size < expected && performance.now() < giveUp) await new Promise((r) => setTimeout(r, 20));

    log(`${AGENTS} agents x ${LINES_PER_AGENT} lines (${expected}) from ${PROCESSES} processes, gaps 0-${MAX_GAP_MS} ms, writing took ${fmt(writing)}`);
    log(`  append -> event latency: p50 ${fmt(median(latencies))}, p95 ${fmt(percentile(latencies, 95))}, max ${fmt(Math.max(...latencies))}  (target p95 <= 100 ms)`);
    log(`  lost: ${expected - seen.size}, duplicates: ${duplicates}, malformed: ${problems}  (target 0 lost)`);
  } finally {
    await watcher.dispose();
    await fs.rm(repo, { recursive: true, force: true });
  }
}

if (require.main === module) {
  benchStatus((l) => console.log(l)).catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
