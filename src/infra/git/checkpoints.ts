// Checkpoints: `refs/conductor/checkpoints/phase-<N>`, an annotated tag object (not under refs/tags,
// so `git tag` and pushes leave it alone) on the phase's validated integration commit, with the phase
// report as its message. Rollback moves refs to `refs/conductor/backup/<stamp>/…`, never deletes work.
import { BACKUP_REFS } from '../../core/planRun/rollbackPlan';
import type { GitExec } from './gitRunner';

export const CHECKPOINT_PREFIX = 'refs/conductor/checkpoints';
export const BACKUP_PREFIX = BACKUP_REFS;

export function checkpointRef(phaseNumber: number): string {
  return `${CHECKPOINT_PREFIX}/phase-${phaseNumber}`;
}

export class Checkpoints {
  constructor(
    private readonly root: string,
    private readonly git: GitExec,
  ) {}

  async write(phaseNumber: number, commit: string, message: string, now: Date = new Date()): Promise<string> {
    const ref = checkpointRef(phaseNumber);
    const seconds = Math.floor(now.getTime() / 1000);
    const tag = [`object ${commit}`, 'type commit', `tag phase-${phaseNumber}`, `tagger Spec Conductor <conductor@localhost> ${seconds} +0000`, '', message.endsWith('\n') ? message : `${message}\n`].join('\n');
    const made = await this.git.run(this.root, ['mktag'], { input: tag });
    await this.git.run(this.root, ['update-ref', ref, made.stdout.trim()]);
    return ref;
  }

  /** The commit of phase N's checkpoint, or null when it has none. */
  async commitOf(phaseNumber: number): Promise<string | null> {
    const r = await this.git.run(this.root, ['rev-parse', '--verify', '--quiet', `${checkpointRef(phaseNumber)}^{commit}`], { readOnly: true, allowExitCodes: [1, 128] });
    return r.exitCode === 0 ? r.stdout.trim() : null;
  }

  /** The tag's message (the phase report at the time of the checkpoint). */
  async messageOf(phaseNumber: number): Promise<string | null> {
    const r = await this.git.run(this.root, ['for-each-ref', '--format=%(contents)', checkpointRef(phaseNumber)], { readOnly: true });
    return r.stdout === '' ? null : r.stdout;
  }

  /** Copies a ref under the backup prefix (same object), then deletes the original; the backup's name. */
  async backUpAndDelete(ref: string, stamp: string): Promise<string | null> {
    const tip = await this.tipOf(ref);
    if (tip === null) return null;
    const backup = `${BACKUP_PREFIX}/${stamp}/${ref.replace(/^refs\//, '')}`;
    await this.git.run(this.root, ['update-ref', backup, tip]);
    await this.git.run(this.root, ['update-ref', '-d', ref, tip]);
    return backup;
  }

  /** Copies a ref under the backup prefix and leaves it; the backup's name. */
  async backUp(ref: string, stamp: string): Promise<string | null> {
    const tip = await this.tipOf(ref);
    if (tip === null) return null;
    const backup = `${BACKUP_PREFIX}/${stamp}/${ref.replace(/^refs\//, '')}`;
    await this.git.run(this.root, ['update-ref', backup, tip]);
    return backup;
  }

  private async tipOf(ref: string): Promise<string | null> {
    const r = await this.git.run(this.root, ['rev-parse', '--verify', '--quiet', ref], { readOnly: true, allowExitCodes: [1, 128] });
    return r.exitCode === 0 ? r.stdout.trim() : null;
  }
}
