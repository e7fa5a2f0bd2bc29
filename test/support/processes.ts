// Processes that tests and benchmarks start and must see gone: is one still there, and kill it with
// its process group (agents' shells lead their own groups, one per terminal).
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
