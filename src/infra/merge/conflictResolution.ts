// A module's merge conflict resolved by hand, with git in the phase's integration worktree (ours:
// nothing of the user's lives there): `git merge --no-ff --no-commit` leaves the conflict in
// progress (MERGE_HEAD, the index's stages, markers in the files) for an editor to resolve; the
// resolution is committed on the integration branch with the message Merge & Validate writes, so
// the next Merge & Validate finds the module merged and goes on with the rest.
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { PlannedPhase } from '../../core/model';
import { contractFileOf, integrationBranch, integrationWorktree, mergeMessage } from '../../core/merge/planMerge';
import {
  commitRefusal,
  markedFiles,
  markerRanges,
  moduleAt,
  parseUnmerged,
  type ConflictResolutionPort,
  type PrepareOutcome,
  type ResolutionInProgress,
  type UnmergedFile,
} from '../../core/merge/resolution';
import type { PhaseRun } from '../../core/run/model';
import type { GitExec } from '../git/gitRunner';
import type { GitRepo } from '../git/repo';
import type { Worktrees } from '../git/worktrees';
import { MergeJournal } from './journal';

export interface ResolutionDeps {
  git: GitExec;
  repo: GitRepo;
  worktrees: Worktrees;
  conductorDir: string;
}

/** Merge & Validate found a conflict being resolved in the integration worktree (it resets that worktree, so it stops). */
export class ResolutionInProgressError extends Error {
  readonly reason = 'resolution-in-progress';
}

/** The resolution was not committed: `marked` (paths in the integration worktree) still hold conflict markers. */
export class CommitRefusedError extends Error {
  readonly reason = 'markers-left';
  constructor(message: string, readonly marked: string[]) {
    super(message);
  }
}

/** Each file's conflict blocks still in the worktree (1-based lines, markers included); null: the file is not there. */
export async function markersIn(worktree: string, paths: readonly string[]): Promise<{ path: string; file: string; blocks: { startLine: number; endLine: number }[] | null }[]> {
  return Promise.all(
    paths.map(async (p) => {
      const file = path.join(worktree, p);
      const text = await readOrNull(file);
      return { path: p, file, blocks: text === null ? null : markerRanges(text) };
    }),
  );
}

/** MERGE_HEAD of a merge in progress in `worktree`, or null (no merge, or no worktree there). */
export async function mergeHeadAt(git: GitExec, worktree: string): Promise<string | null> {
  if (!existsSync(worktree)) return null;
  const r = await git.run(worktree, ['rev-parse', '--quiet', '--verify', 'MERGE_HEAD^{commit}'], { readOnly: true, allowExitCodes: [1] });
  return r.exitCode === 0 ? r.stdout.trim() : null;
}

export class GitConflictResolution implements ConflictResolutionPort {
  readonly worktree: string;
  private readonly ref: string;

  constructor(
    private readonly deps: ResolutionDeps,
    private readonly phase: PlannedPhase,
    private readonly run: PhaseRun,
    worktreeRoot: string,
  ) {
    this.worktree = integrationWorktree(worktreeRoot, run.slug);
    this.ref = `refs/heads/${integrationBranch(run.slug)}`;
  }

  async prepare(module: string): Promise<PrepareOutcome> {
    const { git, repo } = this.deps;
    const record = this.record(module);
    const tip = await repo.refTip(this.ref);
    if (tip === null) throw new Error(`phase ${this.run.number} has no integration branch yet: run Merge & Validate first`);
    const moduleTip = await repo.refTip(`refs/heads/${record.branch}`);
    if (moduleTip === null) throw new Error(`the branch ${record.branch} of ${module} does not exist (deleted?)`);
    const [ensured] = await this.deps.worktrees.ensure([{ branch: integrationBranch(this.run.slug), path: this.worktree, startPoint: tip }]);
    if (ensured.status === 'failed') throw new Error(`cannot create the integration worktree: ${ensured.message}`);

    const current = await this.inProgress();
    if (current) {
      if (current.module === module) return { kind: 'conflicts', module, worktree: this.worktree, files: current.unmerged, resumed: true };
      throw new Error(`a merge of ${current.module ?? current.mergeHead.slice(0, 8)} is in progress in ${this.worktree}; commit or abort it first`);
    }
    if (await repo.isAncestorOf(moduleTip, tip)) return { kind: 'merged', module, commit: tip, why: `${module} is already merged into ${integrationBranch(this.run.slug)}` };

    // The worktree follows its branch, as Merge & Validate leaves it.
    await git.run(this.worktree, ['reset', '--hard', '--quiet', tip]);
    await git.run(this.worktree, ['clean', '-fdq']);
    const message = mergeMessage(record, contractFileOf(this.phase, module));
    // `refs/heads/…`: a ref git cannot take for an option; it also names the module's side in the markers.
    const merge = await repo.withIdentity((env) =>
      git.run(this.worktree, ['merge', '--no-ff', '--no-commit', '-m', message, `refs/heads/${record.branch}`], { allowExitCodes: [1], env: { ...env, GIT_MERGE_AUTOEDIT: 'no' } }),
    );
    const files = await this.unmerged();
    if (merge.exitCode === 0 || files.length === 0) {
      if (merge.exitCode !== 0) {
        await this.abort();
        throw new Error(`git merge of ${record.branch} stopped without a conflict: ${(merge.stderr || merge.stdout).trim()}`);
      }
      // Nothing conflicts any more (the integration branch moved since): the merge is made as Merge & Validate would.
      const commit = await this.commitMerge(module, message);
      return { kind: 'merged', module, commit, why: `${module} merged without a conflict` };
    }
    return { kind: 'conflicts', module, worktree: this.worktree, files, resumed: false };
  }

