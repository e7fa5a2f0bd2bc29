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
// | claude | `claude -p --output-format stream-json   | `claude <prompt>`: REPL with a first | `--permission-mode acceptEdits` approves    |
// |        | --verbose`: answer and exit, one JSON     | prompt. Asks once per new worktree  | file edits inside the worktree only; Bash   |
// |        | event a line (session, usage, denials)    | whether to trust the folder.        | needs approval except the three commands    |
// |        | (checked on Claude Code 2.1.197)          |                                     | `--allowedTools` pre-approves: `git add`,   |
// |        |                                           |                                     | `git commit` and `conductor-hook` (by its   |
// |        |                                           |                                     | plain name: Claude Code refuses any command |
// |        |                                           |                                     | with a `$VAR` in it). Headless, anything    |
// |        |                                           |                                     | else is denied, never asked. `--` ends      |
// |        |                                           |                                     | options, so a prompt starting with "-" stays |
// |        |                                           |                                     | a prompt. Never bypassPermissions (refused  |
// |        |                                           |                                     | as root). A retry resumes the session       |
// |        |                                           |                                     | (`--resume $CONDUCTOR_RESUME_SESSION`).     |
// |        |                                           |                                     | Native hooks: see below.                    |
// | codex  | `codex exec --json <prompt>`:         | `codex <prompt>`: TUI with a first   | `--sandbox workspace-write` keeps the       |
// |        | non-interactive, JSONL events; `exec` | prompt; `--ask-for-approval          | sandbox (0.169.0 has no `--full-auto`).     |
// |        | never asks for approval               | on-request` asks before anything the | `--add-dir` makes exactly these writable    |
// |        |                                       | sandbox refuses; asks once per repo  | besides the worktree: its own gitdir, the   |
// |        |                                       | to trust it                          | common objects/, refs/ and logs/ (so `git   |
// |        |                                       |                                      | commit` works) and the phase's status       |
// |        |                                       |                                      | folder (so the hook works) — never the      |
// |        |                                       |                                      | whole .git (hooks/, config stay read-only). |
// |        | retry: `codex exec resume <id>` when CONDUCTOR_RESUME_SESSION is set (same sandbox flags)                    |
// | gemini | `gemini -o stream-json --prompt=<p>`:     | `--prompt-interactive=<p>` (`-i`):   | Checked on 0.61.0. `--approval-mode=        |
// |        | headless, JSONL events on stdout          | run, then stay interactive          | auto_edit` approves write_file/replace in   |
// |        |                                           |                                     | the workspace; `--allowed-tools=` allows    |
// |        |                                           |                                     | exactly `git add`, `git commit` and         |
// |        |                                           |                                     | `conductor-hook` (each part of a `&&` chain |
// |        |                                           |                                     | is checked); headless, every other shell    |
// |        |                                           |                                     | command is denied (interactive: asked). No  |
// |        |                                           |                                     | `--yolo`. `--skip-trust` trusts the worktree|
// |        |                                           |                                     | for the session (untrusted: exit 55, yolo   |
// |        |                                           |                                     | and auto_edit ignored). `=` forms keep a    |
// |        |                                           |                                     | prompt starting with "-" a value.           |
// |        | retry: `--resume=<id>` when CONDUCTOR_RESUME_SESSION is set, both modes (see RESUME_BY_ID)                   |
// | qwen   | `qwen --prompt=<p>`: one-shot headless run | `--prompt-interactive=<p>` (`-i`):   | `--approval-mode auto-edit` approves file   |
// |        | (`-p` is marked deprecated in 0.15.10 but | run, then stay interactive          | edits only; `--allowed-tools` pre-approves  |
// |        | works; a positional prompt after `--` is  |                                     | `run_shell_command(git add)`, `(git commit)`|
// |        | not read). `--output-format stream-json`: |                                     | and `(conductor-hook)` (prefix match on the |
// |        | one JSON event a line (streams/qwen.ts)   |                                     | command). Anything else is refused at once  |
// |        |                                           |                                     | headless, asked for interactively. Qwen adds|
// |        |                                           |                                     | a Co-authored-by trailer and a git note     |
// |        |                                           |                                     | (refs/notes/ai-attribution) to its commits. |
// |        | retry: `--resume=<id>` when CONDUCTOR_RESUME_SESSION is set, both modes (see RESUME_BY_ID)                   |
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

/** What the claude preset may do without asking, the same in both modes (see the table above). */
const CLAUDE_PERMISSIONS = `--permission-mode acceptEdits --allowedTools 'Bash(git add:*)' 'Bash(git commit:*)' 'Bash(conductor-hook:*)'`;

/**
 * A retry continues the previous attempt's Claude Code session (the engine sets
 * CONDUCTOR_RESUME_SESSION to the session id the stream reported); the new prompt says what failed.
 * Unset: nothing. Set: two arguments, `--resume` and the id, whatever the id holds.
 */
const CLAUDE_RESUME = '${CONDUCTOR_RESUME_SESSION:+--resume "$CONDUCTOR_RESUME_SESSION"}';

