// The lock of one phase: `.conductor/locks/<phase>.lock`, created by hard-linking a finished file
// (link never overwrites), so exactly one of two racing callers gets it and no reader sees half of
// it. It names its owner (pid and start time, command, since when, host); a lock whose owner is gone
// is stale and is taken over.
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { HeldLock, LockOwner, LockPort } from '../../core/ports';
import { busyError } from '../../core/run/errors';
import { processStartTime, sameProcessAlive } from '../process/processIdentity';

interface LockFile extends LockOwner {
  startTime: string | null;
  token: string;
}

export class PhaseLocks implements LockPort {
  constructor(
    private readonly conductorDir: string,
    private readonly pid: number = process.pid,
  ) {}

  describe(owner: LockOwner): string {
    return describeOwner(owner);
  }

  lockFile(phaseSlug: string): string {
    return path.join(this.conductorDir, 'locks', `${phaseSlug}.lock`);
  }

  /** The live owner of the phase's lock, or null when it is free (or stale). */
  async holder(phaseSlug: string): Promise<LockOwner | null> {
    const owner = await readLock(this.lockFile(phaseSlug));
    return owner && ownerAlive(owner) ? owner : null;
  }

  async acquire(phaseSlug: string, command: string): Promise<{ lock: HeldLock } | { heldBy: LockOwner }> {
    const file = this.lockFile(phaseSlug);
    await fs.mkdir(path.dirname(file), { recursive: true });
    const mine: LockFile = {
      pid: this.pid,
      startTime: processStartTime(this.pid),
      command,
      since: new Date().toISOString(),
      host: os.hostname(),
      token: `${this.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`,
    };
    for (let tries = 0; tries < 5; tries++) {
      if (await createWhole(file, `${JSON.stringify(mine)}\n`, mine.token)) return { lock: { release: () => release(file, mine.token) } };
      const owner = await readLock(file);
      if (owner && ownerAlive(owner)) return { heldBy: owner };
      await breakStale(file, owner?.token ?? null, mine.token);
    }
    const owner = await readLock(file);
    if (owner) return { heldBy: owner };
    throw new Error(`could not take the lock ${file}`);
  }
}

/** Creates `file` with its whole content at once (written aside, then hard-linked: never half a lock), or false if it exists. */
async function createWhole(file: string, text: string, token: string): Promise<boolean> {
  const temp = `${file}.new-${token}`;
  await fs.writeFile(temp, text);
  try {
    await fs.link(temp, file);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  } finally {
    await fs.rm(temp, { force: true });
  }
}

function ownerAlive(owner: LockFile): boolean {
  // A lock from another machine (a shared folder) cannot be checked: it is believed.
  if (owner.host !== os.hostname()) return true;
  return sameProcessAlive(owner.pid, owner.startTime);
}

async function readLock(file: string): Promise<LockFile | null> {
  try {
    const data = JSON.parse(await fs.readFile(file, 'utf8')) as LockFile;
    return Number.isInteger(data.pid) && typeof data.command === 'string' ? data : null;
  } catch {
    return null;
  }
}

/**
 * Moves a stale lock aside. Between reading it and moving it, another caller may have broken it and
 * taken the lock itself; what was moved is checked, and a live lock moved by mistake is put back.
 */
async function breakStale(file: string, staleToken: string | null, myToken: string): Promise<void> {
  const aside = `${file}.stale-${myToken}`;
  try {
    await fs.rename(file, aside);
  } catch {
    return; // already gone: someone else broke it
  }
  const moved = await readLock(aside);
  if (moved !== null && moved.token !== staleToken) {
    // A fresh lock: restore it unless yet another lock appeared meanwhile (link never overwrites).
    await fs.link(aside, file).catch(() => undefined);
  }
  await fs.rm(aside, { force: true });
}

/** Removes the lock only if it is still ours (a stale-lock breaker may have replaced it). */
async function release(file: string, token: string): Promise<void> {
  const current = await readLock(file);
  if (current?.token === token) await fs.rm(file, { force: true });
}

export function describeOwner(owner: LockOwner): string {
  return `${owner.command} (pid ${owner.pid}${owner.host !== os.hostname() ? ` on ${owner.host}` : ''}, since ${owner.since})`;
}

/** Runs `work` holding the phase's lock; a second caller gets a ConductError('busy') naming the owner. */
export async function withPhaseLock<T>(locks: LockPort, phase: { number: number; slug: string }, command: string, work: () => Promise<T>): Promise<T> {
  const got = await locks.acquire(phase.slug, command);
  if ('heldBy' in got) throw busyError(phase.number, describeOwner(got.heldBy));
  try {
    return await work();
  } finally {
    await got.lock.release();
  }
}

