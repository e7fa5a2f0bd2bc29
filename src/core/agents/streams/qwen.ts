// Qwen Code's headless event stream (`qwen --output-format stream-json`, checked against 0.15.10):
// one JSON object a line.
//
//   {"type":"system","subtype":"init","session_id":"…","model":"…","permission_mode":"auto-edit",…}
//   {"type":"assistant","message":{"content":[{"type":"text"|"tool_use",…}],"usage":{"input_tokens","output_tokens"}},…}
//   {"type":"user","message":{"content":[{"type":"tool_result","tool_use_id","is_error","content"}]},…}
//   {"type":"result","subtype":"success"|"error_…","is_error","num_turns","usage":{…},
//    "permission_denials":[{"tool_name","tool_use_id","tool_input"}],"error":{"message"}}
//
// What it says and how:
// - A tool call refused for lack of permission comes back at once as an error tool result, "Qwen
//   Code requires permission to use "run_shell_command", but that permission was declined
//   (non-interactive mode cannot prompt for confirmation)"; the final `result` lists it again in
//   `permission_denials`. The command is in the assistant's `tool_use` with the same id.
// - API failures do NOT end in an error result: once its retries are spent, Qwen Code turns the error
//   into the assistant's text, `[API Error: 429 <provider message>]` (or `[API Error: Connection
//   error. …]`), ends with a `success` result holding the same text, and exits 0.
// - While it retries a 429 it prints nothing on this stream.
// - At its turn budget (`--max-session-turns`, a module's max_turns) it prints a plain line, "Reached
//   max session turns for this session. Increase the number of turns by specifying maxSessionTurns in
//   settings.json.", with no result event, and exits 53.
import type { AgentSignal, AgentStreamParser } from './signals';

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** The text of a tool result's content: a string or a list of text parts. */
function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((p) => (isObj(p) ? (str(p.text) ?? '') : typeof p === 'string' ? p : '')).join('');
  return '';
}

const MAX_TURNS = /^Reached max session turns for this session\b/;
const DECLINED = /requires permission to use "([^"]+)", but that permission was declined/;
const API_ERROR = /^\[API Error: ([\s\S]*?)\]/;
const LIMIT = /\b429\b|usage limit|rate limit|quota|too many requests/i;
// "resets at 2026-11-26T03:22:32.606Z", "reset at: …", "resets on …".
const RESET_AT = /\breset(?:s)?\s*(?:at|on)?:?\s*(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)/i;

/** The reset time in a limit message, as an ISO string, or null. */
export function resetTimeOf(message: string): string | null {
  const m = RESET_AT.exec(message);
  if (!m) return null;
  const t = Date.parse(m[1]);
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}

/** What the command of a tool call was, for "the agent tried to run `…`". */
function commandOf(tool: string, input: unknown): string {
  if (isObj(input)) {
    const c = str(input.command) ?? str(input.file_path) ?? str(input.path);
    if (c !== undefined) return c;
    return JSON.stringify(input);
  }
  return tool;
}

export class QwenStreamParser implements AgentStreamParser {
  private sessionId: string | null = null;
  private turns = 0;
  private inputTokens = 0;
  private outputTokens = 0;
  private readonly calls = new Map<string, { name: string; input: unknown }>();
  private readonly denied = new Set<string>();
  private apiErrorReported = false;

  line(text: string): AgentSignal[] {
    const t = text.trim();
    if (MAX_TURNS.test(t)) return [{ kind: 'error', message: 'Reached its maximum number of session turns (the module\'s max_turns)' }];
    if (!t.startsWith('{')) return [];
    let event: unknown;
    try {
      event = JSON.parse(t);
    } catch {
      return [];
    }
    if (!isObj(event)) return [];
    const out: AgentSignal[] = [];
    const session = str(event.session_id);
    if (session && session !== this.sessionId) {
      this.sessionId = session;
      out.push({ kind: 'session', sessionId: session });
    }
    switch (event.type) {
      case 'assistant':
        this.assistant(event, out);
        break;
      case 'user':
        this.user(event, out);
        break;
      case 'result':
        this.result(event, out);
        break;
      default:
        break;
    }
    return out;
  }

