// Runs a TypeScript entry point as a real child process from any working directory (tsx resolved
// from this repository, not from the child's cwd).
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

export const TSX_LOADER = pathToFileURL(path.join(__dirname, '../../node_modules/tsx/dist/loader.mjs')).href;
export const CLI_ENTRY = path.join(__dirname, '../../src/cli.ts');

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runTs(entry: string, args: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', TSX_LOADER, entry, ...args], { cwd: options.cwd, env: options.env ?? process.env }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

export const conductor = (cwd: string, ...args: string[]): Promise<RunResult> => runTs(CLI_ENTRY, args, { cwd });
