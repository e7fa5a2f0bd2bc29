// The completion hook an agent runs to report progress: `"$CONDUCTOR_HOOK" complete --summary "…"`.
// It appends one JSON line to $CONDUCTOR_STATUS_FILE with a single O_APPEND write, so lines from
// concurrent writers never interleave, and takes who is reporting from the environment the engine set.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { AGENT_STATUSES, DISCOVERY_KINDS, isDiscoveryKind, LINE_KINDS, type AgentStatus, type LineKind } from '../../core/status/statusLine';

export interface HookResult {
  exitCode: number;
  /** One line for the user: usage or error text on failure, help text for `--help`. */
  message?: string;
}

/** The JSON shape written per line (snake_case, as in the seed documents). */
export interface StatusLineRecord {
  feature_id: string | null;
  module: string | null;
  phase: string | null;
  status: LineKind;
  ts: string;
  summary: string;
  files_created: string[];
  tests_passing: boolean | null;
  validation_output: string | null;
  gotchas_encountered: string[];
  run_id: string | null;
  attempt: number | null;
  token: string | null;
}

const USAGE =
  `usage: conductor-hook <${AGENT_STATUSES.join('|')}> [--summary TEXT] [--files a,b] [--file PATH]... ` +
  '[--tests-passing true|false] [--validation-output TEXT] [--gotcha TEXT]...\n' +
  `       conductor-hook <${DISCOVERY_KINDS.join('|')}> --summary TEXT   (what you learned, for the agents of later phases; ` +
  'spec-correction: where the spec is wrong)\n' +
  '       conductor-hook claude-event   (run by Claude Code\'s own hooks, with their JSON on stdin)';

const USAGE_ERROR = 2;

interface HookArgs {
  status: LineKind;
  summary: string;
  files: string[];
  testsPassing: boolean | null;
  validationOutput: string | null;
  gotchas: string[];
}

export interface HookIo {
  /** The whole of stdin (read only by subcommands that take input there, e.g. `claude-event`). */
  stdin?: () => string;
}