  async inProgress(): Promise<ResolutionInProgress | null> {
    const mergeHead = await mergeHeadAt(this.deps.git, this.worktree);
    if (mergeHead === null) return null;
    const tips = await Promise.all(this.run.modules.map(async (m) => ({ module: m.id, tip: await this.deps.repo.refTip(`refs/heads/${m.branch}`) })));
    return { module: moduleAt(mergeHead, tips), mergeHead, unmerged: await this.unmerged() };
  }

  async commit(): Promise<{ module: string; commit: string }> {
    const current = await this.inProgress();
    if (!current) throw new Error(`no merge is in progress in ${this.worktree}`);
    if (current.module === null) throw new Error(`the merge in progress in ${this.worktree} (${current.mergeHead.slice(0, 8)}) is of no module of phase ${this.run.number}; abort it`);
    const texts = await Promise.all(current.unmerged.map(async (f) => ({ path: f.path, text: await readOrNull(path.join(this.worktree, f.path)) })));
    const refusal = commitRefusal(texts);
    if (refusal) throw new CommitRefusedError(refusal, markedFiles(texts));
    // Every tracked change: the resolved files, and any other file the resolution had to touch.
    await this.deps.git.run(this.worktree, ['add', '--update']);
    const left = await this.unmerged();
    if (left.length > 0) throw new Error(`${left.map((f) => f.path).join(', ')} ${left.length === 1 ? 'is' : 'are'} still unmerged`);
    const record = this.record(current.module);
    return { module: current.module, commit: await this.commitMerge(current.module, mergeMessage(record, contractFileOf(this.phase, current.module))) };
  }

  async abort(): Promise<void> {
    if ((await mergeHeadAt(this.deps.git, this.worktree)) === null) return;
    await this.deps.git.run(this.worktree, ['merge', '--abort']);
  }

  /** Commits the merge in progress on the integration branch (no hooks: Merge & Validate's own merges run none either). */
  private async commitMerge(module: string, message: string): Promise<string> {
    const { git, repo } = this.deps;
    const old = await repo.refTip(this.ref);
    await repo.withIdentity((env) => git.run(this.worktree, ['commit', '--no-verify', '--cleanup=strip', '-F', '-'], { input: `${message}\n`, env }));
    const commit = (await git.run(this.worktree, ['rev-parse', 'HEAD'], { readOnly: true })).stdout.trim();
    const journal = new MergeJournal(path.join(this.deps.conductorDir, 'merge', `${this.run.slug}.journal.jsonl`));
    await journal.append({ step: 'intent', module, old: old ?? commit, new: commit });
    await journal.append({ step: 'merged', module, commit });
    return commit;
  }

  private async unmerged(): Promise<UnmergedFile[]> {
    const r = await this.deps.git.run(this.worktree, ['ls-files', '--unmerged', '-z'], { readOnly: true });
    return parseUnmerged(r.stdout);
  }

  private record(module: string): PhaseRun['modules'][number] {
    const record = this.run.modules.find((m) => m.id === module);
    if (!record) throw new Error(`phase ${this.run.number} has no module ${module}`);
    return record;
  }
}

async function readOrNull(file: string): Promise<string | null> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}
