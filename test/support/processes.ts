// Processes that tests and benchmarks start and must see gone: is one still there, and kill it with
// its process group (agents' shells lead their own groups, one per terminal).
import { readdirSync, readFileSync } from 'node:fs';
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
  const needles = variables.map((v) => Buffer.from(v.endsWith('=') ? `\0${v}` : `\0${v}\0`));
  const found: number[] = [];
  for (const entry of readdirSafe('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    let environ: Buffer;
    try {
      environ = Buffer.concat([Buffer.from([0]), readFileSync(`/proc/${entry}/environ`), Buffer.from([0])]);
    } catch {
      continue; // gone, or not ours
    }
    if (needles.every((n) => environ.includes(n))) found.push(Number(entry));
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
