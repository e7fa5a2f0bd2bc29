// Everything an agent needs in place before it is spawned: the preset or the module's own agent,
// copied files, its environment (git folders, identity, status file, token), the setup command on
// a first attempt, its prompt in a file, its status folder and Claude Code's completion hook.
import { buildPrompt } from '../agents/prompt';
import { integrationBranch } from '../merge/planMerge';
import type { Plan, PlannedModule, PlannedPhase } from '../model';
import type { ConductOptions, ConductPorts } from './conductTypes';
import type { Action } from './decide';
import type { PhaseDiscoveries } from './discoveryRecorder';
import { agentLaunchEnv } from './launchEnv';
import type { ModuleRecord, PhaseRun } from './model';
import { contextFolder, forAgent, installClaudeHook, moduleLaunchChoice, type ModuleLaunchChoice, type RunAgent } from './moduleLaunch';
import type { ConductorPaths } from './paths';

export interface LaunchContext {
  plan: Plan;
  phase: PlannedPhase;
  run: PhaseRun;
  ports: ConductPorts;
  options: ConductOptions;
  paths: ConductorPaths;
  runAgent: RunAgent;
  discoveries: PhaseDiscoveries;
  note(text: string): void;
}

export interface PreparedLaunch {
  choice: ModuleLaunchChoice;
  env: Record<string, string>;
  cwd: string;
  launchId: string;
  token: string;
}

/** Throws (with a message for the module's record) when the module cannot start. */
export async function prepareLaunch(ctx: LaunchContext, action: Extract<Action, { type: 'start' }>, m: ModuleRecord, planned: PlannedModule): Promise<PreparedLaunch> {
  const { ports, options, paths, run } = ctx;
  const choice = moduleLaunchChoice(planned, ctx.runAgent);
  if ('error' in choice) throw new Error(choice.error);
  for (const file of options.copyFiles) {
    await ports.files.copyIfMissing(`${ports.repo.root}/${file}`, `${m.worktree}/${file}`);
  }
  const git = await ports.repo.agentGitContext(m.worktree);
  const launchId = `${run.runId}-${m.id}-${action.attempt}-${ports.newRunId()}`;
  const token = ports.secrets.newToken();
  const env = { ...choice.env, ...agentLaunchEnv({ run, module: forAgent(m, choice.agent, run.agent), attempt: action.attempt, paths, hookPath: options.hookPath, git, launchId, token }) };
  const cwd = await contextFolder(ports.files, m.worktree, choice.contextPath);
  if (options.setupCommand && action.attempt === 1) {
    const setup = await ports.setup.run(options.setupCommand, m.worktree, env, paths.logFile(m.id));
    if (setup.code !== 0) throw new Error(`the setup command exited with ${setup.code ?? 'a signal'}`);
  }
  const prompt = buildPrompt({
    plan: ctx.plan,
    phase: ctx.phase,
    module: planned,
    worktree: m.worktree,
    attempt: action.attempt,
    previousSummary: action.previousSummary,
    template: options.promptTemplate,
    fixFindings: m.fixFindings ?? null,
    integrationBranch: m.fixFindings ? integrationBranch(ctx.phase.slug) : null,
    discoveries: ctx.discoveries.recorder.all,
    discoveriesFile: ctx.discoveries.label,
  });
  for (const w of prompt.warnings) ctx.note(`prompt template: ${w}`);
  await ports.files.write(paths.promptFile(m.id), prompt.text);
  // Agents may append to their status file themselves: its folder must be there before they start.
  await ports.files.ensureDir(paths.phaseStatusDir);
  if (choice.nativeHook === 'claude') await installClaudeHook(ports, m, choice.contextPath, ctx.note);
  return { choice, env, cwd, launchId, token };
}
