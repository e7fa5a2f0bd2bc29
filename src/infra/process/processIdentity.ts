// A process is its pid plus its start time: pids are reused, and a lock or an agent record that
// names a dead process's pid must not be taken for a new process that got the same number.
import { readFileSync } from 'node:fs';
import { processAlive } from './processAlive';

/** The process's start time in clock ticks since boot (/proc/<pid>/stat field 22), or null where unknown. */
export function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may contain spaces or parentheses itself.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

/** Alive and, when a start time was recorded and can be read, the same process. */
export function sameProcessAlive(pid: number, startTime: string | null | undefined): boolean {
  if (!processAlive(pid)) return false;
  if (!startTime) return true;
  const now = processStartTime(pid);
  return now === null || now === startTime;
}
