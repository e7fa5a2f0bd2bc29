// Claude Code's headless event stream (`claude -p --output-format stream-json --verbose`), as
// Claude Code 2.1.197 writes it — one JSON object a line (fixtures: test/fixtures/streams/claude/):
//
//   {"type":"system","subtype":"init","session_id":…}                       first line
//   {"type":"system","subtype":"api_retry","attempt","max_retries","retry_delay_ms","error_status":429,…}
//   {"type":"assistant","message":{"id","content":[text | tool_use],"usage":{…}},…}   one line per block
//   {"type":"user","message":{"content":[{"type":"tool_result","is_error":true,
//       "content":"This command requires approval","tool_use_id":…}]}}       a denied tool call
//   {"type":"assistant","message":{"model":"<synthetic>","content":[{"text":"API Error: …"}]},
//       "error":"rate_limit" | "server_error" | …}                           an API error it gave up on
//   {"type":"result","subtype":"success"|"error_…","is_error","api_error_status":429|null,"num_turns",
//       "result":"…","session_id","total_cost_usd","usage":{…},"permission_denials":[{tool_name,
//       tool_use_id, tool_input}]}                                             last line
//
// A denial is reported when its tool result arrives (the tool call is remembered until then), and
// the result's permission_denials adds any not seen yet. Usage: running totals from the assistant
// messages (each message id counted once), replaced by the result's totals. Input tokens count
// cached input too (input + cache creation + cache read).

import type { AgentSignal, AgentStreamParser } from './signals';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/** What Claude Code answers a tool call it refused for lack of permission (2.1.197). */
const DENIAL_TEXT = /requires approval|permission to use .* (?:has been|was) denied|was blocked/i;

/** "usage limit", "rate limit", a 429: the module should pause rather than fail. */
const LIMIT_TEXT = /usage limit|rate limit|rate_limit|\b429\b/i;

/**
 * The reset time a usage-limit message names, as ISO: an ISO timestamp in the text, or the epoch
 * seconds of the legacy "Claude AI usage limit reached|<epoch>" form. Null when it names none that
 * can be read without knowing the user's clock and time zone ("resets 5pm").
 */
export function resetTimeIn(message: string): string | null {
  const iso = /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})/.exec(message);
  if (iso) {
    const t = new Date(iso[0]);
    if (!Number.isNaN(t.getTime())) return t.toISOString();
  }
  const epoch = /usage limit reached\|(\d{10,13})\b/i.exec(message);
  if (epoch) {
    const n = Number(epoch[1]);
    return new Date(epoch[1].length > 10 ? n : n * 1000).toISOString();
  }
  return null;
}

function commandOf(input: unknown): string {
  if (!isObj(input)) return '';
  for (const key of ['command', 'file_path', 'notebook_path', 'url', 'pattern']) {
    if (typeof input[key] === 'string') return input[key];
  }
  return JSON.stringify(input);
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .filter((b): b is Obj => isObj(b) && b.type === 'text' && typeof b.text === 'string')
    .map((b) => b.text as string)
    .join('\n');
}

function inputTokens(usage: Obj): number {
  return num(usage.input_tokens) + num(usage.cache_creation_input_tokens) + num(usage.cache_read_input_tokens);
}

