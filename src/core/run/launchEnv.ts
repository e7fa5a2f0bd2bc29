// The environment an agent is started with: who it is (module, phase, run, attempt), where its
// prompt and status file are, the hook, and what sandboxed CLIs need to know about git.
import type { AgentGitContext } from '../ports';
import type { ModuleRecord, PhaseRun } from './model';
import type { ConductorPaths } from './paths';

export interface LaunchEnvInput {
  run: PhaseRun;
  module: ModuleRecord;
  attempt: number;
  paths: ConductorPaths;
  hookPath: string;
  git: AgentGitContext;
  launchId: string;
  /** The attempt's secret, written by the hook into every status line. */
  token: string;
}

export function agentLaunchEnv({ run, module: m, attempt, paths, hookPath, git, launchId, token }: LaunchEnvInput): Record<string, string> {
  return {
    CONDUCTOR_MODULE: m.id,
    CONDUCTOR_PHASE: run.slug,
    CONDUCTOR_PHASE_NUMBER: String(run.number),
    CONDUCTOR_FEATURE_ID: m.featureId ?? '',
    CONDUCTOR_WORKTREE: m.worktree,
    CONDUCTOR_PROMPT_FILE: paths.promptFile(m.id),
    CONDUCTOR_STATUS_FILE: paths.statusFile(m.id),
    CONDUCTOR_STATUS_DIR: paths.phaseStatusDir,
    CONDUCTOR_HOOK: hookPath,
    CONDUCTOR_RUN_ID: run.runId,
    CONDUCTOR_ATTEMPT: String(attempt),
    // Finds the agent again after the engine crashed before it could record the pid.
    CONDUCTOR_LAUNCH_ID: launchId,
    CONDUCTOR_TOKEN: token,
    // Where the agent's commits go: sandboxed presets make exactly these writable, never all of .git.
    CONDUCTOR_GIT_DIR: git.gitDir,
    CONDUCTOR_GIT_COMMON_DIR: git.commonDir,
    // The user's identity, for CLIs that hide the user's git config from their shell tool (Gemini).
    ...git.identity,
    // A retry continues the agent's own session where the preset's CLI can resume one.
    ...(attempt > 1 && m.sessionId ? { CONDUCTOR_RESUME_SESSION: m.sessionId } : {}),
  };
}
