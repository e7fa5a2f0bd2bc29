// code-server as a child process: installs the .vsix, starts the server on a free loopback port in
// its own process group (so the extension host and its helpers go down with it) and stops it.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { appendFileSync, openSync, closeSync, readFileSync } from 'node:fs';
import { once } from 'node:events';
import * as net from 'node:net';
import * as os from 'node:os';
import type { Tools } from './tools';

const HOST = '127.0.0.1';
const EXIT_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
const LISTEN_TIMEOUT_MS = 90_000;
const INSTALL_TIMEOUT_MS = 120_000;
const STOP_GRACE_MS = 5_000;
/** Backstop for a test process killed with SIGKILL: code-server exits once no browser has been connected this long. */
const IDLE_TIMEOUT_S = 600;

export interface ServerDirs {
  userDataDir: string;
  extensionsDir: string;
  /** code-server writes a config.yaml (with a generated password) here instead of in ~/.config. */
  configFile: string;
}

export interface CodeServer {
  url: string;
  /** Settles when the server process exits. */
  exited: Promise<unknown>;
  stop(): Promise<void>;
}

/**
 * The environment code-server runs in: node 24 first in PATH, none of the test runner's or an outer
 * VS Code's variables, and no extension gallery (an empty one makes VS Code query nothing off the machine).
 */
export function serverEnv(tools: Tools, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('VSCODE_') || key === 'NODE_OPTIONS' || key === 'NODE_TEST_CONTEXT' || key.startsWith('npm_')) continue;
    env[key] = value;
  }
  return { ...env, EXTENSIONS_GALLERY: '{}', ...extra, PATH: `${tools.nodeBin}:${process.env.PATH ?? ''}` };
}

export async function installVsix(tools: Tools, dirs: ServerDirs, vsix: string, logFile: string): Promise<void> {
  const args = [...dirArgs(dirs), '--install-extension', vsix];
  const output = await new Promise<string>((resolve, reject) => {
    execFile(tools.codeServer, args, { env: serverEnv(tools), timeout: INSTALL_TIMEOUT_MS }, (error, stdout, stderr) => {
      const text = `$ code-server ${args.join(' ')}\n${stdout}${stderr}\n`;
      appendFileSync(logFile, text);
      if (error) reject(new Error(`Installing ${vsix} into code-server failed (${error.message}); see ${logFile}`));
      else resolve(text);
    });
  });
  if (!/successfully installed/i.test(output)) throw new Error(`code-server did not confirm installing ${vsix}; see ${logFile}`);
}

export interface StartOptions {
  dirs: ServerDirs;
  folder: string;
  trust: boolean;
  env: Record<string, string>;
  logFile: string;
  /** Exit after this long without a browser connected; null: never. Default IDLE_TIMEOUT_S. */
  idleTimeoutSeconds?: number | null;
  /** false: the caller stops the server on SIGINT/SIGTERM itself (it is still killed when this process exits). */
  exitOnSignals?: boolean;
}

export async function startCodeServer(tools: Tools, options: StartOptions): Promise<CodeServer> {
  const port = await freePort();
  const args = [
    ...dirArgs(options.dirs),
    '--auth', 'none',
    '--bind-addr', `${HOST}:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    ...(options.idleTimeoutSeconds === null ? [] : ['--idle-timeout-seconds', String(options.idleTimeoutSeconds ?? IDLE_TIMEOUT_S)]),
    ...(options.trust ? ['--disable-workspace-trust'] : []),
    options.folder,
  ];
  appendFileSync(options.logFile, `$ code-server ${args.join(' ')}\n`);
  const log = openSync(options.logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(tools.codeServer, args, { env: serverEnv(tools, options.env), stdio: ['ignore', log, log], detached: true });
  } finally {
    closeSync(log);
  }
  const exited = once(child, 'exit');
  // A test process that exits or is interrupted mid-test must not leave a server behind: a signal
  // turns into an exit, and every running server's exit handler kills its group.
  const killOnExit = (): void => killGroup(child, 'SIGKILL');
  const exitOnSignal = (signal: NodeJS.Signals): void => process.exit(128 + (os.constants.signals[signal] ?? 1));
  const signals = options.exitOnSignals === false ? [] : EXIT_SIGNALS;
  process.on('exit', killOnExit);
  for (const signal of signals) process.on(signal, exitOnSignal);

  const stop = async (): Promise<void> => {
    process.off('exit', killOnExit);
    for (const signal of signals) process.off(signal, exitOnSignal);
    if (child.exitCode === null && child.signalCode === null) {
      killGroup(child, 'SIGTERM');
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    }
    // The extension host and helpers share the group and may outlive the server's main process.
    killGroup(child, 'SIGKILL');
  };

  const url = `http://${HOST}:${port}`;
  try {
    await waitForHealth(url, exited, options.logFile);
  } catch (e) {
    await stop();
    throw e;
  }
  return { url, exited, stop };
}

function dirArgs(dirs: ServerDirs): string[] {
  return ['--user-data-dir', dirs.userDataDir, '--extensions-dir', dirs.extensionsDir, '--config', dirs.configFile];
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, HOST);
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

async function waitForHealth(url: string, exited: Promise<unknown>, logFile: string): Promise<void> {
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + LISTEN_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (gone) throw new Error(`code-server exited before listening on ${url}:\n${tail(logFile)}`);
    try {
      const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`code-server did not answer on ${url} within ${LISTEN_TIMEOUT_MS / 1000} s:\n${tail(logFile)}`);
}

export function tail(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
