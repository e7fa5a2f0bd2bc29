// Where a new phase run starts: the user's HEAD, or the checkpoints of the phases it depends on —
// the tip when one contains the others, else a merge of them.
import type { Plan, PlannedPhase } from '../model';
import type { StartFrom } from './planStep';

export interface StartPointPorts {
  checkpointCommit(phase: PlannedPhase): Promise<string | null>;
  isAncestor(a: string, b: string): Promise<boolean>;
  mergeCommits(commits: readonly string[], message: string): Promise<{ commit: string } | { conflicts: string[] }>;
}

export type StartPoint = { commit: string | null } | { missing: number[] } | { conflicts: string[] };

export async function resolveStartPoint(plan: Plan, phase: PlannedPhase, from: StartFrom, ports: StartPointPorts): Promise<StartPoint> {
  if (from.kind === 'head') return { commit: null };
  const commits: string[] = [];
  const missing: number[] = [];
  for (const dep of from.phases) {
    const planned = plan.phases.find((p) => p.number === dep.number);
    const commit = planned ? await ports.checkpointCommit(planned) : null;
    if (commit === null) missing.push(dep.number);
    else commits.push(commit);
  }
  if (missing.length > 0) return { missing };
  const tips: string[] = [];
  for (const c of new Set(commits)) {
    let contained = false;
    for (const other of commits) if (other !== c && (await ports.isAncestor(c, other))) contained = true;
    if (!contained) tips.push(c);
  }
  if (tips.length === 1) return { commit: tips[0] };
  const merged = await ports.mergeCommits(tips, `conductor: start of phase ${phase.number} (phases ${from.phases.map((p) => p.number).join(', ')})`);
  return 'conflicts' in merged ? { conflicts: merged.conflicts } : { commit: merged.commit };
}
