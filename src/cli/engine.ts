// Builds the engine's adapters for one repository (the CLI's composition root).
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type { ConductPorts } from '../core/run/phaseConductor';
import { conductorPaths } from '../core/run/paths';
import { GitRunner } from '../infra/git/gitRunner';
import { GitRepo } from '../infra/git/repo';
import { Worktrees } from '../infra/git/worktrees';
import { NodeFiles } from '../infra/nodeFiles';
import { ChildAgentPort } from '../infra/process/childAgentPort';
import { ShellSetupRunner } from '../infra/process/setupRunner';
import { StateFile } from '../infra/state/stateFile';
import { installHookLauncher } from '../infra/status/hookInstaller';
import { WatchedStatusFeed } from '../infra/status/statusFeed';
import { UsageError } from './io';

export interface Engine {
  git: GitRunner;
  repo: GitRepo;
  worktrees: Worktrees;
  state: StateFile;
  conductorDir: string;
}

export async function openRepository(root: string): Promise<Engine> {
  const git = new GitRunner();
  const top = await git.run(root, ['rev-parse', '--show-toplevel'], { readOnly: true, allowExitCodes: [128] });
  if (top.exitCode !== 0) throw new UsageError(`${root} is not inside a git repository`);
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

export function conductPorts(engine: Engine, onOutput?: (key: string, line: string) => void): ConductPorts {
  return {
    repo: engine.repo,
    worktrees: engine.worktrees,
    agents: new ChildAgentPort({ onOutput }),
    status: new WatchedStatusFeed(engine.conductorDir),
    store: engine.state,
    files: new NodeFiles(),
    setup: new ShellSetupRunner(),
    now: () => new Date(),
    newRunId: () => randomUUID().slice(0, 8),
  };
}

/** The hook agents call as $CONDUCTOR_HOOK: a launcher in .conductor/bin running dist/hook.js with this node. */
export async function installHook(engine: Engine): Promise<string> {
  const hookScript = path.join(__dirname, 'hook.js');
  if (!existsSync(hookScript)) throw new Error(`the completion hook ${hookScript} is missing: run "npm run build"`);
  return installHookLauncher({ dir: conductorPaths(engine.repo.root, '').hookDir, nodePath: process.execPath, hookScript, electron: Boolean(process.versions.electron) });
}
