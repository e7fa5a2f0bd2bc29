// A short lock around a read-modify-write of state.json, across processes: two conductors of two
// phases each re-read the file and replace their own phase; without it, one's write could land on
// a file read before the other's and take that write back. `link()` of a finished file makes exactly
// one of them the holder; a lock whose owner is gone (a crash mid-write) is taken over.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { asWriteError } from '../fsErrors';
import { processStartTime, sameProcessAlive } from '../process/processIdentity';

const RETRY_MS = 5;

let counter = 0;

export async function withWriteLock<T>(lockFile: string, work: () => Promise<T>): Promise<T> {
  const mine = JSON.stringify({ pid: process.pid, start: processStartTime(process.pid) });
  // The lock is a finished file hard-linked into place: a crash can never leave it empty (an empty
  // lock names no owner, so nobody could ever tell it is stale).
  const tmp = `${lockFile}.${process.pid}.${counter++}.tmp`;
  try {
    await fs.writeFile(tmp, mine).catch(async (e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOENT') throw e;
      await fs.mkdir(path.dirname(lockFile), { recursive: true });
      await fs.writeFile(tmp, mine);
    });
    for (;;) {
      try {
        await fs.link(tmp, lockFile);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        if (await ownerGone(lockFile)) await fs.rm(lockFile, { force: true });
        else await new Promise((r) => setTimeout(r, RETRY_MS));
      }
    }
  } catch (e) {
    throw asWriteError(e, lockFile);
  } finally {
    await fs.rm(tmp, { force: true });
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
    // Never half-written (it is linked into place whole): not ours to read, so not a live owner's.
    return true;
  }
}
