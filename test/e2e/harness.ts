// A real VS Code workbench for end-to-end tests: code-server (VS Code in the browser, with a real Node
// extension host) serving a folder, with spec-conductor.vsix installed, driven through Debian's
// chromium by playwright-core. Expects `npm run package` and `bash test/e2e/install.sh` to have run.
import { appendFileSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { build } from 'esbuild';
import type { E2eApi, E2eReport } from '../../src/vscode/e2eHook';
import { E2E_ENV } from '../../src/vscode/ids';
import { installVsix, startCodeServer, tail, type CodeServer } from './codeServer';
import { findTools, RESULTS_DIR, STEPS_DIR, VSIX } from './tools';
import { goToLine, openFile, readProblems, replaceLine, runCommand, type ProblemRow } from './workbenchUi';
import { PROBE_FILE_ENV, type ProbeAddress } from './suites/probe.suite';
import { waitUntil } from './waitUntil';

export type { ProblemRow } from './workbenchUi';

export interface WorkbenchOptions {
  /** The workspace folder to open (absolute). */
  folder: string;
  /** false: start without --disable-workspace-trust, so VS Code decides (restricted mode unless trusted). */
  trust: boolean;
  /**
   * Extra environment for code-server and so the extension host, its terminals and the agents in
   * them. Not PATH: as VS Code does, the server takes the extension host's environment from the
   * user's login shell (`$SHELL -i -l -c`), whose /etc/profile resets PATH. To put a folder on the
   * agents' PATH, give a HOME here whose `.profile` adds it, as a user's does.
   */
  env?: Record<string, string>;
  /** Names the screenshot folder and the code-server log; defaults to the folder's name. */
  name?: string;
  /** A TypeScript suite (an E2eSuite module, see src/vscode/e2eHook.ts) to run inside the extension host. */
  suite?: string;
  /** User settings on top of the quiet defaults below. */
  settings?: Record<string, unknown>;
  /** Serve the extension's E2eApi to this process (see suites/probe.suite.ts), for `host()`. Replaces `suite`. */
  probe?: boolean;
}

type HostApi = Omit<E2eApi, 'vscode'>;
/** A member of the in-host E2eApi, read through the probe. */
export type HostQuery = keyof HostApi;
export type HostValue<K extends HostQuery> = HostApi[K] extends (...args: never[]) => infer R ? Awaited<R> : HostApi[K];

export interface Workbench {
  page: Page;
  folder: string;
  logFile: string;
  /** Wall-clock times (ms since the epoch): the page load began, and the workbench showed its bars. */
  timing: { loadStartedAt: number; readyAt: number };
  runCommand(title: string): Promise<void>;
  openFile(relativePath: string): Promise<void>;
  goToLine(line: number): Promise<void>;
  replaceLine(line: number, text: string): Promise<void>;
  /** Saves a numbered PNG in test-results/e2e/<name>/ (and as test-results/e2e/steps/<name>/<step>.png) and returns its path. */
  screenshot(step: string): Promise<string>;
  problems(): Promise<ProblemRow[]>;
  /** Polls the Problems panel until `accept` holds; fails with what it last saw. */
  waitForProblems(accept: (rows: ProblemRow[]) => boolean, what: string): Promise<ProblemRow[]>;
  /** Waits for the in-host suite's report (only with options.suite). */
  suiteReport(): Promise<E2eReport>;
  /** Reads a member of the extension's E2eApi in the extension host (only with options.probe). */
  host<K extends HostQuery>(query: K): Promise<HostValue<K>>;
  /** Polls a member of the E2eApi until `accept` holds; fails with what it last saw. */
  waitForHost<K extends HostQuery>(query: K, accept: (value: HostValue<K>) => boolean, what: string, timeoutMs?: number): Promise<HostValue<K>>;
  /** Developer: Reload Window, then waits for the new extension host's probe and the workbench (only with options.probe). */
  reload(): Promise<void>;
  close(): Promise<void>;
}

const WORKBENCH_TIMEOUT_MS = 90_000;
const PROBLEMS_TIMEOUT_MS = 30_000;
const SUITE_TIMEOUT_MS = 90_000;
const POLL_MS = 250;

/** Quiet defaults: nothing that opens by itself, suggests, auto-closes or reaches the network. */
const SETTINGS: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'chat.disableAIFeatures': true,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'git.enabled': false,
  // The in-host probe listens on a loopback port: nothing to forward.
  'remote.autoForwardPorts': false,
  'editor.quickSuggestions': { other: 'off', comments: 'off', strings: 'off' },
  'editor.suggestOnTriggerCharacters': false,
  'editor.autoClosingBrackets': 'never',
  'editor.autoClosingQuotes': 'never',
};

const CHROMIUM_FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
  // Only loopback: any other host name fails to resolve, so the page cannot reach off the machine.
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1'];

