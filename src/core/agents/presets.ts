// Agent presets: how to start each known AI coding CLI in a module's worktree.
//
// The prompt never appears in a command line we build. Every preset runs a FIXED /bin/sh script that
// reads the prompt from "$CONDUCTOR_PROMPT_FILE" at run time and passes it to the agent as one
// double-quoted argument, so quotes, `$(…)`, backticks or newlines in spec text are just bytes.
// `$(cat … && printf x)` plus `${p%x}` keeps trailing newlines that a bare `$(cat …)` would strip.
//
// Flags used (checked against each tool's documentation):
//
// | preset | headless                                  | interactive                         | notes                                      |
// |--------|-------------------------------------------|-------------------------------------|--------------------------------------------|
// | claude | `claude -p` (`--print`): answer and exit  | `claude <prompt>`: REPL with a first | `--permission-mode acceptEdits` approves    |
// |        |                                           | prompt                              | file edits only; Bash still needs approval, |
// |        |                                           |                                     | so `--allowedTools` pre-approves git add/   |
// |        |                                           |                                     | commit and the hook. `--` ends options, so  |
// |        |                                           |                                     | a prompt starting with "-" stays a prompt.  |
// | codex  | `codex exec <prompt>`: non-interactive    | `codex <prompt>`: TUI with a first   | `--full-auto` = sandbox workspace-write +   |
// |        |                                           | prompt                              | no approval stops. That sandbox keeps .git  |
// |        |                                           |                                     | (and a worktree's gitdir) read-only and     |
// |        |                                           |                                     | blocks writes outside the worktree: commits |
// |        |                                           |                                     | and the hook may fail; use a custom command |
// |        |                                           |                                     | with `--sandbox danger-full-access` if so.  |
// | gemini | `gemini --prompt=<p>` (`-p`): headless    | `--prompt-interactive=<p>` (`-i`):   | `--yolo` (`-y`) auto-approves every action  |
// |        |                                           | run, then stay interactive          | (newer releases also accept                 |
// |        |                                           |                                     | `--approval-mode=yolo`). The `=` form keeps |
// |        |                                           |                                     | a prompt starting with "-" a value.         |
// | qwen   | `qwen --prompt=<p>`: one-shot headless run | `--prompt-interactive=<p>` (`-i`):   | `--approval-mode auto-edit` approves file   |
// |        | (`-p` is marked deprecated in 0.15.10 but | run, then stay interactive          | edits only; `--allowed-tools` pre-approves  |
// |        | works; a positional prompt after `--` is  |                                     | `run_shell_command(git add)`, `(git commit)`|
// |        | not read). `--output-format stream-json`: |                                     | and `(conductor-hook)` (prefix match on the |
// |        | one JSON event a line (streams/qwen.ts)   |                                     | command). Anything else is refused at once  |
// |        |                                           |                                     | headless, asked for interactively. Qwen adds|
// |        |                                           |                                     | a Co-authored-by trailer and a git note     |
// |        |                                           |                                     | (refs/notes/ai-attribution) to its commits. |
// | aider  | `aider --message-file <f>` (`-f`): send   | `aider --read <f>`: chat with the    | `--yes-always` answers every confirmation;  |
// |        | the file's text, apply edits, exit        | prompt file loaded read-only        | aider commits its own edits by default.     |
// | custom | the user's command line, run by `/bin/sh -c` (trusted configuration, never spec text)                         |

import type { AgentCommand } from '../ports';

export type AgentMode = 'headless' | 'interactive';

export type AgentPresetId = 'claude' | 'codex' | 'gemini' | 'qwen' | 'aider' | 'custom';

export interface AgentPresetInfo {
  id: AgentPresetId;
  label: string;
  description: string;
  /** The executable that must be on PATH, or null for `custom`. */
  executable: string | null;
  /** argv per mode; null for `custom`, whose command line comes from the user. */
  headless: string[] | null;
  interactive: string[] | null;
}

/** Reads the prompt file into $p byte-for-byte (trailing newlines included); exits if it cannot. */
const READ_PROMPT = 'set -e; p=$(cat -- "$CONDUCTOR_PROMPT_FILE" && printf x); p=${p%x}';

