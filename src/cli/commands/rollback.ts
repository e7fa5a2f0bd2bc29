// `conductor rollback <phase>`: the plan goes back to the checkpoint of the phase before it.
import * as path from 'node:path';
import { backupStamp, planRollback } from '../../core/planRun/rollbackPlan';
import { defaultWorktreeRoot } from '../../core/run/createRun';
import { ConductError } from '../../core/run/errors';
import { plainText } from '../../core/view/plainText';
import { rollback, RollbackRefused } from '../../infra/planRun/rollback';
import { openRepository } from '../engine';
import { EXIT, UsageError, type CliIo } from '../io';
import { readPlan, specOptions, type SpecFlags } from './specOptions';

export const rollbackOptions = {
  ...specOptions,
  force: { type: 'boolean' },
  'worktree-root': { type: 'string' },
} as const;

interface RollbackFlags extends SpecFlags {
  force?: boolean;
  'worktree-root'?: string;
}

export async function rollbackCommand(flags: RollbackFlags, positionals: string[], io: CliIo): Promise<number> {
  const which = positionals[0]?.replace(/^phase-?/i, '');
  if (!which || !/^\d+$/.test(which)) throw new UsageError('which phase? e.g. "conductor rollback 2" returns to the checkpoint of phase 1');
  const { plan, root } = await readPlan(flags, io);
  const engine = await openRepository(root);
  const decided = planRollback(plan, await engine.state.read(), Number(which));
  if ('error' in decided) throw new UsageError(decided.error);
  try {
    const stamp = backupStamp(new Date());
    const result = await rollback(engine, decided, {
      worktreeRoot: flags['worktree-root'] ? path.resolve(io.cwd, flags['worktree-root']) : defaultWorktreeRoot(engine.repo.root),
      force: Boolean(flags.force),
      stamp,
    });
    const back = decided.toCheckpointOf ? `the checkpoint of phase ${decided.toCheckpointOf.number}` : `where phase ${decided.phases[0].number} started`;
    if (flags.json) io.stdout(`${JSON.stringify({ phases: decided.phases.map((p) => p.number), target: result.target, backups: result.backups, removedWorktrees: result.removedWorktrees }, null, 2)}\n`);
    else {
      io.stdout(`${plainText(`Rolled back phase(s) ${decided.phases.map((p) => p.number).join(', ')} to ${back} (${result.target.slice(0, 8)}); they are pending again.`)}\n`);
      if (result.removedWorktrees.length > 0) io.stdout(`Removed worktrees: ${result.removedWorktrees.map(plainText).join(', ')}\n`);
      if (result.backups.length > 0) io.stdout(`Kept under refs/conductor/backup/${stamp}/: ${result.backups.length} ref(s) (git for-each-ref refs/conductor/backup/${stamp})\n`);
    }
    return EXIT.ok;
  } catch (e) {
    if (e instanceof RollbackRefused || e instanceof ConductError) {
      io.stderr(`conductor: ${e.message}\n`);
      return EXIT.failed;
    }
    throw e;
  }
}
