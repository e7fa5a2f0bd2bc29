// The extension in the real workbench (code-server + headless chromium, see test/e2e/): activation
// with a 50-module spec against the same workbench on an empty folder (where the extension does not
// activate), the extension host's memory with 300 agents running (BENCH_RUNNING=100,300 for more
// counts; BENCH_VSCODE=memory for that part alone), and the size of the .vsix.
// Needs `bash test/e2e/install.sh` once; packages the .vsix itself. `node --import tsx bench/vscode.bench.ts`.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { RunStateFile } from '../src/core/run/model';
import { readyMd } from '../test/support/specBuilder';
import { startWorkbench, type Workbench } from '../test/e2e/harness';
import { REPO_ROOT, VSIX } from '../test/e2e/tools';
import { waitUntil } from '../test/e2e/waitUntil';
import { clickDialogButton, readDialog } from '../test/e2e/workbenchViews';
import { generateSpec } from './generate';
import { fmt, median } from './stats';
import { statusLatency } from './statusLatency';
import { killGroup, pidsWithEnvironment } from '../test/support/processes';
import { LAUNCH_ID_VARIABLE } from '../src/infra/process/findLaunched';

const RUNS = 3;
/** Modules running at once in the memory measure, one workbench each: BENCH_RUNNING=100,300. */
const RUNNING_COUNTS = (process.env.BENCH_RUNNING ?? '300').split(',').map(Number).filter((n) => Number.isInteger(n) && n > 0);
/** BENCH_VSCODE=memory measures only the memory (no activation runs, no .vsix size). */
const ONLY_MEMORY = process.env.BENCH_VSCODE === 'memory';
/** A light agent that hangs: the custom command runs in `sh -c`, exec leaves one process per module. */
const HANGING_AGENT = 'exec sleep 86400';
const BENCH_MARKER = 'SPEC_CONDUCTOR_BENCH';
const SCRIPTED_AGENT = path.join(REPO_ROOT, 'test', 'agents', 'scripted-agent.mjs');
const GIT_ENV = { ...process.env, GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@b', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@b' };
const MiB = 1024 * 1024;

type Log = (line: string) => void;

export async function benchVscode(log: Log): Promise<void> {
  log('packaging spec-conductor.vsix (npm run package)…');
  execFileSync('npm', ['run', 'package'], { cwd: REPO_ROOT, stdio: 'pipe' });
  const parent = realpathSync(mkdtempSync(path.join(tmpdir(), 'bench-vscode-')));
  // An interrupt turns into an exit (test/e2e/codeServer.ts): 300 worktrees must not stay behind.
  const removeParent = (): void => rmSync(parent, { recursive: true, force: true });
  process.on('exit', removeParent);
  try {
    if (!ONLY_MEMORY) await activation(parent, log);
    for (const count of RUNNING_COUNTS) await memory(parent, count, log);
    if (!ONLY_MEMORY) log(`.vsix: ${(statSync(VSIX).size / 1024).toFixed(1)} KiB (${VSIX})`);
  } finally {
    process.off('exit', removeParent);
    removeParent();
  }
}

