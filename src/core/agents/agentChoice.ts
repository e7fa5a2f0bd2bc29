// The agent a plan names for one module (tasks.csv's `agent` column): a preset, or a command line of
// its own. A command line from a plan is never given to a shell: it is split into words the way a
// test command is (validate/commandLine.ts) and run as that argument vector, so nothing in it is
// ever interpreted (no `$VAR`, no `;`, no `$(…)`). The agent reads $CONDUCTOR_PROMPT_FILE and the
// other CONDUCTOR_* variables from its environment.
import { closest } from '../names';
import type { AgentCommand } from '../ports';
import { parseCommandLine } from '../validate/commandLine';
import { AGENT_PRESETS, resolveAgent, type AgentMode } from './presets';

export type AgentChoice =
  | { kind: 'preset'; preset: string }
  | { kind: 'command'; text: string; argv: string[]; env: Record<string, string> }
  | { kind: 'error'; message: string; unknownName?: boolean };

/** A single word that could be a preset's name (`grok`, `claude-code`): a typo, not a command line. */
const NAME_LIKE = /^[A-Za-z][A-Za-z0-9._-]*$/;

const PRESET_NAMES: readonly string[] = AGENT_PRESETS.filter((p) => p.id !== 'custom').map((p) => p.id);

export function presetNames(): readonly string[] {
  return PRESET_NAMES;
}

/** Reads what a plan wrote for a module's agent (already trimmed and non-empty). */
export function parseAgentChoice(text: string): AgentChoice {
  const name = text.toLowerCase();
  if (PRESET_NAMES.includes(name)) return { kind: 'preset', preset: name };
  if (name === 'custom') {
    return { kind: 'error', message: 'the "custom" agent needs a command line: write the command itself (e.g. `./my-agent.sh`)' };
  }
  if (NAME_LIKE.test(text)) {
    const guess = closest(name, PRESET_NAMES);
    return {
      kind: 'error',
      unknownName: true,
      message:
        `"${text}" is not an agent preset (${PRESET_NAMES.join(', ')})${guess ? `; did you mean "${guess}"?` : '.'} ` +
        `For a program of your own write a command line, e.g. its path (\`./${text}\`) or the program with its arguments`,
    };
  }
  const parsed = parseCommandLine(text);
  if ('error' in parsed) return { kind: 'error', message: `the agent command cannot be run without a shell: ${parsed.error}` };
  if (parsed.steps.length > 1) return { kind: 'error', message: 'the agent must be one command ("&&" runs several): put them in a script and name that' };
  const [step] = parsed.steps;
  const reserved = Object.keys(step.env).filter((k) => k.startsWith('CONDUCTOR_'));
  if (reserved.length > 0) return { kind: 'error', message: `the agent command sets ${reserved.join(', ')}: the CONDUCTOR_* variables are the engine's` };
  return { kind: 'command', text, argv: step.argv, env: step.env };
}

/** The label a choice is recorded and shown as: the preset's name or the command line. */
export function choiceLabel(choice: Extract<AgentChoice, { kind: 'preset' | 'command' }>): string {
  return choice.kind === 'preset' ? choice.preset : choice.text;
}

/** What to run for a valid choice, and variables the command line sets for it. */
export function choiceCommand(
  choice: Extract<AgentChoice, { kind: 'preset' | 'command' }>,
  mode: AgentMode,
): { command: AgentCommand; env: Record<string, string> } | { error: string } {
  if (choice.kind === 'command') return { command: { argv: choice.argv, display: choice.text }, env: choice.env };
  const command = resolveAgent(choice.preset, mode);
  return 'error' in command ? command : { command, env: {} };
}
