// `conductor clean`: removes conductor worktrees and branches that no run knows about — only those
// whose work is merged or empty; the rest is kept and reported unless forced per module.
import * as path from 'node:path';
import { cleanOrphans } from '../../infra/cleanOrphans';
import { openRepository } from '../engine';
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
  const dryRun = Boolean(flags['dry-run']);
  const results = await cleanOrphans(engine, new Set(flags.force ?? []), dryRun);
  if (flags.json) {
    io.stdout(`${JSON.stringify({ removed: results.filter((r) => r.action === 'remove' && !r.error), kept: results.filter((r) => r.action === 'keep' || r.error), dryRun }, null, 2)}\n`);
  } else if (results.length === 0) {
    io.stdout('No orphaned conductor worktrees or branches, and no worktrees of done phases.\n');
  } else {
    for (const r of results) {
      const where = r.worktree ? ` (${r.worktree})` : '';
      if (r.action === 'keep') io.stdout(`kept     ${r.branch}${where}: ${r.reason}\n`);
      else if (r.error) io.stdout(`failed   ${r.branch}${where}: ${r.error}\n`);
      else if (r.keepBranch) io.stdout(`${dryRun ? 'would remove' : 'removed '} the worktree of ${r.branch}${where}: its phase is done (branch kept)${r.forced ? ' (forced)' : ''}\n`);
      else io.stdout(`${dryRun ? 'would remove' : 'removed '} ${r.branch}${where}${r.forced ? ' (forced)' : ''}\n`);
    }
  }
  return results.some((r) => r.error) ? EXIT.failed : EXIT.ok;
}
