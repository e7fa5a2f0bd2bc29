// Runs the user's setup command (a setting, e.g. `npm ci`) in a new worktree, appending its output
// to the module's log. The command is the user's own configuration, so it runs through `sh -c`;
// nothing from a spec file is part of it.
import { spawn } from 'node:child_process';
import { createWriteStream, promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { SetupPort } from '../../core/ports';

export class ShellSetupRunner implements SetupPort {
  async run(command: string, cwd: string, env: Record<string, string>, logFile: string): Promise<{ code: number | null }> {
    await fs.mkdir(path.dirname(logFile), { recursive: true });
    const log = createWriteStream(logFile, { flags: 'a' });
    log.write(`$ ${command}\n`);
    try {
      return await new Promise((resolve) => {
        const child = spawn('/bin/sh', ['-c', command], { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
        child.stdout.pipe(log, { end: false });
        child.stderr.pipe(log, { end: false });
        child.on('error', (e) => {
          log.write(`setup failed to start: ${e.message}\n`);
          resolve({ code: 127 });
        });
        child.on('close', (code) => resolve({ code }));
      });
    } finally {
      await new Promise<void>((resolve) => log.end(resolve));
    }
  }
}
