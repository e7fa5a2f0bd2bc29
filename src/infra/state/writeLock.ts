// A short lock around a read-modify-write of state.json, across processes: two conductors of two
// phases each re-read the file and replace their own phase; without it, one's write could land on
// a file read before the other's and take that write back. `open(…, 'wx')` makes exactly one of
// them the holder; a lock whose owner is gone (a crash mid-write) is taken over.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { asWriteError } from '../fsErrors';
import { processStartTime, sameProcessAlive } from '../process/processIdentity';

const RETRY_MS = 5;

export async function withWriteLock<T>(lockFile: string, work: () => Promise<T>): Promise<T> {
  const mine = JSON.stringify({ pid: process.pid, start: processStartTime(process.pid) });
  for (;;) {
    try {
      const handle = await fs.open(lockFile, 'wx');
      await handle.writeFile(mine);
      await handle.close();
      break;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') {
        await fs.mkdir(path.dirname(lockFile), { recursive: true });
        continue;
      }
      if (code !== 'EEXIST') throw asWriteError(e, lockFile);
      if (await ownerGone(lockFile)) await fs.rm(lockFile, { force: true });
      else await new Promise((r) => setTimeout(r, RETRY_MS));
    }
  }
  try {
    return await work();
  } finally {
    await fs.rm(lockFile, { force: true });
  }
}

async function ownerGone(lockFile: string): Promise<boolean> {
  let text: string;
  try {
    text = await fs.readFile(lockFile, 'utf8');
  } catch {
    return false; // released meanwhile: try again
  }
  try {
    const owner = JSON.parse(text) as { pid?: unknown; start?: unknown };
    return typeof owner.pid !== 'number' || !sameProcessAlive(owner.pid, typeof owner.start === 'string' ? owner.start : null);
  } catch {
    // Being written right now (empty or half-written): its owner is alive.
    return false;
  }
}