/** Status line → tree and status bar, in the window and through the CLI (bench/statusLatency.ts). */
export async function benchStatusLatency(log: Log): Promise<void> {
  log('packaging spec-conductor.vsix and building dist/cli.js (npm run package)…');
  execFileSync('npm', ['run', 'package'], { cwd: REPO_ROOT, stdio: 'pipe' });
  const parent = realpathSync(mkdtempSync(path.join(tmpdir(), 'bench-latency-')));
  const planFile = path.join(parent, 'hang.json');
  writeFileSync(planFile, JSON.stringify({ '*': [{ hang: true }] }));
  try {
    await statusLatency(
      {
        makeRepo: (name, modules) => {
          const root = path.join(parent, name);
          mkdirSync(root);
          writeFileSync(path.join(root, 'READY.md'), readyMd([{ number: 1, name: 'Latency', modules }]));
          for (const args of [['init', '-q', '-b', 'main'], ['add', '-A'], ['commit', '-qm', 'init']]) execFileSync('git', args, { cwd: root, env: GIT_ENV });
          return root;
        },
        agentCommand: `node ${SCRIPTED_AGENT}`,
        agentEnv: { SCRIPTED_AGENT_PLAN: planFile },
        killAgents: (root) => agentPids(root).forEach(killGroup),
      },
      log,
    );
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
}

/** (a) READY.md with 5 phases × 10 modules and their contracts, against an empty folder. */
async function activation(parent: string, log: Log): Promise<void> {
  const specFolder = path.join(parent, 'spec50');
  const spec = generateSpec(5, 10, 3);
  mkdirSync(path.join(specFolder, 'contracts'), { recursive: true });
  writeFileSync(path.join(specFolder, 'READY.md'), spec.ready);
  for (const [file, text] of spec.contracts) writeFileSync(path.join(specFolder, file), text);
  const emptyFolder = path.join(parent, 'empty');
  mkdirSync(emptyFolder);

  const baseline: number[] = [];
  const specReady: number[] = [];
  const activate: number[] = [];
  const firstTree: number[] = [];
  const treeAfterLoad: number[] = [];
  const hostAfterLoad: number[] = [];
  const activateAfterLoad: number[] = [];
  for (let run = 1; run <= RUNS; run++) {
    const empty = await startWorkbench({ folder: emptyFolder, trust: true, name: `bench-empty-${run}` });
    baseline.push(empty.timing.readyAt - empty.timing.loadStartedAt);
    await empty.close();

    const wb = await startWorkbench({ folder: specFolder, trust: true, probe: true, name: `bench-spec50-${run}` });
    try {
      const a = await wb.waitForHost('activation', (a) => a.firstTreeMs !== null, 'the Phases tree to have items', 60_000);
      const modules = (await wb.host('tree')).filter((r) => r.depth === 1).length;
      if (modules !== 50) throw new Error(`expected 50 modules in the tree, got ${modules}`);
      specReady.push(wb.timing.readyAt - wb.timing.loadStartedAt);
      activate.push(a.activateMs);
      firstTree.push(a.firstTreeMs!);
      treeAfterLoad.push(a.timeOrigin + a.startMs + a.firstTreeMs! - wb.timing.loadStartedAt);
      hostAfterLoad.push(a.timeOrigin - wb.timing.loadStartedAt);
      activateAfterLoad.push(a.timeOrigin + a.startMs - wb.timing.loadStartedAt);
    } finally {
      await wb.close();
    }
  }
  const b = median(baseline);
  const t = median(treeAfterLoad);
  const row = (label: string, value: string): void => log(`  ${label.padEnd(52)} ${value}`);
  log(`activation, READY.md with 5 phases × 10 modules + 50 contracts (median of ${RUNS} fresh workbenches)`);
  row('activate() itself:', fmt(median(activate)));
  row('activate() start → Phases tree has its 50 modules:', fmt(median(firstTree)));
  row('page load → extension host process started:', `${fmt(median(hostAfterLoad))}  (VS Code's part)`);
  row('page load → activate() called:', `${fmt(median(activateAfterLoad))}  (VS Code's part)`);
  row('page load → Phases tree has its 50 modules:', fmt(t));
  row('page load → workbench ready, this folder:', fmt(median(specReady)));
  row('baseline: page load → workbench ready, empty folder:', `${fmt(b)}  (the extension does not activate)`);
  row('ratio tree ready / baseline workbench ready:', (t / b).toFixed(2));
  row('ratio workbench ready, spec / empty:', (median(specReady) / b).toFixed(2));
}

/**
 * (b) The extension host's memory before conducting and while `count` agents run, each in a fresh
 * workbench. The agent is `sleep` (exec'd by the custom command's shell): the module counts as
 * running as long as its terminal's process lives, and 300 of them cost little of the shared machine.
 */
async function memory(parent: string, count: number, log: Log): Promise<void> {
  const root = path.join(parent, `running${count}`);
  mkdirSync(root);
  const ids = Array.from({ length: count }, (_, i) => `m${i + 1}`);
  writeFileSync(path.join(root, 'READY.md'), readyMd([{ number: 1, name: 'Running', modules: ids }]));
  for (const args of [['init', '-q', '-b', 'main'], ['add', '-A'], ['commit', '-qm', 'init']]) execFileSync('git', args, { cwd: root, env: GIT_ENV });
  // Names this workbench's agents for the cleanup, including any the state file never recorded.
  const marker = `${BENCH_MARKER}=${path.basename(parent)}-${count}`;
  const killAgents = (): void => agentProcesses(marker).forEach(killGroup);
  process.on('exit', killAgents);

  const wb = await startWorkbench({
    folder: root,
    trust: true,
    probe: true,
    name: `bench-memory-${count}`,
    env: { [BENCH_MARKER]: marker.slice(BENCH_MARKER.length + 1) },
    settings: { 'specConductor.agent': 'custom', 'specConductor.customCommand': HANGING_AGENT, 'specConductor.maxParallel': count },
  });
  try {
    await wb.waitForHost('activation', (a) => a.firstTreeMs !== null, 'the Phases tree to have items', 60_000);
    const before = await sampleMemory(wb);
    const retainedBefore = await wb.host('memoryAfterGc');
    await wb.runCommand('Conductor: Conduct Phase');
    await readDialog(wb.page);
    await clickDialogButton(wb.page, 'Conduct');
    const started = Date.now();
    await wb.waitForHost('tree', (rows) => rows.filter((r) => r.contextValue === 'module-running').length === count, `${count} modules running`, 900_000);
    const allShownMs = Date.now() - started;
    // A module shows as running from the moment its start is recorded, before its terminal exists:
    // the agents are all there once every record has its shell's pid.
    const spawned = (s: RunStateFile): number => Object.values(s.phases).reduce((n, p) => n + p.modules.filter((m) => m.pid !== null).length, 0);
    await wb.waitForHost('runState', (s) => spawned(s) === count, `${count} agents spawned`, 900_000);
    const allRunningMs = Date.now() - started;
    await wb.page.waitForTimeout(5_000); // let the start-up garbage settle
    const during = await sampleMemory(wb);
    const retainedDuring = await wb.host('memoryAfterGc');
    const agents = agentProcesses(marker).length;
    log(`extension host memory, ${count} modules running (\`${HANGING_AGENT}\` in each terminal, maxParallel ${count}, ${agents} agent processes);`);
    log('  the difference includes the engine, loaded on first use');
    log(`  Conduct → all ${count} modules shown running:  ${fmt(allShownMs)}`);
    log(`  Conduct → all ${count} agents' processes started:  ${fmt(allRunningMs)}`);
    for (const key of ['rss', 'heapUsed', 'heapTotal', 'external'] as const) {
      const delta = during[key] - before[key];
      log(`  ${key.padEnd(9)} before ${mib(before[key])}  while running ${mib(during[key])}  Δ ${mib(delta)} (${((delta / count) * 1024 / MiB).toFixed(1)} KiB per module)`);
    }
    // heapUsed above includes garbage not yet collected (the once-a-second tick of 300 rows makes plenty).
    const retained = retainedDuring.heapUsed - retainedBefore.heapUsed;
    log(`  heapUsed after a full GC: before ${mib(retainedBefore.heapUsed)}  while running ${mib(retainedDuring.heapUsed)}  Δ ${mib(retained)} (${((retained / count) * 1024 / MiB).toFixed(1)} KiB per module)`);
  } finally {
    await wb.close();
    // The agents' shells lead their own sessions (one pty each): make sure none outlives the bench.
    killAgents();
    process.off('exit', killAgents);
    const left = agentProcesses(marker);
    if (left.length) log(`  warning: ${left.length} agent processes still there after the cleanup: ${left.join(' ')}`);
  }
}

/** The agents a workbench started: its marker and a launch id in their environment. */
function agentProcesses(marker: string): number[] {
  return pidsWithEnvironment([marker, `${LAUNCH_ID_VARIABLE}=`]);
}

/** The median of three samples a second apart. */
async function sampleMemory(wb: Workbench): Promise<NodeJS.MemoryUsage> {
  const samples: NodeJS.MemoryUsage[] = [];
  for (let i = 0; i < 3; i++) {
    if (i > 0) await wb.page.waitForTimeout(1_000);
    samples.push(await waitUntil('the in-host memory figures', () => wb.host('memory'), (m) => m.rss > 0));
  }
  const pick = (key: keyof NodeJS.MemoryUsage): number => median(samples.map((s) => s[key]));
  return { rss: pick('rss'), heapUsed: pick('heapUsed'), heapTotal: pick('heapTotal'), external: pick('external'), arrayBuffers: pick('arrayBuffers') };
}

function agentPids(root: string): number[] {
  try {
    const state = JSON.parse(readFileSync(path.join(root, '.conductor', 'state.json'), 'utf8')) as RunStateFile;
    return Object.values(state.phases).flatMap((p) => p.modules.map((m) => m.pid).filter((pid): pid is number => pid !== null));
  } catch {
    return [];
  }
}

function mib(bytes: number): string {
  return `${(bytes / MiB).toFixed(1).padStart(6)} MiB`;
}

if (require.main === module) {
  benchVscode((line) => console.log(line)).catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