export function runHook(argv: string[], env: NodeJS.ProcessEnv, io: HookIo = {}): HookResult {
  if (argv.length === 1 && (argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help')) {
    return { exitCode: 0, message: USAGE };
  }
  if (argv[0] === CLAUDE_EVENT) return runClaudeEvent(argv.slice(1), env, io);
  const args = parseHookArgs(argv);
  if (typeof args === 'string') return { exitCode: USAGE_ERROR, message: `conductor-hook: ${args} (conductor-hook --help shows the usage)` };
  return writeStatus(args, env);
}

function writeStatus(args: HookArgs, env: NodeJS.ProcessEnv): HookResult {
  const target = env.CONDUCTOR_STATUS_FILE;
  if (!target) {
    return {
      exitCode: USAGE_ERROR,
      message: 'conductor-hook: CONDUCTOR_STATUS_FILE is not set; run this hook from an agent started by Spec Conductor.',
    };
  }
  const attempt = parseAttempt(env.CONDUCTOR_ATTEMPT);
  if (attempt === undefined) {
    return { exitCode: USAGE_ERROR, message: `conductor-hook: CONDUCTOR_ATTEMPT must be a positive whole number, found ${JSON.stringify(env.CONDUCTOR_ATTEMPT)}.` };
  }

  const record: StatusLineRecord = {
    feature_id: env.CONDUCTOR_FEATURE_ID || null,
    module: env.CONDUCTOR_MODULE || null,
    phase: env.CONDUCTOR_PHASE || null,
    status: args.status,
    ts: new Date().toISOString(),
    summary: args.summary,
    files_created: args.files,
    tests_passing: args.testsPassing,
    validation_output: args.validationOutput,
    gotchas_encountered: args.gotchas,
    run_id: env.CONDUCTOR_RUN_ID || null,
    attempt,
    // The attempt's secret: the engine believes only lines that carry it.
    token: env.CONDUCTOR_TOKEN || null,
  };

  const file = path.resolve(target);
  try {
    appendLine(file, `${JSON.stringify(record)}\n`);
  } catch (e) {
    return { exitCode: 1, message: `conductor-hook: cannot append to ${file}: ${(e as Error).message}` };
  }
  return { exitCode: 0 };
}

// --- `conductor-hook claude-event`: Claude Code's native hooks (settings from presets.ts) ---
//
// Claude Code 2.1.197 runs the hook with one JSON object on stdin, e.g. at the end of a turn
//   {"session_id", "transcript_path", "cwd", "permission_mode", "hook_event_name": "Stop",
//    "stop_hook_active": false, "last_assistant_message": "Done: …", …}
// and when it waits for the user
//   {"session_id", "transcript_path", "cwd", "hook_event_name": "Notification",
//    "notification_type": "idle_prompt" | "permission_prompt" | …, "message": "…"}.
// A turn ending is never completion: Stop → progress, or needs-input when the agent's last message
// asks a question; idle_prompt → needs-input; permission_prompt → needs-input (waiting for approval).
// Exit code 2 would make Claude Code block the stop and feed our message to the model: never used here.

export const CLAUDE_EVENT = 'claude-event';

export interface ClaudeHookPayload {
  hook_event_name?: unknown;
  notification_type?: unknown;
  message?: unknown;
  last_assistant_message?: unknown;
  transcript_path?: unknown;
}

const SUMMARY_MAX = 400;

function oneLine(text: string, max = SUMMARY_MAX): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** The question a message ends with (its last paragraph), or null when it does not end with one. */
export function trailingQuestion(message: string): string | null {
  const text = message.trim().replace(/[\s*_`"')\]»”]+$/u, '');
  if (!/[?？]$/u.test(text)) return null;
  const paragraphs = text.split(/\n\s*\n/);
  return oneLine(paragraphs[paragraphs.length - 1]);
}

type TranscriptBlock = { type?: unknown; text?: unknown; name?: unknown; input?: unknown };

/** The content blocks of the assistant messages in a Claude Code transcript (JSONL), last first. */
function* assistantBlocksFromLast(transcriptJsonl: string): Generator<TranscriptBlock[]> {
  const lines = transcriptJsonl.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    let entry: unknown;
    try {
      entry = JSON.parse(lines[i]);
    } catch {
      continue;
    }
    const e = entry as { type?: unknown; message?: { content?: unknown } } | null;
    if (e?.type !== 'assistant') continue;
    const content = e.message?.content;
    if (typeof content === 'string') yield [{ type: 'text', text: content }];
    else if (Array.isArray(content)) yield content.filter((b): b is TranscriptBlock => typeof b === 'object' && b !== null);
  }
}

/** The text of the last assistant message in a Claude Code transcript (JSONL), or null. */
export function lastAssistantText(transcriptJsonl: string): string | null {
  for (const blocks of assistantBlocksFromLast(transcriptJsonl)) {
    const text = blocks.filter((b) => b.type === 'text' && typeof b.text === 'string').map((b) => b.text as string).join('\n');
    if (text.trim() !== '') return text;
  }
  return null;
}

/** The last tool call in a transcript, as `Bash \`git push origin HEAD\``, or null. */
function lastToolCall(transcriptJsonl: string): string | null {
  for (const blocks of assistantBlocksFromLast(transcriptJsonl)) {
    const call = blocks.filter((b) => b.type === 'tool_use').at(-1);
    if (!call) continue;
    const input = (typeof call.input === 'object' && call.input !== null ? call.input : {}) as Record<string, unknown>;
    const what = [input.command, input.file_path, input.url].find((v): v is string => typeof v === 'string');
    const name = typeof call.name === 'string' ? call.name : 'a tool';
    return what === undefined ? name : `${name} \`${oneLine(what, 200)}\``;
  }
  return null;
}

/** What a Claude Code hook event means for the module, or null when it means nothing to report. */
export function claudeEventReport(payload: ClaudeHookPayload, readTranscript: (file: string) => string | null): { status: AgentStatus; summary: string } | null {
  const event = payload.hook_event_name;
  if (event === 'Stop') {
    let last = typeof payload.last_assistant_message === 'string' ? payload.last_assistant_message : null;
    if (last === null && typeof payload.transcript_path === 'string') {
      const transcript = readTranscript(payload.transcript_path);
      last = transcript === null ? null : lastAssistantText(transcript);
    }
    const question = last === null ? null : trailingQuestion(last);
    if (question !== null) return { status: 'needs-input', summary: question };
    return { status: 'progress', summary: last?.trim() ? `Claude Code ended its turn: ${oneLine(last, 200)}` : 'Claude Code ended its turn' };
  }
  if (event === 'Notification') {
    const message = typeof payload.message === 'string' ? oneLine(payload.message) : '';
    const type = typeof payload.notification_type === 'string' ? payload.notification_type : '';
    if (type === 'permission_prompt' || (type === '' && /permission/i.test(message))) {
      const transcript = typeof payload.transcript_path === 'string' ? readTranscript(payload.transcript_path) : null;
      const call = transcript === null ? null : lastToolCall(transcript);
      return { status: 'needs-input', summary: `Claude Code is waiting for your approval${call ? ` to run ${call}` : ''}${message ? `: ${message}` : ''}` };
    }
    if (type === 'idle_prompt' || (type === '' && /waiting for your input/i.test(message))) {
      return { status: 'needs-input', summary: `Claude Code is waiting for your input${message ? `: ${message}` : ''}` };
    }
    if (type === 'elicitation_dialog') {
      return { status: 'needs-input', summary: `Claude Code is asking you something${message ? `: ${message}` : ''}` };
    }
  }
  return null;
}

function readTranscriptTail(file: string): string | null {
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      const length = Math.min(size, 1024 * 1024);
      const buffer = Buffer.alloc(length);
      fs.readSync(fd, buffer, 0, length, size - length);
      return buffer.toString('utf8');
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return null;
  }
}

function runClaudeEvent(rest: string[], env: NodeJS.ProcessEnv, io: HookIo): HookResult {
  // Exit 1 (never 2): Claude Code shows the message and goes on.
  if (rest.length > 0) return { exitCode: 1, message: `conductor-hook claude-event: unexpected argument ${JSON.stringify(rest[0])} (it reads Claude Code's hook JSON on stdin)` };
  let payload: unknown;
  try {
    payload = JSON.parse(io.stdin?.() ?? '');
  } catch (e) {
    return { exitCode: 1, message: `conductor-hook claude-event: stdin is not Claude Code's hook JSON (${(e as Error).message})` };
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    return { exitCode: 1, message: 'conductor-hook claude-event: stdin is not a JSON object' };
  }
  const report = claudeEventReport(payload as ClaudeHookPayload, readTranscriptTail);
  if (report === null) return { exitCode: 0 };
  const result = writeStatus({ status: report.status, summary: report.summary, files: [], testsPassing: null, validationOutput: null, gotchas: [] }, env);
  return result.exitCode === USAGE_ERROR ? { ...result, exitCode: 1 } : result;
}

/** Parsed arguments, or a one-line description of what is wrong with them. */
export function parseHookArgs(argv: string[]): HookArgs | string {
  const [command, ...rest] = argv;
  if (command === undefined) return 'missing the status';
  if (!(LINE_KINDS as readonly string[]).includes(command)) {
    return `unknown status ${JSON.stringify(command)} (expected ${LINE_KINDS.join(', ')})`;
  }
  const args: HookArgs = { status: command as LineKind, summary: '', files: [], testsPassing: null, validationOutput: null, gotchas: [] };
  const seen = new Set<string>();

  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (!arg.startsWith('--')) return `unexpected argument ${JSON.stringify(arg)}`;
    const eq = arg.indexOf('=');
    const flag = eq >= 0 ? arg.slice(0, eq) : arg;
    // The value is the next argument whatever it looks like: a summary may well start with "-".
    let value: string;
    if (eq >= 0) value = arg.slice(eq + 1);
    else if (i + 1 < rest.length) value = rest[++i];
    else return `${flag} needs a value`;

    const once = (name: string): string | null => {
      if (seen.has(name)) return `${name} given twice`;
      seen.add(name);
      return null;
    };
    switch (flag) {
      case '--summary': {
        const dup = once(flag);
        if (dup) return dup;
        args.summary = value;
        break;
      }
      case '--validation-output': {
        const dup = once(flag);
        if (dup) return dup;
        args.validationOutput = value;
        break;
      }
      case '--tests-passing': {
        const dup = once(flag);
        if (dup) return dup;
        if (value !== 'true' && value !== 'false') return `--tests-passing must be true or false, found ${JSON.stringify(value)}`;
        args.testsPassing = value === 'true';
        break;
      }
      case '--files':
        for (const f of value.split(',')) if (f.trim()) args.files.push(f.trim());
        break;
      case '--file':
        if (value) args.files.push(value);
        break;
      case '--gotcha':
        args.gotchas.push(value);
        break;
      default:
        return `unknown option ${JSON.stringify(flag)}`;
    }
  }
  args.files = [...new Set(args.files)];
  if (isDiscoveryKind(args.status)) {
    // A discovery is its text; the other options describe a module's progress.
    const other = [...seen].find((f) => f !== '--summary') ?? (args.files.length > 0 ? '--files' : args.gotchas.length > 0 ? '--gotcha' : null);
    if (other) return `${args.status} takes only --summary, not ${other}`;
    if (args.summary.trim() === '') return `${args.status} needs --summary with what you found`;
  }
  return args;
}

/** null when unset, undefined when set to something that is not a positive whole number. */
function parseAttempt(raw: string | undefined): number | null | undefined {
  if (raw === undefined || raw === '') return null;
  return /^\d{1,9}$/.test(raw) && Number(raw) >= 1 ? Number(raw) : undefined;
}

/** One write() of the whole line with O_APPEND: the kernel places it at the end in one piece. */
function appendLine(file: string, line: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const data = Buffer.from(line, 'utf8');
  // O_NOFOLLOW: a status file replaced by a symlink (to another module's file, anywhere) is refused.
  const fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT | fs.constants.O_NOFOLLOW, 0o644);
  try {
    let written = fs.writeSync(fd, data, 0, data.length);
    // A short write on a regular file means a full disk or similar; finish rather than leave half a line.
    while (written < data.length) written += fs.writeSync(fd, data, written, data.length - written);
  } finally {
    fs.closeSync(fd);
  }
}
