// Processes that tests and benchmarks start and must see gone: is one still there, and kill it with
// its process group (agents' shells lead their own groups, one per terminal).
import { readdirSync, readFileSync } from 'node:fs';
import { environHas } from '../../src/infra/process/findLaunched';
export { processAlive as alive } from '../../src/infra/process/processAlive';

/** SIGKILL to the process group led by `pid`, then to `pid` itself; quiet when they are gone. */
export function killGroup(pid: number): void {
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, 'SIGKILL');
    } catch {
      // gone, or not a group leader
    }
  }
}

/**
 * Pids whose environment holds every one of `variables` ("NAME=value", or "NAME=" for any value),
 * from /proc, synchronously so an exit handler can use it. Agents inherit a marker the caller gave
 * the workbench and carry CONDUCTOR_LAUNCH_ID: together they name the agents one run started, even
 * those the state file never recorded (a bench that failed half-way).
 */
export function pidsWithEnvironment(variables: readonly string[]): number[] {
  const found: number[] = [];
  for (const entry of readdirSafe('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    let environ: Buffer;
    try {
      environ = readFileSync(`/proc/${entry}/environ`);
    } catch {
      continue; // gone, or not ours
    }
    if (environHas(environ, variables)) found.push(Number(entry));
  }
  return found;
}

function readdirSafe(folder: string): string[] {
  try {
    return readdirSync(folder);
  } catch {
    return [];
  }
}