/**
 * Gemini CLI: file edits inside the workspace auto-approved (`auto_edit`), and exactly these shell
 * commands; headless, every other shell command is denied. `--skip-trust` trusts the worktree for
 * this session only (an untrusted folder exits 55 headless, or asks, interactive).
 */
const GEMINI_ALLOWED =
  `--approval-mode=auto_edit '--allowed-tools=run_shell_command(git add)' '--allowed-tools=run_shell_command(git commit)' ` +
  `'--allowed-tools=run_shell_command(conductor-hook)' --skip-trust`;

/**
 * Gemini CLI and Qwen Code: a retry resumes the previous attempt's session by the id the stream
 * reported. Gemini 0.61.0's `--resume` takes "latest", an index or a session's full UUID
 * (SessionSelector.findSession), Qwen Code 0.15.10's a session id; both look it up among the
 * sessions of the working folder's project, and a retry runs in the module's same worktree (and
 * HOME). The `=` form keeps the id one value whatever it holds (a word starting with "-" would be a flag).
 */
const RESUME_BY_ID = '${CONDUCTOR_RESUME_SESSION:+"--resume=$CONDUCTOR_RESUME_SESSION"}';

/**
 * Codex's sandbox: workspace-write (the worktree), plus the narrow roots `git commit` in a worktree and
 * the hook need. Never the whole common .git: a sandboxed agent could plant a hook there that later
 * runs unsandboxed.
 */
const CODEX_SANDBOX =
  '-c allow_login_shell=false --sandbox workspace-write --add-dir "$CONDUCTOR_GIT_DIR" --add-dir "$CONDUCTOR_GIT_COMMON_DIR/objects" ' +
  '--add-dir "$CONDUCTOR_GIT_COMMON_DIR/refs" --add-dir "$CONDUCTOR_GIT_COMMON_DIR/logs" --add-dir "$CONDUCTOR_STATUS_DIR"';

const QWEN_ALLOWED = `--allowed-tools 'run_shell_command(git add)' 'run_shell_command(git commit)' 'run_shell_command(conductor-hook)'`;

/**
 * A module's turn budget (tasks.csv `max_turns`), set by the engine in CONDUCTOR_MAX_TURNS as digits
 * only; unset or empty: no flag. Only where the pinned CLI has a flag for it (read in their sources):
 * Claude Code 2.1.197 `--max-turns` (headless only: "only works with --print"); Qwen Code 0.15.10
 * `--max-session-turns` (both modes). Codex 0.169.0 has no turn limit; Gemini CLI 0.61.0 only a
 * settings key (`model.maxSessionTurns`), no flag: for them, and aider, the prompt states the budget.
 */
const CLAUDE_MAX_TURNS = '${CONDUCTOR_MAX_TURNS:+--max-turns "$CONDUCTOR_MAX_TURNS"}';
const QWEN_MAX_TURNS = '${CONDUCTOR_MAX_TURNS:+--max-session-turns "$CONDUCTOR_MAX_TURNS"}';

interface PresetDef {
  id: Exclude<AgentPresetId, 'custom'>;
  label: string;
  description: string;
  executable: string;
  headless: string;
  interactive: string;
}

