// Finding an agent again after the engine crashed between starting it and recording its pid: every
// agent carries its attempt's launch id in its environment (CONDUCTOR_LAUNCH_ID), and /proc shows
// each process's environment to its owner. The group leader is the agent; its children share the id.
import { promises as fs } from 'node:fs';
import { listPids, procStat } from './processIdentity';

export const LAUNCH_ID_VARIABLE = 'CONDUCTOR_LAUNCH_ID';

export interface FoundProcess {
  pid: number;
  /** Leads its own process group (the agent itself, not a child of it). */
  leader: boolean;
}

/**
 * Whether a process's environment (the bytes of /proc/<pid>/environ) holds every one of
 * `variables`: "NAME=value" exactly, or "NAME=" for any value.
 */
export function environHas(environ: Buffer, variables: readonly string[]): boolean {
  // Padded with NUL so the first and last variables match as the others do.
  const padded = Buffer.concat([Buffer.from([0]), environ, Buffer.from([0])]);
  return variables.every((v) => padded.includes(Buffer.from(v.endsWith('=') ? `\0${v}` : `\0${v}\0`)));
}

export async function findLaunched(launchId: string): Promise<FoundProcess[]> {
  const found: FoundProcess[] = [];
  await Promise.all(
    (await listPids()).map(async (pid) => {
      if (pid === process.pid) return;
      const environ = await fs.readFile(`/proc/${pid}/environ`).catch(() => null);
      if (!environ) return;
      if (!environHas(environ, [`${LAUNCH_ID_VARIABLE}=${launchId}`])) return;
      const fields = procStat(pid);
      // fields[0] is the state (Z: a zombie is no agent), fields[2] the process group.
      if (!fields || fields[0] === 'Z') return;
      found.push({ pid, leader: Number(fields[2]) === pid });
    }),
  );
  return found.sort((a, b) => Number(b.leader) - Number(a.leader) || a.pid - b.pid);
}
