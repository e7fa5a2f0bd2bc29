// `codex exec --json` (Codex CLI 0.169.0): one JSON event a line on stdout. What we read:
//
//   {"type":"thread.started","thread_id":"<uuid>"}                    → session (`codex exec resume <id>`)
//   {"type":"turn.completed","usage":{"input_tokens":…,"output_tokens":…,…}}
//                                                                       → usage totals (turns, tokens)
//   {"type":"item.completed","item":{"type":"command_execution","command":"/bin/bash -c '…'",
//     "aggregated_output":"…: Read-only file system\n","exit_code":…,"status":…}}
//                                                                       → denied, when the output shows
//                                                                         the sandbox refused a write
//   {"type":"error","message":"You’ve hit your usage limit. … try again at 2:23 AM."}
//   {"type":"turn.failed","error":{"message":"…"}}                     → usage-limit (reset time parsed)
//                                                                         or error
//   {"type":"error","message":"Reconnecting... waiting for network (…)"}
//                                                                       → error: Codex retries this
//                                                                         forever when the API is
//                                                                         unreachable
//   {"type":"error","message":"Reconnecting... 1/5 (…)"}               → nothing: a bounded retry; a
//                                                                         turn.failed follows if it fails
//
// Codex prints its usage-limit reset time in the LOCAL time zone of its process, with minute
// precision: "h:mm AM" when the reset is today, "Mon D(st|nd|rd|th), YYYY h:mm AM" otherwise. We read
// it in the engine's local time zone (the agent runs on the same machine) and round it up to the next
// minute, so a module never resumes before the limit has really reset.
//
// Not in the stream: a command the sandbox refuses outright (Codex's own denial check matches its
// output) produces no item at all in `--json`; only the model sees that output. Such a refusal shows as
// the missing commit or status report it caused.
import type { AgentSignal, AgentStreamParser } from './signals';

export interface CodexParserOptions {
  /** The clock for reading "try again at 2:23 AM" (tests fix it). */
  now?: () => Date;
}

const SANDBOX_REFUSAL = /Read-only file system|Operation not permitted|\bEROFS\b|\bEPERM\b/;
const USAGE_LIMIT = /usage limit|rate limit|Too Many Requests|\b429\b/i;
const ENDLESS_RECONNECT = /^Reconnecting\.\.\. waiting for network/;
const BOUNDED_RECONNECT = /^Reconnecting\.\.\. \d+\/\d+/;

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

function hour24(h: number, ampm: string): number {
  const pm = ampm.toUpperCase() === 'PM';
  return (h % 12) + (pm ? 12 : 0);
}

/** The ISO reset time in a Codex usage-limit message, or null when it has none (or says "later"). */
export function codexResetAt(message: string, now: Date = new Date()): string | null {
  const dated = /try again at ([A-Z][a-z]{2}) (\d{1,2})(?:st|nd|rd|th), (\d{4}) (\d{1,2}):(\d{2}) ([AP]M)/i.exec(message);
  if (dated) {
    const month = MONTHS.indexOf(dated[1]!.toLowerCase());
    if (month < 0) return null;
    const d = new Date(Number(dated[3]), month, Number(dated[2]), hour24(Number(dated[4]), dated[6]!), Number(dated[5]) + 1, 0, 0);
    return Number.isNaN(d.getTime()) ? null : d.toISOString();
  }
  const timeOnly = /try again at (\d{1,2}):(\d{2}) ([AP]M)/i.exec(message);
  if (timeOnly) {
    const d = new Date(now.getFullYear(), now.getMonth(), now.getDate(), hour24(Number(timeOnly[1]), timeOnly[3]!), Number(timeOnly[2]) + 1, 0, 0);
    return d.toISOString();
  }
  return null;
}

/** `/bin/bash -c 'git push'` → `git push` (Codex shows commands wrapped in the shell it ran). */
export function unwrapShell(command: string): string {
  const m = /^\S*\/(?:ba|z|da)?sh -l?c '([\s\S]*)'$/.exec(command);
  if (!m) return command;
  return m[1]!.replace(/'\\''/g, "'").replace(/'"'"'/g, "'");
}

interface CodexEvent {
  type?: unknown;
  thread_id?: unknown;
  message?: unknown;
  error?: { message?: unknown } | null;
  usage?: { input_tokens?: unknown; output_tokens?: unknown } | null;
  item?: { type?: unknown; command?: unknown; aggregated_output?: unknown } | null;
}

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

export function createCodexParser(options: CodexParserOptions = {}): AgentStreamParser {
  const now = options.now ?? (() => new Date());
  let turns = 0;
  let inputTokens = 0;
  let outputTokens = 0;
  let lastProblem: string | null = null;
  let reconnectReported = false;

  const problem = (message: string): AgentSignal[] => {
    // Codex prints a fatal error twice: as an `error` event, then in `turn.failed`.
    if (message === lastProblem) return [];
    lastProblem = message;
    if (USAGE_LIMIT.test(message)) return [{ kind: 'usage-limit', resetAt: codexResetAt(message, now()), message }];
    return [{ kind: 'error', message }];
  };

  return {
    line(text: string): AgentSignal[] {
      const t = text.trim();
      if (!t.startsWith('{')) return [];
      let e: CodexEvent;
      try {
        e = JSON.parse(t) as CodexEvent;
      } catch {
        return [];
      }
      if (typeof e !== 'object' || e === null) return [];
      switch (e.type) {
        case 'thread.started':
          lastProblem = null;
          return typeof e.thread_id === 'string' && e.thread_id !== '' ? [{ kind: 'session', sessionId: e.thread_id }] : [];
        case 'turn.completed':
          turns += 1;
          inputTokens += num(e.usage?.input_tokens);
          outputTokens += num(e.usage?.output_tokens);
          return [{ kind: 'usage', turns, inputTokens, outputTokens }];
        case 'item.completed': {
          const item = e.item;
          if (item?.type !== 'command_execution' || typeof item.aggregated_output !== 'string') return [];
          if (!SANDBOX_REFUSAL.test(item.aggregated_output)) return [];
          return [{ kind: 'denied', tool: 'shell', command: unwrapShell(typeof item.command === 'string' ? item.command : '') }];
        }
        case 'error': {
          const message = typeof e.message === 'string' ? e.message : '';
          if (message === '') return [];
          if (ENDLESS_RECONNECT.test(message)) {
            if (reconnectReported) return [];
            reconnectReported = true;
            return [{ kind: 'error', message: `the model API is unreachable; Codex keeps retrying: ${message}` }];
          }
          if (BOUNDED_RECONNECT.test(message)) return [];
          return problem(message);
        }
        case 'turn.failed': {
          const message = typeof e.error?.message === 'string' ? e.error.message : '';
          return message === '' ? [] : problem(message);
        }
        default:
          return [];
      }
    },
  };
}
