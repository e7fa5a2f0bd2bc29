// A process is its pid plus its start time: pids are reused, and a lock or an agent record that
// names a dead process's pid must not be taken for a new process that got the same number.
import { promises as fsp, readFileSync } from 'node:fs';
import { processAlive } from './processAlive';

/**
 * The fields of /proc/<pid>/stat after the command name (field 3, the state, comes first), or null
 * where the process is gone or there is no /proc. The name is in parentheses and may hold spaces or
 * parentheses itself: the fields start after the last ')'.
 */
export function procStat(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** Every process id /proc lists (none where there is no /proc). */
export async function listPids(): Promise<number[]> {
  const entries = await fsp.readdir('/proc').catch(() => [] as string[]);
  return entries.filter((e) => /^\d+$/.test(e)).map(Number);
}

/** The process's start time in clock ticks since boot (/proc/<pid>/stat field 22), or null where unknown. */
export function processStartTime(pid: number): string | null {
  return procStat(pid)?.[19] ?? null;
}

/** Alive and, when a start time was recorded and can be read, the same process. */
export function sameProcessAlive(pid: number, startTime: string | null | undefined): boolean {
  if (!processAlive(pid)) return false;
  if (!startTime) return true;
  const now = processStartTime(pid);
  return now === null || now === startTime;
}
