// The built `conductor` (dist/cli.js) as a real child process: what users and CI run.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { GIT_ENV } from './gitRepo';

export const DIST_CLI = path.join(__dirname, '../../dist/cli.js');
export const SCRIPTED_AGENT = `node ${path.join(__dirname, '../agents/scripted-agent.mjs')}`;

function assertBuilt(): void {
  if (!existsSync(DIST_CLI)) throw new Error(`${DIST_CLI} is missing: run "npm run build" (npm test does)`);
}

export interface BinResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `limit`: a hung run (a real agent CLI waiting forever) fails its test instead of hanging it. */
export function conductorBin(cwd: string, args: readonly string[], env: Record<string, string> = {}, limit?: { timeoutMs: number; killSignal?: NodeJS.Signals }): Promise<BinResult> {
  assertBuilt();
  const timeout = limit ? { timeout: limit.timeoutMs, killSignal: limit.killSignal ?? 'SIGTERM' } : {};
  return new Promise((resolve) => {
    execFile(process.execPath, [DIST_CLI, ...args], { cwd, env: { ...process.env, ...GIT_ENV, ...env }, maxBuffer: 64 * 1024 * 1024, ...timeout }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr: error?.killed ? `${stderr}\n(killed after ${limit?.timeoutMs} ms)` : stderr });
    });
  });
}

export function spawnConductor(cwd: string, args: readonly string[], env: Record<string, string> = {}): ChildProcess {
  assertBuilt();
  return spawn(process.execPath, [DIST_CLI, ...args], { cwd, env: { ...process.env, ...GIT_ENV, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}
