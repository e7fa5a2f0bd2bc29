// The plan run's ports on a real repository: the state file, git, Merge & Validate under the phase
// lock, checkpoints and worktree removal. Conducting a phase is the front end's (it owns the agents).
import * as path from 'node:path';
import type { PlannedPhase } from '../../core/model';
import { integrationBranch } from '../../core/merge/planMerge';
import type { PhaseConductHandle, PlanPorts } from '../../core/planRun/planPorts';
import type { MergeOutcome } from '../../core/planRun/outcome';
import type { PhaseRun } from '../../core/run/model';
import type { Engine } from '../engine';
import { Checkpoints } from '../git/checkpoints';
import { MergeTree } from '../git/mergeTree';
import { bringInto, mergePhase, writeMergeResult, type MergeResult } from '../merge/phaseMerge';
import { writePhaseReport } from '../report/writeReport';
import { PhaseLocks, withPhaseLock } from '../state/phaseLock';

export interface PlanPortOptions {
  worktreeRoot: string;
  trust: boolean;
  /** Test commands instead of each phase's own (`--test`); empty: the phase's. */
  testCommands: readonly string[];
  conduct(phase: PlannedPhase, options: { startFrom: string | null; approve: boolean }): PhaseConductHandle;
  note(text: string): void;
  /** Each Merge & Validate's result, as it is written (the editor shows it). */
  merged?(slug: string, result: MergeResult): void;
}

/** The phase's checkpoint on its validated integration commit, with its report as the message. */
export async function writePhaseCheckpoint(engine: Engine, phase: PlannedPhase, run: PhaseRun, commit: string): Promise<string> {
  const report = await writePhaseReport(engine, phase, run);
  return new Checkpoints(engine.repo.root, engine.git).write(phase.number, commit, `Spec Conductor checkpoint: phase ${phase.number} (${phase.name}) validated\n\n${report.markdown}`);
}

/** A phase merged and validated outside a plan run (`merge`, Merge & Validate) is done all the same. */
export async function recordPhaseDone(engine: Engine, phase: PlannedPhase, run: PhaseRun, commit: string): Promise<string> {
  const checkpoint = await writePhaseCheckpoint(engine, phase, run, commit);
  const now = new Date().toISOString();
  const progress = run.progress ?? { state: 'done' as const, fixRound: 0, startedFrom: run.baseCommit, integrationCommit: null, checkpoint: null, reason: null, unowned: [], signature: null, updatedAt: now };
  await engine.state.savePhase({ ...run, progress: { ...progress, state: 'done', integrationCommit: commit, checkpoint, reason: null, unowned: [], updatedAt: now } });
  return checkpoint;
}

export function planPorts(engine: Engine, options: PlanPortOptions): PlanPorts {
  const checkpoints = new Checkpoints(engine.repo.root, engine.git);
  return {
    readState: () => engine.state.read(),
    savePhase: (run) => engine.state.savePhase(run),
    resolve: (rev) => engine.repo.resolve(rev),
    isAncestor: (a, b) => engine.repo.isAncestorOf(a, b),
    async mergeCommits(commits, message) {
      const [base, ...rest] = commits;
      return engine.repo.mergeCommits(base, rest, message);
    },
    conduct: (phase, o) => options.conduct(phase, o),
    async merge(phase, run, onValidating): Promise<MergeOutcome> {
      const result = await withPhaseLock(new PhaseLocks(engine.conductorDir), phase, `conductor run (merging phase ${phase.number})`, () =>
        mergePhase(
          phase,
          run,
          { git: engine.git, repo: engine.repo, worktrees: engine.worktrees, mergeTree: new MergeTree(engine.repo.root, engine.git), conductorDir: engine.conductorDir },
          {
            worktreeRoot: options.worktreeRoot,
            trust: options.trust,
            commands: options.testCommands.length > 0 ? options.testCommands : phase.testCommands.map((c) => c.value),
            into: null,
            startFrom: null,
            note: options.note,
            onValidate: onValidating,
          },
        ),
      );
      await writeMergeResult(engine.conductorDir, run.slug, result);
      await writePhaseReport(engine, phase, run);
      options.merged?.(run.slug, result);
      return result;
    },
    prepareConflictFix: (run, module, integrationCommit) => prepareConflictFix(engine, run, module, integrationCommit),
    writeCheckpoint: (phase, run, commit) => writePhaseCheckpoint(engine, phase, run, commit),
    checkpointCommit: (phase) => checkpoints.commitOf(phase.number),
    async removeWorktrees(run: PhaseRun) {
      const kept: string[] = [];
      const listed = new Set((await engine.worktrees.list()).map((w) => path.resolve(w.path)));
      for (const m of run.modules) {
        if (!listed.has(path.resolve(m.worktree))) continue;
        try {
          await engine.worktrees.remove(m.worktree);
        } catch (e) {
          kept.push(`${m.id}: its worktree ${m.worktree} was kept: ${(e as Error).message}`);
        }
      }
      return kept;
    },
    async bringInto(branch, commit) {
      const into = await bringInto({ git: engine.git, repo: engine.repo, worktrees: engine.worktrees, mergeTree: new MergeTree(engine.repo.root, engine.git), conductorDir: engine.conductorDir }, branch, commit, options.note);
      return into!.commit;
    },
    now: () => new Date().toISOString(),
  };
}

/**
 * A module sent back for a conflict: the integration result merged into its worktree (no commit),
 * conflict markers left for its agent; what was done, for the log.
 */
export async function prepareConflictFix(engine: Engine, run: PhaseRun, module: string, integrationCommit: string): Promise<string> {
  const git = (cwd: string, args: string[], allow: number[] = []) => engine.git.run(cwd, args, { allowExitCodes: allow });
  const m = run.modules.find((x) => x.id === module)!;
  const [ensured] = await engine.worktrees.ensure([{ branch: m.branch, path: m.worktree, startPoint: m.branch }]);
  if (ensured.status === 'failed') return `${module}: its worktree could not be made ready for the conflict fix (${ensured.message}); its agent gets the findings only`;
  // A merge left unfinished by an earlier round starts over from the module's own commit.
  await git(m.worktree, ['merge', '--abort'], [128]);
  if (await engine.worktrees.isDirty(m.worktree)) {
    return `${module}: its worktree has uncommitted changes, so ${integrationBranch(run.slug)} was not merged into it; its agent gets the conflict findings and merges itself`;
  }
  const r = await git(m.worktree, ['merge', '--no-ff', '--no-commit', '-m', `conductor: merge ${integrationBranch(run.slug)} into ${module} (fix round)`, integrationCommit], [1]);
  const conflicted = (await git(m.worktree, ['diff', '--name-only', '--diff-filter=U'])).stdout.split('\n').filter(Boolean);
  if (r.exitCode === 0 && conflicted.length === 0) return `${module}: ${integrationBranch(run.slug)} merged into its worktree without conflicts; its agent concludes the merge`;
  return `${module}: ${integrationBranch(run.slug)} merged into its worktree, conflict markers left in ${conflicted.join(', ')} for its agent to resolve`;
}
