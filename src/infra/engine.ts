// The engine's adapters for one repository, shared by the CLI and the extension.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { AgentPort } from '../core/ports';
import type { ConductPorts } from '../core/run/phaseConductor';
import { conductorPaths } from '../core/run/paths';
import { ConductError } from '../core/run/errors';
import { checkWritable } from './fsErrors';
import { GitRunner } from './git/gitRunner';
import { GitRepo } from './git/repo';
import { Worktrees } from './git/worktrees';
import { MergeTree } from './git/mergeTree';
import { waveCheckPort } from './merge/waveCheck';
import { NodeFiles } from './nodeFiles';
import { ShellSetupRunner } from './process/setupRunner';
import { nodeSecrets } from './secrets';
import { PhaseLocks } from './state/phaseLock';
import { StateFile } from './state/stateFile';
import { installHookLauncher } from './status/hookInstaller';
import { WatchedStatusFeed } from './status/statusFeed';

export interface Engine {
  git: GitRunner;
  repo: GitRepo;
  worktrees: Worktrees;
  state: StateFile;
  conductorDir: string;
}

export class NotARepositoryError extends Error {
  readonly reason = 'not-a-repository';
}

export async function openRepository(folder: string): Promise<Engine> {
  const git = new GitRunner();
  const top = await git.run(folder, ['rev-parse', '--show-toplevel'], { readOnly: true, allowExitCodes: [128] });
  if (top.exitCode !== 0) throw new NotARepositoryError(`${folder} is not inside a git repository`);
  const repoRoot = top.stdout.trim();
  const paths = conductorPaths(repoRoot, '');
  return {
    git,
    repo: new GitRepo(repoRoot, git),
    worktrees: new Worktrees(repoRoot, git),
    state: new StateFile(paths.stateFile),
    conductorDir: paths.dir,
  };
}

/** `waves`: where `--validate-waves` checks merge (the worktree root) and whether commands may run. */
export function conductPorts(engine: Engine, agents: AgentPort, waves?: { worktreeRoot: string; trust: boolean }): ConductPorts {
  return {
    repo: engine.repo,
    worktrees: engine.worktrees,
    agents,
    status: new WatchedStatusFeed(engine.conductorDir),
    store: engine.state,
    files: new NodeFiles(),
    setup: new ShellSetupRunner(),
    locks: new PhaseLocks(engine.conductorDir),
    secrets: nodeSecrets,
    now: () => new Date(),
    newRunId: () => randomUUID().slice(0, 8),
    ...(waves ? { waveChecks: waveCheckPort({ git: engine.git, repo: engine.repo, worktrees: engine.worktrees, mergeTree: new MergeTree(engine.repo.root, engine.git), conductorDir: engine.conductorDir }, waves) } : {}),
  };
}

/**
 * What must hold before a phase is conducted, checked before anything is created or started:
 * `.conductor/` can be written (WriteError naming it and the cause otherwise), and the repository has
 * a commit for the worktrees to start from (ConductError). Returns warnings: a sparse checkout, whose
 * patterns every module's worktree inherits.
 */
export async function preflightConduct(engine: Engine): Promise<string[]> {
  await checkWritable(engine.conductorDir, '. Spec Conductor keeps its state, status files, prompts and logs there.');
  const head = await engine.git.run(engine.repo.root, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'], { readOnly: true, allowExitCodes: [1, 128] });
  if (head.exitCode !== 0) {
    throw new ConductError(
      'no-commits',
      `The repository ${engine.repo.root} has no commits yet: every module's worktree starts from a commit. Commit the plan first (git add -A && git commit -m "Plan"), then conduct.`,
    );
  }
  const warnings: string[] = [];
  const sparse = await engine.git.run(engine.repo.root, ['config', '--get', '--bool', 'core.sparseCheckout'], { readOnly: true, allowExitCodes: [1] });
  if (sparse.stdout.trim() === 'true') {
    warnings.push(
      'This checkout is sparse (core.sparseCheckout): git gives every module\'s worktree the same sparse patterns, so agents see only those paths and fail on files outside them. Run "git sparse-checkout disable" to conduct on the whole tree, or make sure the patterns cover everything the phase touches.',
    );
  }
  return warnings;
}

/** Installs `.conductor/bin/conductor-hook`, which runs the bundled hook.js with `nodePath`. */
export async function installHook(engine: Engine, hookScript: string, nodePath = process.execPath): Promise<string> {
  if (!existsSync(hookScript)) throw new Error(`the completion hook ${hookScript} is missing: run "npm run build"`);
  return installHookLauncher({
    dir: conductorPaths(engine.repo.root, '').hookDir,
    nodePath,
    hookScript,
    electron: Boolean(process.versions.electron),
  });
}