/** Each entry is the text after `exec ` in the fixed script; "$p" is the prompt, one argument. */
const CLAUDE_ALLOWED = `--allowedTools 'Bash(git add:*)' 'Bash(git commit:*)' 'Bash("$CONDUCTOR_HOOK":*)'`;

const QWEN_ALLOWED = `--allowed-tools 'run_shell_command(git add)' 'run_shell_command(git commit)' 'run_shell_command(conductor-hook)'`;

interface PresetDef {
  id: Exclude<AgentPresetId, 'custom'>;
  label: string;
  description: string;
  executable: string;
  headless: string;
  interactive: string;
}

const DEFS: readonly PresetDef[] = [
  {
    id: 'claude',
    label: 'Claude Code',
    description: 'Anthropic Claude Code CLI (`claude`); file edits auto-approved, git add/commit and the hook pre-approved.',
    executable: 'claude',
    headless: `claude -p --permission-mode acceptEdits ${CLAUDE_ALLOWED} -- "$p"`,
    interactive: `claude --permission-mode acceptEdits ${CLAUDE_ALLOWED} -- "$p"`,
  },
  {
    id: 'codex',
    label: 'Codex CLI',
    description: 'OpenAI Codex CLI (`codex`); `--full-auto`: sandboxed workspace writes, no approval stops.',
    executable: 'codex',
    headless: 'codex exec --full-auto -- "$p"',
    interactive: 'codex --full-auto -- "$p"',
  },
  {
    id: 'gemini',
    label: 'Gemini CLI',
    description: 'Google Gemini CLI (`gemini`); `--yolo`: every action auto-approved.',
    executable: 'gemini',
    headless: 'gemini --yolo "--prompt=$p"',
    interactive: 'gemini --yolo "--prompt-interactive=$p"',
  },
  {
    id: 'qwen',
    label: 'Qwen Code',
    description: 'Qwen Code CLI (`qwen`); file edits auto-approved, git add/commit and conductor-hook pre-approved.',
    executable: 'qwen',
    headless: `qwen --approval-mode auto-edit ${QWEN_ALLOWED} --output-format stream-json "--prompt=$p"`,
    interactive: `qwen --approval-mode auto-edit ${QWEN_ALLOWED} "--prompt-interactive=$p"`,
  },
  {
    id: 'aider',
    label: 'Aider',
    description: 'Aider (`aider`); `--yes-always`, commits its own edits.',
    executable: 'aider',
    headless: 'aider --yes-always --message-file "$CONDUCTOR_PROMPT_FILE"',
    interactive: 'aider --yes-always --read "$CONDUCTOR_PROMPT_FILE"',
  },
];

const USES_PROMPT = /\$p\b/;

function scriptFor(line: string): string[] {
  // Aider reads the file itself; the others need the prompt read into "$p" first.
  const script = USES_PROMPT.test(line) ? `${READ_PROMPT}; exec ${line}` : `exec ${line}`;
  return ['/bin/sh', '-c', script];
}

/** The preset's command line for logs and previews, with the prompt shown as a placeholder. */
function displayOf(line: string): string {
  return line.replace(/"(--[a-z-]+=)?\$p"/g, (_m, flag?: string) => `${flag ?? ''}<prompt>`);
}

export const AGENT_PRESETS: readonly AgentPresetInfo[] = [
  ...DEFS.map(
    (d): AgentPresetInfo => ({
      id: d.id,
      label: d.label,
      description: d.description,
      executable: d.executable,
      headless: scriptFor(d.headless),
      interactive: scriptFor(d.interactive),
    }),
  ),
  {
    id: 'custom',
    label: 'Custom command',
    description:
      'Your own command line, run with /bin/sh -c in the worktree. Read the prompt from "$CONDUCTOR_PROMPT_FILE" ' +
      'and report with "$CONDUCTOR_HOOK" complete --summary "…".',
    executable: null,
    headless: null,
    interactive: null,
  },
];

export function isPresetId(value: string): value is AgentPresetId {
  return AGENT_PRESETS.some((p) => p.id === value);
}

