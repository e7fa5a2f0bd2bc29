// Carries a rollback out: later phases' integration branches reset to the checkpoint before them,
// their module branches, checkpoints and old tips kept under refs/conductor/backup/<stamp>/, their
// files (status, prompts, logs, merge results) moved to .conductor/backup/<stamp>/, their records
// dropped. Nothing is deleted; the user's checkout is not touched.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { integrationBranch, integrationWorktree } from '../../core/merge/planMerge';
import type { RollbackPlan } from '../../core/planRun/rollbackPlan';
import { conductorPaths } from '../../core/run/paths';
import type { Engine } from '../engine';
import { Checkpoints, checkpointRef } from '../git/checkpoints';
import { busyError } from '../../core/run/errors';
import { describeOwner, PhaseLocks } from '../state/phaseLock';

export interface RollbackResult {
  target: string;
  backups: string[];
  removedWorktrees: string[];
}

export class RollbackRefused extends Error {
  readonly reason = 'rollback-refused';

  /** `dirtyWorktree`: the worktree whose uncommitted changes stopped it (forcing discards them). */
  constructor(
    message: string,
    readonly dirtyWorktree: string | null = null,
  ) {
    super(message);
  }
}

export async function rollback(engine: Engine, plan: RollbackPlan, options: { worktreeRoot: string; force: boolean; stamp: string }): Promise<RollbackResult> {
  const checkpoints = new Checkpoints(engine.repo.root, engine.git);
  const target = plan.toCheckpointOf ? await checkpoints.commitOf(plan.toCheckpointOf.number) : plan.baseCommit;
  if (!target) throw new RollbackRefused(plan.toCheckpointOf ? `phase ${plan.toCheckpointOf.number}'s checkpoint ${checkpointRef(plan.toCheckpointOf.number)} is missing` : 'the first phase has no recorded base commit');
  const state = await engine.state.read();
  const locks = new PhaseLocks(engine.conductorDir);
  const held = [];
  try {
    // Nobody conducts or merges these phases meanwhile, and their worktrees hold no unsaved work.
    for (const phase of plan.phases) {
      const got = await locks.acquire(phase.slug, `conductor rollback ${plan.phases[0].number}`);
      if ('heldBy' in got) throw busyError(phase.number, describeOwner(got.heldBy));
      held.push(got.lock);
    }
    const worktrees = new Set((await engine.worktrees.list()).map((w) => path.resolve(w.path)));
    const toRemove: string[] = [];
    for (const phase of plan.phases) {
      const run = state.phases[phase.slug];
      for (const p of [...(run?.modules.map((m) => m.worktree) ?? []), integrationWorktree(options.worktreeRoot, phase.slug)]) {
        if (!worktrees.has(path.resolve(p))) continue;
        if (!options.force && (await engine.worktrees.isDirty(p))) {
          throw new RollbackRefused(`the worktree ${p} has uncommitted changes; commit them (they are kept on a backup ref) or pass --force to discard them`, p);
        }
        toRemove.push(p);
      }
    }
    for (const p of toRemove) await engine.worktrees.remove(p, { force: options.force });

    const backups: string[] = [];
    const keep = (ref: string | null): void => {
      if (ref) backups.push(ref);
    };
    for (const phase of plan.phases) {
      const run = state.phases[phase.slug];
      const integration = `refs/heads/${integrationBranch(phase.slug)}`;
      keep(await checkpoints.backUp(integration, options.stamp));
      if ((await engine.repo.refTip(integration)) !== null) await engine.git.run(engine.repo.root, ['update-ref', integration, target]);
      keep(await checkpoints.backUpAndDelete(checkpointRef(phase.number), options.stamp));
      for (const m of run?.modules ?? []) keep(await checkpoints.backUpAndDelete(`refs/heads/${m.branch}`, options.stamp));
      await moveAside(engine, phase.slug, options.stamp);
    }
    await engine.state.removePhases(plan.phases.map((p) => p.slug));
    return { target, backups, removedWorktrees: toRemove };
  } finally {
    for (const lock of held) await lock.release();
  }
}

/** The phase's status lines, prompts, logs and merge files, out of the way of its next run. */
async function moveAside(engine: Engine, slug: string, stamp: string): Promise<void> {
  const paths = conductorPaths(engine.repo.root, slug);
  const dir = paths.dir;
  const items = [paths.phaseStatusDir, path.join(dir, 'prompts', slug), path.join(dir, 'logs', slug), path.join(dir, 'merge', `${slug}.json`), path.join(dir, 'merge', `${slug}.journal.jsonl`)];
  for (const from of items) {
    const to = path.join(dir, 'backup', stamp, path.relative(dir, from));
    try {
      await fs.mkdir(path.dirname(to), { recursive: true });
      await fs.rename(from, to);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
}
