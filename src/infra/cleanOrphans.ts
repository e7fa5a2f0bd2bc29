// Finds and removes orphaned conductor worktrees and branches (see core/run/cleanPlan.ts).
import { BRANCH_PREFIX } from '../core/run/createRun';
import { planClean, type CleanDecision, type OrphanFacts } from '../core/run/cleanPlan';
import type { Engine } from './engine';
import { processesIn } from './process/processesIn';
import { describeOwner, PhaseLocks } from './state/phaseLock';

export type CleanOutcome = CleanDecision & { error?: string };

export async function cleanOrphans(engine: Engine, force: ReadonlySet<string>, dryRun: boolean): Promise<CleanOutcome[]> {
  const decisions = planClean(await findOrphans(engine), force);
  const results: CleanOutcome[] = [];
  for (const d of decisions) {
    if (d.action === 'keep' || dryRun) {
      results.push(d);
      continue;
    }
    try {
      if (d.worktree) await engine.worktrees.remove(d.worktree, { force: d.forced });
      if (d.keepBranch) {
        results.push(d);
        continue;
      }
      await engine.worktrees.deleteBranch(d.branch, d.forced ? { force: true } : { mergedInto: 'HEAD' }).catch(async (e: { reason?: string }) => {
        // Merged into the phase's integration branch but not HEAD: the unmerged count said it is safe.
        if (e.reason === 'unmerged') await engine.worktrees.deleteBranch(d.branch, { force: true });
        else throw e;
      });
      results.push(d);
    } catch (e) {
      results.push({ ...d, error: (e as Error).message });
    }
  }
  await engine.git.run(engine.repo.root, ['worktree', 'prune']);
  return results;
}

async function findOrphans(engine: Engine): Promise<OrphanFacts[]> {
  // A state file that cannot be read is refused (StateFileError): without it, every branch would look orphaned.
  const state = await engine.state.read();
  const known = new Set<string>();
  for (const phase of Object.values(state.phases)) for (const m of phase.modules) known.add(m.branch);
  const refs = await engine.git.run(engine.repo.root, ['for-each-ref', '--format=%(refname:short)', `refs/heads/${BRANCH_PREFIX}/`], { readOnly: true });
  const branches = refs.stdout.split('\n').filter((b) => b && !known.has(b) && !b.startsWith(`${BRANCH_PREFIX}/integration/`));
  const worktrees = await engine.worktrees.list();
  const locks = new PhaseLocks(engine.conductorDir);
  const facts: OrphanFacts[] = [];
  for (const branch of branches) {
    const parts = branch.split('/');
    const integration = `${BRANCH_PREFIX}/integration/${parts[1]}`;
    const hasIntegration = (await engine.repo.refTip(`refs/heads/${integration}`)) !== null;
    const unmerged = await engine.git.run(engine.repo.root, ['rev-list', '--count', branch, '--not', 'HEAD', ...(hasIntegration ? [integration] : []), '--'], { readOnly: true });
    const wt = worktrees.find((w) => w.branch === branch);
    const holder = await locks.holder(parts[1] ?? '');
    facts.push({
      liveProcesses: wt && !wt.prunable ? await processesIn(wt.path) : [],
      lockHolder: holder ? describeOwner(holder) : null,
      branch,
      module: parts[parts.length - 1],
      worktree: wt ? { path: wt.path, missing: wt.prunable, dirty: wt.prunable ? false : await engine.worktrees.isDirty(wt.path) } : null,
      unmergedCommits: Number(unmerged.stdout.trim()) || 0,
    });
  }
  // Done phases' module worktrees (kept with --keep-worktrees): their work is in the checkpoint.
  for (const phase of Object.values(state.phases)) {
    if (phase.progress?.state !== 'done') continue;
    for (const m of phase.modules) {
      const wt = worktrees.find((w) => w.branch === m.branch);
      if (!wt || wt.prunable) continue;
      facts.push({
        liveProcesses: await processesIn(wt.path),
        lockHolder: null,
        branch: m.branch,
        module: m.id,
        worktree: { path: wt.path, missing: false, dirty: await engine.worktrees.isDirty(wt.path) },
        unmergedCommits: 0,
        finishedPhase: true,
      });
    }
  }
  return facts;
}