/**
 * The command for a preset name (trimmed, any case) or, for anything else, a custom command line.
 * The custom text comes from the user's settings or CLI flags (trusted configuration), never from
 * spec files. A bare preset name always means the preset; write e.g. `command claude` for the CLI alone.
 */
export function resolveAgent(spec: string, mode: AgentMode): AgentCommand | { error: string } {
  const text = spec.trim();
  if (text === '') {
    return { error: `No agent configured: use one of ${presetList()}, or a command line of your own.` };
  }
  const name = text.toLowerCase();
  if (name === 'custom') {
    return { error: 'The "custom" agent needs a command line: write the command itself instead of "custom".' };
  }
  const def = DEFS.find((d) => d.id === name);
  if (def) {
    const line = mode === 'headless' ? def.headless : def.interactive;
    return { argv: scriptFor(line), display: displayOf(line) };
  }
  if (text.includes('\0')) return { error: 'The agent command line contains a NUL character.' };
  return { argv: ['/bin/sh', '-c', text], display: text };
}

function presetList(): string {
  return DEFS.map((d) => d.id).join(', ');
}

// --- Claude Code native Stop hook ---

/** Run by Claude Code when it finishes, so a session that forgets to report still reports. */
export const CLAUDE_STOP_HOOK_COMMAND = '"$CONDUCTOR_HOOK" complete --summary "Claude Code session ended"';

export const CLAUDE_SETTINGS_FILE = '.claude/settings.local.json';

export interface NativeHookSettings {
  /** Relative to the worktree. */
  path: string;
  /** The hook command to merge into an existing file with mergeClaudeSettings. */
  hookCommand: string;
  /** The file's content when it does not exist yet. */
  content: string;
}

/** Settings that make the agent report completion by itself, or null when the preset has none. */
export function nativeHookSettings(preset: string): NativeHookSettings | null {
  if (preset.trim().toLowerCase() !== 'claude') return null;
  const merged = mergeClaudeSettings(null, CLAUDE_STOP_HOOK_COMMAND);
  // Merging into nothing cannot fail.
  return { path: CLAUDE_SETTINGS_FILE, hookCommand: CLAUDE_STOP_HOOK_COMMAND, content: merged.ok ? merged.text : '' };
}

export type MergeSettingsResult = { ok: true; text: string; changed: boolean } | { ok: false; error: string };

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isObject(v: unknown): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Adds a `Stop` hook running `hookCommand` to Claude Code settings, keeping every other key and hook.
 * Already present: the text is returned unchanged. Claude Code's format:
 * `{"hooks": {"Stop": [{"hooks": [{"type": "command", "command": "…"}]}]}}`.
 */
export function mergeClaudeSettings(existingJsonText: string | null, hookCommand: string): MergeSettingsResult {
  const source = existingJsonText?.replace(/^\uFEFF/, '') ?? '';
  let settings: Record<string, Json> = {};
  if (source.trim() !== '') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(source);
    } catch (e) {
      return { ok: false, error: `${CLAUDE_SETTINGS_FILE} is not valid JSON (${(e as Error).message}); fix or remove it.` };
    }
    if (!isObject(parsed)) return { ok: false, error: `${CLAUDE_SETTINGS_FILE} must contain a JSON object.` };
    settings = parsed;
  }

  const hooks = settings.hooks ?? {};
  if (!isObject(hooks)) return { ok: false, error: `${CLAUDE_SETTINGS_FILE}: "hooks" must be an object.` };
  const stop = hooks.Stop ?? [];
  if (!Array.isArray(stop)) return { ok: false, error: `${CLAUDE_SETTINGS_FILE}: "hooks.Stop" must be a list.` };

  const present = stop.some(
    (group) =>
      isObject(group) &&
      Array.isArray(group.hooks) &&
      group.hooks.some((h) => isObject(h) && h.type === 'command' && h.command === hookCommand),
  );
  if (present && existingJsonText !== null) return { ok: true, text: existingJsonText, changed: false };

  const next: Record<string, Json> = {
    ...settings,
    hooks: { ...hooks, Stop: [...stop, { hooks: [{ type: 'command', command: hookCommand }] }] },
  };
  return { ok: true, text: `${JSON.stringify(next, null, 2)}\n`, changed: true };
}
