// Where a phase conducted alone starts: the checkpoints of the phases it depends on, as in a plan run.
import type { Plan, PlannedPhase } from '../../core/model';
import { startFrom } from '../../core/planRun/planStep';
import { resolveStartPoint } from '../../core/planRun/startPoint';
import type { Engine } from '../engine';
import { Checkpoints } from '../git/checkpoints';

/**
 * A phase conducted alone still builds on the phases it depends on: their checkpoints when they are
 * done; when one is not, its agents start from HEAD, and the user is told.
 */
export async function startCommit(engine: Engine, plan: Plan, phase: PlannedPhase, warn: (text: string) => void): Promise<string | null> {
  const checkpoints = new Checkpoints(engine.repo.root, engine.git);
  const point = await resolveStartPoint(plan, phase, startFrom(plan, phase), {
    checkpointCommit: (p) => checkpoints.commitOf(p.number),
    isAncestor: (a, b) => engine.repo.isAncestorOf(a, b),
    mergeCommits: ([base, ...rest], message) => engine.repo.mergeCommits(base, rest, message),
  });
  if ('commit' in point) return point.commit;
  if ('missing' in point) {
    warn(`phase ${phase.number} depends on phase(s) ${point.missing.join(', ')}, not done (no checkpoint): its agents start from your HEAD, without that work. Conduct Plan (or "conductor run ${point.missing[0]}..${phase.number}") conducts them in order.`);
    return null;
  }
  warn(`the results of phases ${phase.dependsOn.join(', ')} conflict (${point.conflicts.join(', ')}): phase ${phase.number}'s agents start from your HEAD`);
  return null;
}