export async function startWorkbench(options: WorkbenchOptions): Promise<Workbench> {
  if (!existsSync(VSIX)) throw new Error(`${VSIX} is missing: run \`npm run package\` first.`);
  const tools = findTools();
  const name = options.name ?? path.basename(options.folder);
  const shots = path.join(RESULTS_DIR, name);
  const steps = path.join(STEPS_DIR, name);
  for (const dir of [shots, steps]) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
  }
  const logFile = path.join(RESULTS_DIR, `${name}-code-server.log`);
  writeFileSync(logFile, '');

  const temp = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'sc-e2e-')));
  const dirs = { userDataDir: path.join(temp, 'user'), extensionsDir: path.join(temp, 'extensions'), configFile: path.join(temp, 'config.yaml') };
  mkdirSync(path.join(dirs.userDataDir, 'User'), { recursive: true });
  mkdirSync(dirs.extensionsDir);
  writeFileSync(path.join(dirs.userDataDir, 'User', 'settings.json'), JSON.stringify({ ...SETTINGS, ...options.settings }, null, 2));
  // The window is remote to the server: settings scoped "machine" (specConductor.customCommand) are
  // read from the server's Machine settings, not the user's.
  mkdirSync(path.join(dirs.userDataDir, 'Machine'));
  writeFileSync(path.join(dirs.userDataDir, 'Machine', 'settings.json'), JSON.stringify({ ...options.settings }, null, 2));
  const resultsFile = path.join(temp, 'suite-results.json');
  const probeFile = path.join(temp, 'probe.json');
  const suite = options.probe ? path.join(__dirname, 'suites', 'probe.suite.ts') : options.suite;

  let server: CodeServer | undefined;
  let context: BrowserContext | undefined;
  let page: Page | undefined;
  let shotCount = 0;
  let closed = false;
  const timing = { loadStartedAt: 0, readyAt: 0 };
  const screenshot = async (step: string): Promise<string> => {
    const named = step.replace(/[^\w.-]+/g, '-');
    const file = path.join(shots, `${String(++shotCount).padStart(2, '0')}-${named}.png`);
    await page?.screenshot({ path: file });
    // The same picture under its step's name alone, where adding a step elsewhere does not rename it.
    if (existsSync(file)) copyFileSync(file, path.join(steps, `${named}.png`));
    return file;
  };
  const removeTemp = (): void => rmSync(temp, { recursive: true, force: true });
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    process.off('exit', removeTemp);
    await context?.close().catch(() => undefined);
    await server?.stop();
    // VS Code's own logs (extension host, window, server) outlive the temp folder for debugging.
    try {
      cpSync(path.join(dirs.userDataDir, 'logs'), path.join(shots, 'vscode-logs'), { recursive: true });
    } catch {
      // No logs: the server never started.
    }
    removeTemp();
  };

  try {
    const env = { ...options.env };
    if (suite) {
      env[E2E_ENV.suite] = await bundleSuite(suite, temp);
      env[E2E_ENV.results] = resultsFile;
    }
    if (options.probe) env[PROBE_FILE_ENV] = probeFile;
    await installVsix(tools, dirs, VSIX, logFile);
    const started = Date.now();
    server = await startCodeServer(tools, { dirs, folder: options.folder, trust: options.trust, env, logFile });
    // Registered after the server's own exit handler, so an interrupted test kills first and removes after.
    process.on('exit', removeTemp);
    const listening = Date.now();
    context = await chromium.launchPersistentContext(path.join(temp, 'chromium'), {
      executablePath: tools.chromium,
      headless: true,
      args: CHROMIUM_FLAGS,
      viewport: { width: 1400, height: 900 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(30_000);
    page.on('pageerror', (error) => appendFileSync(logFile, `[browser] page error: ${error.stack ?? error.message}\n`));
    page.on('console', (message) => {
      if (message.type() === 'error') appendFileSync(logFile, `[browser] console error: ${message.text()}\n`);
    });
    timing.loadStartedAt = Date.now();
    await page.goto(`${server.url}/?folder=${encodeURIComponent(options.folder)}`);
    await workbenchReady(page);
    timing.readyAt = Date.now();
    console.log(`[e2e] ${name}: code-server listening after ${seconds(listening - started)}, workbench ready after ${seconds(Date.now() - started)}`);
  } catch (e) {
    const shot = page ? await screenshot('start-failure').catch(() => null) : null;
    await close();
    throw new Error(`The workbench for ${options.folder} did not start: ${(e as Error).message}\n` +
      `screenshot: ${shot ?? 'none'}\ncode-server log (${logFile}):\n${tail(logFile)}`, { cause: e });
  }

  const ready = page;
  const waitForProblems = async (accept: (rows: ProblemRow[]) => boolean, what: string): Promise<ProblemRow[]> => {
    const deadline = Date.now() + PROBLEMS_TIMEOUT_MS;
    let rows: ProblemRow[] = [];
    while (Date.now() < deadline) {
      rows = await readProblems(ready, options.folder);
      if (accept(rows)) return rows;
      await ready.waitForTimeout(POLL_MS);
    }
    throw new Error(`The Problems panel did not show ${what} within ${PROBLEMS_TIMEOUT_MS / 1000} s; it showed:\n${JSON.stringify(rows, null, 2)}`);
  };
  const suiteReport = async (): Promise<E2eReport> => {
    if (!suite) throw new Error('suiteReport() needs options.suite.');
    const deadline = Date.now() + SUITE_TIMEOUT_MS;
    while (!existsSync(resultsFile)) {
      if (Date.now() > deadline) {
        throw new Error(`The in-host suite ${options.suite} wrote no report within ${SUITE_TIMEOUT_MS / 1000} s ` +
          `(did the extension activate?). code-server log:\n${tail(logFile)}`);
      }
      await ready.waitForTimeout(POLL_MS);
    }
    return JSON.parse(readFileSync(resultsFile, 'utf8')) as E2eReport;
  };
  const probeAddress = (): ProbeAddress | null => {
    if (!options.probe) throw new Error('host() needs options.probe.');
    return existsSync(probeFile) ? (JSON.parse(readFileSync(probeFile, 'utf8')) as ProbeAddress) : null;
  };
  const host = async <K extends HostQuery>(query: K): Promise<HostValue<K>> => {
    const address =
      probeAddress() ??
      (await waitUntil(`the in-host probe (did the extension activate?); log ${logFile}`, async () => probeAddress(), Boolean, SUITE_TIMEOUT_MS))!;
    const response = await fetch(`http://127.0.0.1:${address.port}/${encodeURIComponent(query)}`, { signal: AbortSignal.timeout(10_000) });
    if (!response.ok) throw new Error(`The in-host probe answered ${response.status} for ${query}: ${await response.text()}`);
    return (await response.json()) as HostValue<K>;
  };
  const reload = async (): Promise<void> => {
    const before = probeAddress();
    if (!before) throw new Error('reload() before the in-host probe answered.');
    await runCommand(ready, 'Developer: Reload Window');
    await waitUntil('a new extension host after the reload', async () => probeAddress(), (a) => a !== null && a.pid !== before.pid, WORKBENCH_TIMEOUT_MS);
    await workbenchReady(ready);
  };

  return {
    page: ready,
    folder: options.folder,
    logFile,
    timing,
    runCommand: (title) => runCommand(ready, title),
    openFile: (relativePath) => openFile(ready, relativePath),
    goToLine: (line) => goToLine(ready, line),
    replaceLine: (line, text) => replaceLine(ready, line, text),
    screenshot,
    problems: () => readProblems(ready, options.folder),
    waitForProblems,
    suiteReport,
    host,
    waitForHost: (query, accept, what, timeoutMs) => waitUntil(what, () => host(query), accept, timeoutMs),
    reload,
    close,
  };
}

/** Starts a workbench, runs `body`, and always closes it; on failure saves a screenshot and names it and the log in the error. */
export async function withWorkbench<T>(options: WorkbenchOptions, body: (workbench: Workbench) => Promise<T>): Promise<T> {
  const workbench = await startWorkbench(options);
  try {
    return await body(workbench);
  } catch (e) {
    const shot = await workbench.screenshot('failure').catch(() => null);
    if (e instanceof Error) e.message += `\nscreenshot: ${shot ?? 'none'}\ncode-server log: ${workbench.logFile}`;
    throw e;
  } finally {
    await workbench.close();
  }
}

/** Asserts that every test of an in-host suite report passed, with the failures' stacks in the message. */
export function assertSuitePassed(report: E2eReport): void {
  const failed = report.results.filter((r) => !r.ok);
  if (report.error) throw new Error(`The in-host suite did not load:\n${report.error}`);
  if (report.results.length === 0) throw new Error('The in-host suite ran no test.');
  if (failed.length > 0) throw new Error(`In-host tests failed:\n${failed.map((r) => `- ${r.name}:\n${r.error}`).join('\n')}`);
}

async function workbenchReady(page: Page): Promise<void> {
  await page.locator('.monaco-workbench').waitFor({ timeout: WORKBENCH_TIMEOUT_MS });
  await page.locator('.monaco-workbench .part.activitybar').waitFor({ timeout: WORKBENCH_TIMEOUT_MS });
  await page.locator('.monaco-workbench .part.statusbar').waitFor({ timeout: WORKBENCH_TIMEOUT_MS });
}

/** Bundles a TypeScript suite into one CommonJS file the extension host can require (vscode stays external). */
async function bundleSuite(suite: string, outDir: string): Promise<string> {
  const outfile = path.join(outDir, 'suite.cjs');
  await build({ entryPoints: [suite], outfile, bundle: true, platform: 'node', format: 'cjs', target: 'node20', external: ['vscode'], logLevel: 'error' });
  return outfile;
}

/** A copy of test/fixtures/<name> in a fresh temp folder (real path, as VS Code shows it). */
export function copyFixture(fixture: string): { folder: string; remove(): void } {
  const parent = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'sc-e2e-ws-')));
  const folder = path.join(parent, fixture);
  cpSync(path.join(__dirname, '..', 'fixtures', fixture), folder, { recursive: true });
  const remove = (): void => {
    process.off('exit', remove);
    rmSync(parent, { recursive: true, force: true });
  };
  process.on('exit', remove);
  return { folder, remove };
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