export function claudeStreamParser(): AgentStreamParser {
  let session: string | null = null;
  /** Tool calls by id, until their result says whether they were denied. */
  const toolCalls = new Map<string, { tool: string; command: string }>();
  const deniedIds = new Set<string>();
  /** Usage per assistant message id: Claude Code repeats a message's usage on each of its block lines. */
  const messages = new Map<string, { input: number; output: number }>();
  let limitReported = false;
  let errorReported = false;

  function sessionSignal(id: unknown): AgentSignal[] {
    if (typeof id !== 'string' || id === '' || id === session) return [];
    session = id;
    return [{ kind: 'session', sessionId: id }];
  }

  function denied(id: string, tool: string, command: string): AgentSignal[] {
    if (deniedIds.has(id)) return [];
    deniedIds.add(id);
    return [{ kind: 'denied', tool, command }];
  }

  function apiError(message: string, status: unknown, errorKind: unknown): AgentSignal[] {
    if (status === 429 || errorKind === 'rate_limit' || LIMIT_TEXT.test(message)) {
      if (limitReported) return [];
      limitReported = true;
      return [{ kind: 'usage-limit', resetAt: resetTimeIn(message), message }];
    }
    if (errorReported || limitReported) return [];
    errorReported = true;
    return [{ kind: 'error', message }];
  }

  function assistant(event: Obj): AgentSignal[] {
    const message = isObj(event.message) ? event.message : {};
    const out: AgentSignal[] = [];
    if (typeof event.error === 'string' && event.error !== '') {
      // A synthetic message: Claude Code gave up on the API ("API Error: …"); the result line follows.
      return apiError(textOf(message.content) || `API error: ${event.error}`, null, event.error);
    }
    for (const block of Array.isArray(message.content) ? message.content : []) {
      if (isObj(block) && block.type === 'tool_use' && typeof block.id === 'string') {
        toolCalls.set(block.id, { tool: typeof block.name === 'string' ? block.name : 'tool', command: commandOf(block.input) });
      }
    }
    if (typeof message.id === 'string' && isObj(message.usage) && message.model !== '<synthetic>') {
      const before = messages.size;
      messages.set(message.id, { input: inputTokens(message.usage), output: num(message.usage.output_tokens) });
      if (messages.size !== before) {
        let input = 0;
        let output = 0;
        for (const u of messages.values()) {
          input += u.input;
          output += u.output;
        }
        out.push({ kind: 'usage', turns: messages.size, inputTokens: input, outputTokens: output });
      }
    }
    return out;
  }

  function user(event: Obj): AgentSignal[] {
    const message = isObj(event.message) ? event.message : {};
    const out: AgentSignal[] = [];
    for (const block of Array.isArray(message.content) ? message.content : []) {
      if (!isObj(block) || block.type !== 'tool_result' || block.is_error !== true || typeof block.tool_use_id !== 'string') continue;
      const call = toolCalls.get(block.tool_use_id);
      if (call && DENIAL_TEXT.test(textOf(block.content))) out.push(...denied(block.tool_use_id, call.tool, call.command));
    }
    return out;
  }

  function result(event: Obj): AgentSignal[] {
    // An error before any turn names the session it was asked to resume, not one that exists
    // ("No conversation found with session ID …"): no session is reported for it.
    const noTurn = event.is_error === true && num(event.num_turns) === 0;
    const out: AgentSignal[] = noTurn ? [] : [...sessionSignal(event.session_id)];
    const usage = isObj(event.usage) ? event.usage : {};
    out.push({
      kind: 'usage',
      turns: num(event.num_turns),
      inputTokens: inputTokens(usage),
      outputTokens: num(usage.output_tokens),
      costUsd: num(event.total_cost_usd),
    });
    for (const d of Array.isArray(event.permission_denials) ? event.permission_denials : []) {
      if (!isObj(d)) continue;
      const id = typeof d.tool_use_id === 'string' ? d.tool_use_id : `denial-${deniedIds.size}`;
      out.push(...denied(id, typeof d.tool_name === 'string' ? d.tool_name : 'tool', commandOf(d.tool_input)));
    }
    if (event.is_error === true) {
      const errors = Array.isArray(event.errors) ? event.errors.filter((e): e is string => typeof e === 'string') : [];
      const text = typeof event.result === 'string' && event.result !== '' ? event.result : errors.join('; ') || `Claude Code ended with ${String(event.subtype ?? 'an error')}`;
      out.push(...apiError(text, event.api_error_status, null));
    }
    return out;
  }

  return {
    line(text: string): AgentSignal[] {
      const trimmed = text.trim();
      if (!trimmed.startsWith('{')) return [];
      let event: unknown;
      try {
        event = JSON.parse(trimmed);
      } catch {
        return [];
      }
      if (!isObj(event)) return [];
      switch (event.type) {
        case 'system':
          return event.subtype === 'init' ? sessionSignal(event.session_id) : [];
        case 'assistant':
          return assistant(event);
        case 'user':
          return user(event);
        case 'result':
          return result(event);
        default:
          return [];
      }
    },
  };
}
