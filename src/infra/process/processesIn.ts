// Which live processes have their working folder inside a folder: an agent (or anything the user
// runs there) that a removal of the folder would pull the ground from under.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { listPids } from './processIdentity';

export interface ProcessInFolder {
  pid: number;
  /** Its command line, for the message. */
  command: string;
}

export async function processesIn(folder: string): Promise<ProcessInFolder[]> {
  const root = await fs.realpath(folder).catch(() => path.resolve(folder));
  const found: ProcessInFolder[] = [];
  await Promise.all(
    (await listPids()).map(async (pid) => {
      const cwd = await fs.readlink(`/proc/${pid}/cwd`).catch(() => null);
      if (cwd === null || (cwd !== root && !cwd.startsWith(`${root}/`))) return;
      const cmdline = await fs.readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
      found.push({ pid, command: cmdline.split('\0').filter(Boolean).join(' ').slice(0, 120) });
    }),
  );
  return found.sort((a, b) => a.pid - b.pid);
}