  private assistant(event: Obj, out: AgentSignal[]): void {
    const message = isObj(event.message) ? event.message : {};
    const content = Array.isArray(message.content) ? message.content : [];
    let apiError: string | null = null;
    for (const block of content) {
      if (!isObj(block)) continue;
      if (block.type === 'tool_use') {
        const id = str(block.id);
        if (id) this.calls.set(id, { name: str(block.name) ?? 'tool', input: block.input });
      } else if (block.type === 'text') {
        const m = API_ERROR.exec(str(block.text) ?? '');
        if (m) apiError = m[1];
      }
    }
    this.turns += 1;
    const usage = isObj(message.usage) ? message.usage : {};
    this.inputTokens += num(usage.input_tokens) ?? 0;
    this.outputTokens += num(usage.output_tokens) ?? 0;
    out.push({ kind: 'usage', turns: this.turns, inputTokens: this.inputTokens, outputTokens: this.outputTokens });
    if (apiError !== null) this.apiError(apiError, out);
  }

  private user(event: Obj, out: AgentSignal[]): void {
    const message = isObj(event.message) ? event.message : {};
    const content = Array.isArray(message.content) ? message.content : [];
    for (const block of content) {
      if (!isObj(block) || block.type !== 'tool_result' || block.is_error !== true) continue;
      const m = DECLINED.exec(textOf(block.content));
      if (!m) continue;
      const id = str(block.tool_use_id) ?? '';
      const call = this.calls.get(id);
      this.deny(id, call?.name ?? m[1], call?.input, out);
    }
  }

  private result(event: Obj, out: AgentSignal[]): void {
    const usage = isObj(event.usage) ? event.usage : {};
    const turns = num(event.num_turns);
    if (turns !== undefined) this.turns = Math.max(this.turns, turns);
    const input = num(usage.input_tokens);
    const output = num(usage.output_tokens);
    if (input !== undefined) this.inputTokens = input;
    if (output !== undefined) this.outputTokens = output;
    out.push({ kind: 'usage', turns: this.turns, inputTokens: this.inputTokens, outputTokens: this.outputTokens });

    for (const d of Array.isArray(event.permission_denials) ? event.permission_denials : []) {
      if (!isObj(d)) continue;
      this.deny(str(d.tool_use_id) ?? '', str(d.tool_name) ?? 'tool', d.tool_input, out);
    }

    const result = str(event.result) ?? '';
    const m = API_ERROR.exec(result);
    if (m) this.apiError(m[1], out);
    if (event.is_error === true) {
      const error = isObj(event.error) ? str(event.error.message) : undefined;
      const message = error ?? (result || `Qwen Code ended with ${str(event.subtype) ?? 'an error'}`);
      if (LIMIT.test(message)) out.push({ kind: 'usage-limit', resetAt: resetTimeOf(message), message });
      else out.push({ kind: 'error', message });
    }
  }

  private deny(id: string, tool: string, input: unknown, out: AgentSignal[]): void {
    const key = id || `${tool}:${JSON.stringify(input)}`;
    if (this.denied.has(key)) return;
    this.denied.add(key);
    out.push({ kind: 'denied', tool, command: commandOf(tool, input) });
  }

  /** `[API Error: …]`: a usage limit (429 and the like) or an error it did not recover from; once. */
  private apiError(message: string, out: AgentSignal[]): void {
    if (this.apiErrorReported) return;
    this.apiErrorReported = true;
    const text = message.trim();
    if (LIMIT.test(text)) out.push({ kind: 'usage-limit', resetAt: resetTimeOf(text), message: text });
    else out.push({ kind: 'error', message: `Qwen Code could not reach its model: ${text}` });
  }
}

export function qwenStreamParser(): AgentStreamParser {
  return new QwenStreamParser();
}
