// Engine overhead per module: `conductor conduct` with a no-op agent (it only reports complete),
// against a baseline doing the same essential work directly: a serial `git worktree add -b` and one
// run of the same agent command per module. The CLI runs with bench/childTrace.cjs preloaded, which
// says where its time goes (its own CPU, the processes it starts, its state writes).
//
// `npm run bench -- scale` conducts and merges 100 no-op modules (BENCH_SCALE=100,300 for more; 300
// takes several minutes on 2 cores), each against its baseline in the same run.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { readyMd } from '../test/support/specBuilder';
import { fmt, median } from './stats';

const NOOP_AGENT = 'git commit -q --allow-empty -m noop && "$CONDUCTOR_HOOK" complete --summary noop';
const env = { ...process.env, GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@b', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@b' };
// BENCH_CLI: another build's cli.js (e.g. of an older commit), to compare before and after.
const DIST_CLI = process.env.BENCH_CLI ?? path.join(__dirname, '../dist/cli.js');
const TRACE = path.join(__dirname, 'childTrace.cjs');

interface Tally {
  n: number;
  ms: number;
}

/** What bench/childTrace.cjs reports about one CLI process. */
interface CliTrace {
  bootMs: number;
  wallMs: number;
  cpuUserMs: number;
  cpuSysMs: number;
  maxRssKb: number;
  spawns: Record<string, Tally>;
  io: Record<string, Tally>;
}

function makeRepo(parent: string, modules: number): string {
  const root = path.join(parent, 'repo');
  mkdirSync(path.join(root, 'src'), { recursive: true });
  for (let i = 0; i < 200; i++) writeFileSync(path.join(root, 'src', `f${i}.ts`), `export const v${i} = ${i};\n`);
  const ids = Array.from({ length: modules }, (_, i) => `m${i + 1}`);
  writeFileSync(path.join(root, 'READY.md'), readyMd([{ number: 1, name: 'Bench', modules: ids }]));
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: root, env });
  execFileSync('git', ['add', '-A'], { cwd: root, env });
  execFileSync('git', ['commit', '-qm', 'init'], { cwd: root, env });
  return root;
}

/** Runs the CLI with the trace preloaded; its wall time as seen from here, and its trace. */
function traced(root: string, args: string[]): { ms: number; trace: CliTrace } {
  const traceFile = path.join(root, '..', `trace-${args[0]}.json`);
  const t0 = performance.now();
  execFileSync(process.execPath, ['--require', TRACE, DIST_CLI, ...args], { cwd: root, env: { ...env, BENCH_TRACE_FILE: traceFile }, stdio: 'pipe', maxBuffer: 64 << 20 });
  const ms = performance.now() - t0;
  return { ms, trace: JSON.parse(readFileSync(traceFile, 'utf8')) as CliTrace };
}

function conductNoop(root: string): { ms: number; trace: CliTrace } {
  return traced(root, ['conduct', '1', '--agent', NOOP_AGENT, '--max-parallel', '4', '--quiet']);
}

/** The baseline of conducting: per module, serially, `git worktree add -b` and one agent run. */
function serialBaseline(parent: string, modules: number, hook: string): number {
  const baseRoot = makeRepo(path.join(parent, 'baseline'), modules);
  const t1 = performance.now();
  for (let i = 1; i <= modules; i++) {
    const wt = path.join(parent, 'baseline-wt', `m${i}`);
    execFileSync('git', ['worktree', 'add', '-q', '-b', `b/m${i}`, wt, 'HEAD'], { cwd: baseRoot, env });
    execFileSync('/bin/sh', ['-c', NOOP_AGENT], {
      cwd: wt,
      env: { ...env, CONDUCTOR_HOOK: hook, CONDUCTOR_STATUS_FILE: path.join(parent, 'baseline-status', `m${i}.jsonl`), CONDUCTOR_MODULE: `m${i}` },
    });
  }
  return performance.now() - t1;
}

/** The baseline of merging: a worktree on main and a `git merge --no-ff` of each module branch. */
function mergeBaseline(root: string, modules: number): number {
  const plain = path.join(root, '..', 'plain-merge');
  const t0 = performance.now();
  execFileSync('git', ['worktree', 'add', '-q', '--detach', plain, 'main'], { cwd: root, env });
  for (let i = 1; i <= modules; i++) {
    execFileSync('git', ['merge', '-q', '--no-ff', '--no-edit', `conductor/phase-1-bench/m${i}`], { cwd: plain, env });
  }
  return performance.now() - t0;
}

