// How long a status line an agent's hook writes takes to show in the Phases tree and the status bar
// of the real workbench, for both ways of conducting: in the window (the engine in the extension
// host follows the status files) and with the `conductor` CLI (the CLI follows them and writes
// .conductor/state.json, which the extension follows through VS Code's file watcher). Each sample
// flips one module between needs-input and running, which changes its tree row and the status bar
// text ("1 waiting"). Baseline, measured alongside each sample: a bare fs.watch on the status folder
// in this process, i.e. how soon the operating system tells anyone about the write.
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync, watch, type FSWatcher } from 'node:fs';
import * as path from 'node:path';
import { MODULE_ICON } from '../src/core/view/looks';
import type { E2eViewChange } from '../src/vscode/e2eHook';
import { startWorkbench, type Workbench } from '../test/e2e/harness';
import { REPO_ROOT } from '../test/e2e/tools';
import { waitUntil } from '../test/e2e/waitUntil';
import { clickDialogButton, readDialog, showPhasesView } from '../test/e2e/workbenchViews';
import { fmt, median, percentile } from './stats';

const MODULES = 8;
const ROUNDS = 5;
const PAUSE_MS = 150;
const SLUG = 'phase-1-latency';

type Log = (line: string) => void;

export interface LatencySetup {
  /** Makes a fresh repository with READY.md (one phase, the given modules) committed; returns its folder. */
  makeRepo(name: string, modules: string[]): string;
  /** The scripted agent's command and the env that makes every agent hang. */
  agentCommand: string;
  agentEnv: Record<string, string>;
  /** Kills the agents the repository's state file records. */
  killAgents(root: string): void;
}

interface Sample {
  tree: number;
  statusBar: number;
  raw: number;
}

export async function statusLatency(setup: LatencySetup, log: Log): Promise<void> {
  const ids = Array.from({ length: MODULES }, (_, i) => `m${i + 1}`);
  const settings = { 'specConductor.agent': 'custom', 'specConductor.customCommand': setup.agentCommand, 'specConductor.maxParallel': MODULES };
  log(`status line → view latency, ${MODULES} agents running, ${2 * MODULES * ROUNDS} lines each way (needs-input ⇄ progress)`);

  const windowRoot = setup.makeRepo('latency-window', ids);
  const inWindow = await withRunning(windowRoot, setup, settings, async (wb) => {
    await wb.runCommand('Conductor: Conduct Phase');
    await readDialog(wb.page);
    await clickDialogButton(wb.page, 'Conduct');
  }, (wb) => measure(wb, windowRoot, ids));
  report('conducted in the window (engine in the extension host):', inWindow, log);

  const cliRoot = setup.makeRepo('latency-cli', ids);
  let cli: ChildProcess | undefined;
  try {
    const viaCli = await withRunning(cliRoot, setup, settings, async () => {
      cli = spawn(process.execPath, [path.join(REPO_ROOT, 'dist', 'cli.js'), 'conduct', '1', '--agent', setup.agentCommand, '--max-parallel', String(MODULES), '--quiet'], {
        cwd: cliRoot,
        env: { ...process.env, ...setup.agentEnv },
        stdio: 'ignore',
      });
    }, (wb) => measure(wb, cliRoot, ids));
    report('conducted by `conductor conduct` (CLI → state.json → the extension follows it):', viaCli, log);
  } finally {
    cli?.kill('SIGKILL');
    setup.killAgents(cliRoot);
  }
}