/** Each entry is the text after `exec ` in the fixed script; "$p" is the prompt, one argument. */
const DEFS: readonly PresetDef[] = [
  {
    id: 'claude',
    label: 'Claude Code',
    description: 'Anthropic Claude Code CLI (`claude`); file edits auto-approved, `git add`, `git commit` and `conductor-hook` pre-approved.',
    executable: 'claude',
    headless: `claude -p --output-format stream-json --verbose ${CLAUDE_RESUME} ${CLAUDE_MAX_TURNS} ${CLAUDE_PERMISSIONS} -- "$p"`,
    interactive: `claude ${CLAUDE_RESUME} ${CLAUDE_PERMISSIONS} -- "$p"`,
  },
  {
    id: 'codex',
    label: 'Codex CLI',
    description:
      'OpenAI Codex CLI (`codex`); sandbox workspace-write: the worktree, its git dirs (not hooks or config) and the status folder are writable.',
    executable: 'codex',
    headless: `codex exec --json ${CODEX_SANDBOX} \${CONDUCTOR_RESUME_SESSION:+resume "$CONDUCTOR_RESUME_SESSION"} -- "$p"`,
    interactive: `codex ${CODEX_SANDBOX} --ask-for-approval on-request -- "$p"`,
  },
  {
    id: 'gemini',
    label: 'Gemini CLI',
    description: 'Google Gemini CLI (`gemini`); file edits auto-approved, git add/commit and the hook pre-approved, the worktree trusted for the session.',
    executable: 'gemini',
    headless: `gemini ${GEMINI_ALLOWED} ${RESUME_BY_ID} -o stream-json "--prompt=$p"`,
    interactive: `gemini ${GEMINI_ALLOWED} ${RESUME_BY_ID} "--prompt-interactive=$p"`,
  },
  {
    id: 'qwen',
    label: 'Qwen Code',
    description: 'Qwen Code CLI (`qwen`); file edits auto-approved, git add/commit and conductor-hook pre-approved.',
    executable: 'qwen',
    headless: `qwen --approval-mode auto-edit ${QWEN_ALLOWED} ${QWEN_MAX_TURNS} ${RESUME_BY_ID} --output-format stream-json "--prompt=$p"`,
    interactive: `qwen --approval-mode auto-edit ${QWEN_ALLOWED} ${QWEN_MAX_TURNS} ${RESUME_BY_ID} "--prompt-interactive=$p"`,
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
  return line
    .replace(/"(--[a-z-]+=)?\$p"/g, (_m, flag?: string) => `${flag ?? ''}<prompt>`)
    .replace(/\$\{CONDUCTOR_RESUME_SESSION:\+([^}]*)\}/g, (_m, words: string) =>
      `[${words.replace(/"/g, '').replace('$CONDUCTOR_RESUME_SESSION', '<session of the previous attempt>')}]`,
    )
    .replace(/\$\{CONDUCTOR_MAX_TURNS:\+(--[a-z-]+) "\$CONDUCTOR_MAX_TURNS"\}/g, '[$1 <max_turns>]');
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

// --- Claude Code native hooks ---
//
// Claude Code runs `conductor-hook claude-event` (infra/status/hookCommand.ts) with the hook's JSON on
// stdin at these events. A turn ending is never completion — only the agent's own report, or the
// process ending with proof, is:
//   Stop                              → progress, or needs-input when the last message asks a question
//   Notification idle_prompt          → needs-input (waiting for the user's next message)
//   Notification permission_prompt    → needs-input (waiting for the user's approval)
// The hook runs by its plain name: the engine puts its folder first on the agent's PATH.

export const CLAUDE_EVENT_HOOK_COMMAND = 'conductor-hook claude-event';

/** The events the hook listens to (a Notification group without matcher: the hook filters by type). */
export const CLAUDE_HOOK_EVENTS = ['Stop', 'Notification'] as const;

/** Hooks written by earlier versions, removed on merge: that Stop hook reported `complete` at every turn end. */
const STALE_CLAUDE_HOOK_COMMANDS = new Set(['"$CONDUCTOR_HOOK" complete --summary "Claude Code session ended"']);

export const CLAUDE_SETTINGS_FILE = '.claude/settings.local.json';

export interface NativeHookSettings {
  /** Relative to the worktree. */
  path: string;
  /** The hook command to merge into an existing file with mergeClaudeSettings. */
  hookCommand: string;
  /** The file's content when it does not exist yet. */
  content: string;
}

/** Settings that make the agent report its turn ends and waits by itself, or null when the preset has none. */
export function nativeHookSettings(preset: string): NativeHookSettings | null {
  if (preset.trim().toLowerCase() !== 'claude') return null;
  const merged = mergeClaudeSettings(null, CLAUDE_EVENT_HOOK_COMMAND);
  // Merging into nothing cannot fail.
  return { path: CLAUDE_SETTINGS_FILE, hookCommand: CLAUDE_EVENT_HOOK_COMMAND, content: merged.ok ? merged.text : '' };
}

export type MergeSettingsResult = { ok: true; text: string; changed: boolean } | { ok: false; error: string };

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isObject(v: unknown): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function runsCommand(group: Json, command: string): boolean {
  return isObject(group) && Array.isArray(group.hooks) && group.hooks.some((h) => isObject(h) && h.type === 'command' && h.command === command);
}

/** The group without the stale hooks; null when nothing of it is left. */
function withoutStale(group: Json): Json | null {
  if (!isObject(group) || !Array.isArray(group.hooks)) return group;
  const kept = group.hooks.filter((h) => !(isObject(h) && h.type === 'command' && typeof h.command === 'string' && STALE_CLAUDE_HOOK_COMMANDS.has(h.command)));
  if (kept.length === group.hooks.length) return group;
  return kept.length > 0 ? { ...group, hooks: kept } : null;
}

/**
 * Adds a hook running `hookCommand` at each of CLAUDE_HOOK_EVENTS to Claude Code settings, keeping
 * every other key and hook, and removes the stale `complete` Stop hook of earlier versions. Already
 * as wanted: the text is returned unchanged. Claude Code's format:
 * `{"hooks": {"Stop": [{"hooks": [{"type": "command", "command": "…"}]}], "Notification": […]}}`.
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
  const next: Record<string, Json> = { ...hooks };
  let changed = false;
  for (const event of CLAUDE_HOOK_EVENTS) {
    const groups = hooks[event] ?? [];
    if (!Array.isArray(groups)) return { ok: false, error: `${CLAUDE_SETTINGS_FILE}: "hooks.${event}" must be a list.` };
    const kept = groups.map(withoutStale).filter((g): g is Json => g !== null);
    if (kept.length !== groups.length || kept.some((g, i) => g !== groups[i])) changed = true;
    if (!kept.some((g) => runsCommand(g, hookCommand))) {
      kept.push({ hooks: [{ type: 'command', command: hookCommand }] });
      changed = true;
    }
    next[event] = kept;
  }
  if (!changed && existingJsonText !== null) return { ok: true, text: existingJsonText, changed: false };
  return { ok: true, text: `${JSON.stringify({ ...settings, hooks: next }, null, 2)}\n`, changed: true };
}
