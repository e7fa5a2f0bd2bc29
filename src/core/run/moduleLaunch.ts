// What one module runs and where, when the plan chooses for it (tasks.csv's `agent`, `max_turns` and
// `context_path`): the agent's command and label (its stream parser and native hook follow from it),
// the folder it starts in, and the variables that carry its budget. Pure; the context folder is
// checked through the files port, so a symbolic link cannot lead the agent out of its worktree.
import { choiceCommand, choiceLabel, parseAgentChoice } from '../agents/agentChoice';
import { CLAUDE_EVENT_HOOK_COMMAND, CLAUDE_SETTINGS_FILE, mergeClaudeSettings, type AgentMode } from '../agents/presets';
import type { PlannedModule, PlannedPhase } from '../model';
import type { AgentCommand, FilesPort, RepoPort } from '../ports';
import { DONE_STATES, type ModuleRecord, type PhaseRun } from './model';

/** The run's own agent (--agent, the setting) and how plan-named agents are started. */
export interface RunAgent {
  label: string;
  command: AgentCommand;
  nativeHook: 'claude' | null;
  mode: AgentMode;
  /** Agent command lines written in the plan may run (the user trusts the repository). */
  planCommands: boolean;
}

export interface ModuleLaunchChoice {
  /** The preset's name or the command line: recorded with the attempt, and what picks the stream parser. */
  agent: string;
  command: AgentCommand;
  nativeHook: 'claude' | null;
  /**
   * Added to the module's environment: the command line's own `NAME=value` words and
   * CONDUCTOR_MAX_TURNS (digits, or '' for no budget, so one inherited from the engine's own
   * environment never reaches the agent).
   */
  env: Record<string, string>;
  /** Relative folder of the worktree the agent starts in; null for the worktree itself. */
  contextPath: string | null;
}

export function moduleLaunchChoice(module: PlannedModule, run: RunAgent): ModuleLaunchChoice | { error: string } {
  const budget = { CONDUCTOR_MAX_TURNS: module.maxTurns ? String(module.maxTurns.value) : '' };
  const contextPath = module.contextPath?.value ?? null;
  if (!module.agent) {
    if (run.command.argv.length === 0) return { error: 'its row names no agent, and the run has none: choose one (--agent)' };
    return { agent: run.label, command: run.command, nativeHook: run.nativeHook, env: budget, contextPath };
  }
  const choice = parseAgentChoice(module.agent.value);
  if (choice.kind === 'error') return { error: `its agent cannot be started: ${choice.message}` };
  if (choice.kind === 'command' && !run.planCommands) {
    return { error: `its agent is a command line from the plan (${choice.text}); commands from the plan run only in a repository you trust (conductor conduct --trust)` };
  }
  const resolved = choiceCommand(choice, run.mode);
  if ('error' in resolved) return { error: resolved.error };
  const agent = choiceLabel(choice);
  return { agent, command: resolved.command, nativeHook: agent === 'claude' ? 'claude' : null, env: { ...resolved.env, ...budget }, contextPath };
}

/**
 * Why the phase cannot go on without the user's trust: modules still to run (selected, not complete)
 * whose agent is a command line written in the plan.
 */
export function planCommandsRefusal(spec: string, phase: PlannedPhase, run: PhaseRun, only: ReadonlySet<string> | null): string | null {
  const done = new Set(run.modules.filter((m) => DONE_STATES.has(m.state)).map((m) => m.id));
  const commands = phase.modules.filter((m) => m.agent && (!only || only.has(m.id)) && !done.has(m.id) && parseAgentChoice(m.agent.value).kind === 'command');
  if (commands.length === 0) return null;
  const which = commands.map((m) => `${spec}:${m.agent!.line}: ${m.id} runs \`${m.agent!.value}\``).join('; ');
  return `The plan names agent commands of its own (${which}); commands from the plan run only in a repository you trust: pass --trust.`;
}

/**
 * The record as the attempt's environment should see it: a session of another agent cannot be
 * resumed, so it is dropped when the plan changed the module's agent since its last attempt.
 */
export function forAgent(m: ModuleRecord, agent: string, runAgent: string): ModuleRecord {
  return m.sessionId && (m.agent ?? runAgent) !== agent ? { ...m, sessionId: null } : m;
}

/**
 * The folder the agent starts in: the worktree, or its context folder, created when missing. Every
 * part of the path that exists must stay inside the worktree once symbolic links are followed.
 */
export async function contextFolder(files: FilesPort, worktree: string, contextPath: string | null): Promise<string> {
  if (contextPath === null) return worktree;
  const root = await files.realPath(worktree);
  if (root === null) throw new Error(`its worktree ${worktree} is missing`);
  const inside = (real: string): boolean => real === root || real.startsWith(`${root.replace(/\/+$/, '')}/`);
  const escape = (at: string, real: string): Error =>
    new Error(`its context_path "${contextPath}" leads outside its worktree: ${at} is a symbolic link to ${real}`);
  let at = worktree.replace(/\/+$/, '');
  for (const segment of contextPath.split('/')) {
    at = `${at}/${segment}`;
    const real = await files.realPath(at);
    if (real === null) break; // the rest does not exist yet: made below, under folders already checked
    if (!inside(real)) throw escape(at, real);
  }
  const target = `${worktree.replace(/\/+$/, '')}/${contextPath}`;
  await files.ensureDir(target);
  const real = await files.realPath(target);
  if (real === null || !inside(real)) throw escape(target, real ?? '(nothing)');
  return target;
}

/**
 * Claude Code's native hooks report turn ends and waits (never completion); see presets.ts. Claude
 * Code reads `.claude/settings.local.json` in the folder it starts in (its cwd, not the git root),
 * so with a context path the file goes there.
 */
export async function installClaudeHook(
  ports: { files: FilesPort; repo: RepoPort },
  m: ModuleRecord,
  contextPath: string | null,
  note: (text: string) => void,
): Promise<void> {
  const relative = contextPath ? `${contextPath}/${CLAUDE_SETTINGS_FILE}` : CLAUDE_SETTINGS_FILE;
  const file = `${m.worktree}/${relative}`;
  const merged = mergeClaudeSettings(await ports.files.read(file), CLAUDE_EVENT_HOOK_COMMAND);
  if (!merged.ok) {
    // The user's own settings file is not JSON we understand: leave it alone, the prompt still says how to report.
    note(`${m.id}: ${file} was left as it is (${merged.error}); the agent reports through its prompt only.`);
    return;
  }
  if (merged.changed) await ports.files.write(file, merged.text);
  await ports.repo.excludeLocally(`/${relative}`);
}