async function withRunning(
  root: string,
  setup: LatencySetup,
  settings: Record<string, unknown>,
  start: (wb: Workbench) => Promise<void>,
  body: (wb: Workbench) => Promise<Sample[]>,
): Promise<Sample[]> {
  const wb = await startWorkbench({ folder: root, trust: true, probe: true, name: `bench-${path.basename(root)}`, env: setup.agentEnv, settings });
  try {
    await wb.waitForHost('activation', (a) => a.firstTreeMs !== null, 'the Phases tree to have items', 60_000);
    // The view open, as a user watching would have it: VS Code then redraws the rows that change.
    await showPhasesView(wb.page);
    await start(wb);
    await wb.waitForHost('tree', (rows) => rows.filter((r) => r.contextValue === 'module-running').length === MODULES, `${MODULES} modules running`, 120_000);
    return await body(wb);
  } finally {
    await wb.close();
    setup.killAgents(root);
  }
}

async function measure(wb: Workbench, root: string, ids: string[]): Promise<Sample[]> {
  const statusDir = path.join(root, '.conductor', 'status', SLUG);
  mkdirSync(statusDir, { recursive: true });
  const raw = new RawWatch(statusDir);
  const samples: Sample[] = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const id of ids) {
        for (const status of ['needs-input', 'progress'] as const) {
          const file = path.join(statusDir, `${id}.jsonl`);
          const line = JSON.stringify({ status, ts: new Date().toISOString(), summary: `bench ${status} ${round}` });
          const written = performance.timeOrigin + performance.now();
          appendFileSync(file, `${line}\n`);
          const want = MODULE_ICON[status === 'needs-input' ? 'needs-input' : 'running'].id;
          const changes = await wb.waitForHost(
            'viewChanges',
            (log) => firstTree(log, `module:${SLUG}/${id}`, want, written) !== null && firstStatusBar(log, status === 'needs-input', written) !== null,
            `${id} shown as ${want}`,
            30_000,
          );
          samples.push({
            tree: firstTree(changes, `module:${SLUG}/${id}`, want, written)! - written,
            statusBar: firstStatusBar(changes, status === 'needs-input', written)! - written,
            raw: (await raw.after(`${id}.jsonl`, written)) - written,
          });
          await wb.page.waitForTimeout(PAUSE_MS);
        }
      }
    }
  } finally {
    raw.close();
  }
  return samples;
}

function firstTree(log: E2eViewChange[], id: string, icon: string, after: number): number | null {
  return log.find((c) => c.view === 'tree' && c.at >= after && c.id === id && c.icon === icon)?.at ?? null;
}

function firstStatusBar(log: E2eViewChange[], waiting: boolean, after: number): number | null {
  return log.find((c) => c.view === 'statusBar' && c.at >= after && c.text.includes('waiting') === waiting)?.at ?? null;
}

/** fs.watch on the status folder: the time of the first event for a file after a given time. */
class RawWatch {
  private readonly events: { file: string; at: number }[] = [];
  private readonly watcher: FSWatcher;

  constructor(dir: string) {
    this.watcher = watch(dir, (_event, file) => {
      if (file) this.events.push({ file: String(file), at: performance.timeOrigin + performance.now() });
    });
  }

  after(file: string, time: number): Promise<number> {
    return waitUntil(`fs.watch to report ${file}`, async () => this.events.find((e) => e.file === file && e.at >= time)?.at ?? null, (at) => at !== null, 10_000) as Promise<number>;
  }

  close(): void {
    this.watcher.close();
  }
}

function report(title: string, samples: Sample[], log: Log): void {
  const row = (label: string, values: number[]): void =>
    log(`  ${label.padEnd(30)} median ${fmt(median(values)).padStart(9)}  p95 ${fmt(percentile(values, 95)).padStart(9)}  max ${fmt(Math.max(...values)).padStart(9)}`);
  log(` ${title}`);
  row('Phases tree row:', samples.map((s) => s.tree));
  row('status bar text:', samples.map((s) => s.statusBar));
  row('baseline, bare fs.watch event:', samples.map((s) => s.raw));
  log(`  ratio p95 tree / p95 fs.watch: ${(percentile(samples.map((s) => s.tree), 95) / Math.max(0.01, percentile(samples.map((s) => s.raw), 95))).toFixed(1)}`);
}

