// The modules of a phase run that conflict prediction looks at: those that have started, with
// the paths their contracts own (`owns`, else `provides.files`).
import type { PlannedPhase } from '../model';
import type { PhaseRun } from '../run/model';

export interface PredictModule {
  id: string;
  branch: string;
  worktree: string;
  owns: string[];
  base?: string;
}

export function predictionInputs(phase: PlannedPhase, run: PhaseRun): PredictModule[] {
  return run.modules
    .filter((m) => m.state !== 'pending' && m.state !== 'blocked')
    .map((m) => {
      const c = phase.modules.find((x) => x.id === m.id)?.contract;
      const owned = c ? (c.owns.length > 0 ? c.owns : c.provides.filter((p) => p.category === 'files')) : [];
      return { id: m.id, branch: m.branch, worktree: m.worktree, owns: owned.map((o) => o.value), base: m.baseCommit ?? undefined };
    });
}
