// `--validate-waves`: the dependencies a later wave builds on, merged afresh from the phase's base by
// Merge & Validate itself — on a scratch integration branch `conductor/integration/<phase>.waves`,
// in its own worktree — and checked with the phase's check and lint commands, expected files and TODO
// scan. Not its tests: a phase's tests may need modules that have not been written yet.
import type { PlannedPhase } from '../../core/model';
import { integrationBranch, integrationWorktree } from '../../core/merge/planMerge';
import type { MergeOutcome } from '../../core/planRun/outcome';
import type { WaveCheckPort } from '../../core/ports';
import type { PhaseRun } from '../../core/run/model';
import { mergePhase, type MergeDeps } from './phaseMerge';

export const waveCheckSlug = (phaseSlug: string): string => `${phaseSlug}.waves`;

export function waveCheckPort(deps: MergeDeps, options: { worktreeRoot: string; trust: boolean }): WaveCheckPort {
  return {
    async check(phase: PlannedPhase, run: PhaseRun, modules: readonly string[]): Promise<MergeOutcome> {
      const only = new Set(modules);
      const slug = waveCheckSlug(run.slug);
      // Each check starts from the phase's base: what an earlier check merged is no part of this one.
      const ref = `refs/heads/${integrationBranch(slug)}`;
      const tip = await deps.repo.refTip(ref);
      if (tip !== null && tip !== run.baseCommit) await deps.repo.compareAndSwap(ref, run.baseCommit, tip);
      return mergePhase(
        { ...phase, modules: phase.modules.filter((m) => only.has(m.id)) },
        { ...run, slug, modules: run.modules.filter((m) => only.has(m.id)) },
        deps,
        { worktreeRoot: options.worktreeRoot, trust: options.trust, commands: [], into: null, startFrom: null },
      );
    },
    async dispose(run: PhaseRun): Promise<void> {
      const slug = waveCheckSlug(run.slug);
      const worktree = integrationWorktree(options.worktreeRoot, slug);
      // Ours alone (nothing of an agent's or the user's lives there): removed with force.
      if ((await deps.worktrees.list()).some((w) => w.path.replace(/\/+$/, '') === worktree)) await deps.worktrees.remove(worktree, { force: true });
      const ref = `refs/heads/${integrationBranch(slug)}`;
      const tip = await deps.repo.refTip(ref);
      if (tip !== null) await deps.git.run(deps.repo.root, ['update-ref', '-d', ref, tip]);
    },
  };
}
