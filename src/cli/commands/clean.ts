// `conductor clean`: removes conductor worktrees and branches that no run knows about — only those
// whose work is merged or empty; the rest is kept and reported unless forced per module.
import * as path from 'node:path';
import { BRANCH_PREFIX } from '../../core/run/createRun';
import { planClean, type CleanDecision, type OrphanFacts } from '../../core/run/cleanPlan';
import { openRepository, type Engine } from '../engine';
import { EXIT, type CliIo } from '../io';

export const cleanOptions = {
  root: { type: 'string' },
  force: { type: 'string', multiple: true },
  'dry-run': { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

interface CleanFlags {
  root?: string;
  force?: string[];
  'dry-run'?: boolean;
  json?: boolean;
}

export async function cleanCommand(flags: CleanFlags, io: CliIo): Promise<number> {
  const engine = await openRepository(path.resolve(io.cwd, flags.root ?? '.'));
  const decisions = planClean(await orphans(engine), new Set(flags.force ?? []));
  const results: (CleanDecision & { error?: string })[] = [];
  for (const d of decisions) {
    if (d.action === 'keep' || flags['dry-run']) {
      results.push(d);
      continue;
    }
    try {
      if (d.worktree) await engine.worktrees.remove(d.worktree, { force: d.forced });
      await engine.worktrees.deleteBranch(d.branch, d.forced ? { force: true } : { mergedInto: 'HEAD' }).catch(async (e: { reason?: string }) => {
        // Merged into the integration branch but not HEAD: the unmerged count said it is safe.
        if (e.reason === 'unmerged') await engine.worktrees.deleteBranch(d.branch, { force: true });
        else throw e;
      });
      results.push(d);
    } catch (e) {
      results.push({ ...d, error: (e as Error).message });
    }
  }
  await engine.git.run(engine.repo.root, ['worktree', 'prune']);
  if (flags.json) {
    io.stdout(`${JSON.stringify({ removed: results.filter((r) => r.action === 'remove' && !r.error), kept: results.filter((r) => r.action === 'keep' || r.error), dryRun: Boolean(flags['dry-run']) }, null, 2)}\n`);
  } else if (results.length === 0) {
    io.stdout('No orphaned conductor worktrees or branches.\n');
  } else {
    for (const r of results) {
      const where = r.worktree ? ` (${r.worktree})` : '';
      if (r.action === 'keep') io.stdout(`kept     ${r.branch}${where}: ${r.reason}\n`);
      else if (r.error) io.stdout(`failed   ${r.branch}${where}: ${r.error}\n`);
      else io.stdout(`${flags['dry-run'] ? 'would remove' : 'removed '} ${r.branch}${where}${r.forced ? ' (forced)' : ''}\n`);
    }
  }
  return results.some((r) => 'error' in r && r.error) ? EXIT.failed : EXIT.ok;
}

async function orphans(engine: Engine): Promise<OrphanFacts[]> {
  const { state } = await engine.state.load();
  const known = new Set<string>();
  for (const phase of Object.values(state.phases)) {
    known.add(`${BRANCH_PREFIX}/integration/${phase.slug}`);
    for (const m of phase.modules) known.add(m.branch);
  }
  const refs = await engine.git.run(engine.repo.root, ['for-each-ref', '--format=%(refname:short)', `refs/heads/${BRANCH_PREFIX}/`], { readOnly: true });
  const branches = refs.stdout.split('\n').filter((b) => b && !known.has(b) && !b.startsWith(`${BRANCH_PREFIX}/integration/`));
  const worktrees = await engine.worktrees.list();
  const facts: OrphanFacts[] = [];
  for (const branch of branches) {
    const parts = branch.split('/');
    const integration = `${BRANCH_PREFIX}/integration/${parts[1]}`;
    const hasIntegration = (await engine.git.run(engine.repo.root, ['rev-parse', '--verify', '--quiet', `refs/heads/${integration}`], { allowExitCodes: [1], readOnly: true })).exitCode === 0;
    const unmerged = await engine.git.run(engine.repo.root, ['rev-list', '--count', branch, '--not', 'HEAD', ...(hasIntegration ? [integration] : []), '--'], { readOnly: true });
    const wt = worktrees.find((w) => w.branch === branch);
    facts.push({
      branch,
      module: parts[parts.length - 1],
      worktree: wt ? { path: wt.path, missing: wt.prunable, dirty: wt.prunable ? false : await engine.worktrees.isDirty(wt.path) } : null,
      unmergedCommits: Number(unmerged.stdout.trim()) || 0,
    });
  }
  return facts;
}