/** Node start-up and loading of the CLI bundle: a fixed cost of every `conductor` command. */
function cliStartMs(): number {
  const runs = Array.from({ length: 5 }, () => {
    const t0 = performance.now();
    execFileSync(process.execPath, [DIST_CLI, '--version'], { stdio: 'pipe' });
    return performance.now() - t0;
  });
  return median(runs);
}

function breakdown(trace: CliTrace, modules: number, log: (line: string) => void): void {
  const per = (x: number) => (x / modules).toFixed(1);
  log(`  where the engine's time goes (per module; processes overlap, so their times add up to more than the wall):`);
  log(`    engine process CPU: ${fmt(trace.cpuUserMs + trace.cpuSysMs)} = ${per(trace.cpuUserMs + trace.cpuSysMs)} ms (user ${per(trace.cpuUserMs)}, sys ${per(trace.cpuSysMs)}); peak RSS ${(trace.maxRssKb / 1024).toFixed(0)} MiB`);
  const rows = Object.entries(trace.spawns).sort((a, b) => b[1].ms - a[1].ms);
  const gitN = rows.filter(([k]) => k.startsWith('git')).reduce((a, [, v]) => a + v.n, 0);
  log(`    git processes: ${per(gitN)} per module; ${rows.map(([k, v]) => `${k} ${per(v.n)} x ${(v.ms / v.n).toFixed(0)} ms`).join(', ')}`);
  for (const [k, v] of Object.entries(trace.io)) log(`    ${k}: ${per(v.n)} per module, ${(v.ms / v.n).toFixed(1)} ms each`);
}

export async function benchEngine(log: (line: string) => void): Promise<void> {
  const modules = 20;
  const parent = mkdtempSync(path.join(tmpdir(), 'bench-engine-'));
  try {
    const root = makeRepo(parent, modules);
    const { ms: engineMs, trace } = conductNoop(root);
    const baselineMs = serialBaseline(parent, modules, path.join(root, '.conductor/bin/conductor-hook'));
    log(`${modules} modules, no-op agent (reports complete at once), 200-file repo, --max-parallel 4`);
    log(`  conductor conduct (whole run, incl. process start): ${fmt(engineMs)}  = ${fmt(engineMs / modules)} per module`);
    log(`  baseline: serial worktree add + agent run:          ${fmt(baselineMs)}  = ${fmt(baselineMs / modules)} per module`);
    log(`  engine overhead per module:                        ${fmt((engineMs - baselineMs) / modules)}  (ratio ${(engineMs / baselineMs).toFixed(2)}, target ≤ 1.0)`);
    log(`  fixed cost: CLI start-up (node dist/cli.js --version, median of 5): ${fmt(cliStartMs())}`);
    breakdown(trace, modules, log);
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
}

/** 100 (and with BENCH_SCALE=100,300, 300) no-op modules conducted and merged, each against its baseline. */
export async function benchScale(log: (line: string) => void): Promise<void> {
  const sizes = (process.env.BENCH_SCALE ?? '100').split(',').map(Number).filter((n) => n > 0);
  for (const modules of sizes) {
    const parent = mkdtempSync(path.join(tmpdir(), 'bench-scale-'));
    try {
      const root = makeRepo(parent, modules);
      const conduct = conductNoop(root);
      const merge = traced(root, ['merge', '1']);
      const conductBase = serialBaseline(parent, modules, path.join(root, '.conductor/bin/conductor-hook'));
      const mergeBase = mergeBaseline(root, modules);
      const mib = (t: CliTrace) => `${(t.maxRssKb / 1024).toFixed(0)} MiB`;
      log(`${modules} no-op modules, 200-file repo, --max-parallel 4`);
      log(`  conduct: ${fmt(conduct.ms)} (${fmt(conduct.ms / modules)} per module), peak RSS ${mib(conduct.trace)}; baseline serial worktree add + agent run ${fmt(conductBase)}; overhead per module ${fmt((conduct.ms - conductBase) / modules)}, ratio ${(conduct.ms / conductBase).toFixed(2)}`);
      log(`  merge:   ${fmt(merge.ms)} (${fmt(merge.ms / modules)} per module), peak RSS ${mib(merge.trace)}; baseline worktree add + git merge --no-ff loop ${fmt(mergeBase)}; overhead per module ${fmt((merge.ms - mergeBase) / modules)}, ratio ${(merge.ms / mergeBase).toFixed(2)}`);
      breakdown(conduct.trace, modules, log);
      log(`  merge:`);
      breakdown(merge.trace, modules, log);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  }
}

if (require.main === module) {
  benchEngine((l) => console.log(l)).catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
