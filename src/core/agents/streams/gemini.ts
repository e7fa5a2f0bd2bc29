// Gemini CLI's headless event stream (`gemini -o stream-json`, checked on 0.61.0): one JSON object a
// line on stdout, `{"type": …, "timestamp": …}` with
//   init         {session_id, model}
//   message      {role: "user" | "assistant", content, delta?}
//   tool_use     {tool_name, tool_id, parameters}
//   tool_result  {tool_id, status: "success" | "error", output?, error?: {type, message}}
//                a tool refused by the policy engine: error.type "policy_violation"
//   error        {severity: "warning" | "error", message}   non-fatal (loop detected, turn limit, …)
//   result       {status: "success" | "error", error?: {type, message}, stats: {input_tokens,
//                output_tokens, total_tokens, tool_calls, duration_ms, models}}   the last line
// A usage limit ends the run with a `result` error: "[API Error: … Please retry in 3594s.\nSuggested
// retry after 3594s.]" (the API's RetryInfo above 300 s), or "You have exhausted your daily quota on
// this model." (a per-day quota, no reset time). Shorter delays the CLI waits out by itself (a line
// on stderr, "Attempt 1 failed: … Retrying after 10317ms..."), so they are not a pause.
// The session is reported with the model's first response, not at `init`: the CLI drops a turn whose
// request failed from the recorded session, and `--resume=<id>` (a retry) refuses a session with
// nothing in it ("No previous sessions found for this project", exit 42). An attempt stopped at its
// first request (a usage limit) so leaves no session, and the next one starts afresh.
import type { AgentSignal, AgentStreamParser } from './signals';

type Json = Record<string, unknown>;

const QUOTA = /\b429\b|RESOURCE_EXHAUSTED|quota|usage limit|rate limit|retry after|retry in/i;

function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function obj(v: unknown): Json | null {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : null;
}

/** Seconds in "retry after 3594s" / "retry in 37.5s" / "… 500ms". */
function retryDelayMs(message: string): number | null {
  const m = /retry (?:after|in) ([0-9.]+)\s*(ms|s)\b/i.exec(message);
  if (!m) return null;
  const n = Number(m[1]);
  if (!Number.isFinite(n)) return null;
  return m[2] === 'ms' ? n : n * 1000;
}

/** The reset time a usage-limit message gives: an ISO time in it, or its retry delay from `at`. */
export function geminiResetAt(message: string, at: string | null): string | null {
  const iso = /\b(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2}))/.exec(message);
  if (iso) {
    const t = Date.parse(iso[1]);
    if (!Number.isNaN(t)) return new Date(t).toISOString();
  }
  const delay = retryDelayMs(message);
  const base = at === null ? NaN : Date.parse(at);
  if (delay === null || Number.isNaN(base)) return null;
  return new Date(base + delay).toISOString();
}

/** The CLI's wrapping ("[API Error: …]\nPlease wait and try again later. …") trimmed to the API's words. */
function apiMessage(message: string): string {
  const m = /\[API Error: ([\s\S]*?)\]/.exec(message);
  return (m ? m[1] : message).replace(/\s+/g, ' ').trim();
}

function describeCall(parameters: Json | null): string {
  if (!parameters) return '';
  return str(parameters.command) ?? str(parameters.file_path) ?? str(parameters.dir_path) ?? JSON.stringify(parameters);
}

export class GeminiStreamParser implements AgentStreamParser {
  private readonly calls = new Map<string, { tool: string; command: string }>();
  private turns = 0;
  /** True while the model's current response is open (a tool call or text since the last result). */
  private inTurn = false;
  /** The `init` session id, until the model has answered in that session. */
  private pendingSession: string | null = null;

  line(text: string): AgentSignal[] {
    const trimmed = text.trim();
    if (!trimmed.startsWith('{')) return [];
    let event: Json | null;
    try {
      event = obj(JSON.parse(trimmed));
    } catch {
      return [];
    }
    if (!event) return [];
    switch (event.type) {
      case 'init':
        this.pendingSession = str(event.session_id);
        return [];
      case 'message':
        return event.role === 'assistant' ? this.modelSpoke() : [];
      case 'tool_use': {
        const id = str(event.tool_id);
        const tool = str(event.tool_name) ?? 'tool';
        if (id) this.calls.set(id, { tool, command: describeCall(obj(event.parameters)) });
        return this.modelSpoke();
      }
      case 'tool_result':
        this.inTurn = false;
        return this.toolResult(event);
      case 'error':
        return event.severity === 'error' && QUOTA.test(String(event.message ?? ''))
          ? [this.usageLimit(String(event.message), str(event.timestamp))]
          : [];
      case 'result':
        return this.result(event);
      default:
        return [];
    }
  }

  private modelSpoke(): AgentSignal[] {
    const out: AgentSignal[] = this.pendingSession ? [{ kind: 'session', sessionId: this.pendingSession }] : [];
    this.pendingSession = null;
    if (this.inTurn) return out;
    this.inTurn = true;
    this.turns++;
    out.push({ kind: 'usage', turns: this.turns });
    return out;
  }

  private toolResult(event: Json): AgentSignal[] {
    if (event.status !== 'error') return [];
    const error = obj(event.error);
    const message = str(error?.message) ?? str(event.output) ?? '';
    if (error?.type !== 'policy_violation' && !/denied by policy/i.test(message)) return [];
    const call = this.calls.get(str(event.tool_id) ?? '');
    return [{ kind: 'denied', tool: call?.tool ?? 'tool', command: call?.command ?? '' }];
  }

  private result(event: Json): AgentSignal[] {
    const out: AgentSignal[] = [];
    const stats = obj(event.stats);
    if (stats) {
      const usage: AgentSignal & { kind: 'usage' } = { kind: 'usage', turns: this.turns };
      const input = num(stats.input_tokens);
      const output = num(stats.output_tokens);
      if (input !== undefined) usage.inputTokens = input;
      if (output !== undefined) usage.outputTokens = output;
      out.push(usage);
    }
    if (event.status === 'error') {
      const error = obj(event.error);
      const message = str(error?.message) ?? 'the Gemini CLI ended with an error';
      out.push(QUOTA.test(message) ? this.usageLimit(message, str(event.timestamp)) : { kind: 'error', message: apiMessage(message) });
    }
    return out;
  }

  private usageLimit(message: string, at: string | null): AgentSignal {
    return { kind: 'usage-limit', resetAt: geminiResetAt(message, at), message: apiMessage(message) };
  }
}
