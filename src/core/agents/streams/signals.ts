// What an agent CLI's machine-readable output (its headless event stream, one JSON object a line)
// tells the conductor. Each preset that has such a stream gets a parser in this folder; the runner
// feeds it every output line of the agent and applies the signals to the module's record.

export type AgentSignal =
  /** The CLI's session id: retries resume it where the CLI can. */
  | { kind: 'session'; sessionId: string }
  /** Totals so far in this attempt (the parser accumulates); fields it cannot know are omitted. */
  | { kind: 'usage'; turns?: number; inputTokens?: number; outputTokens?: number; costUsd?: number }
  /** The CLI refused a tool call for lack of permission: "the agent tried to run `…` and was denied". */
  | { kind: 'denied'; tool: string; command: string }
  /** A usage or rate limit: the module pauses until resetAt (ISO), or until resumed by hand when null. */
  | { kind: 'usage-limit'; resetAt: string | null; message: string }
  /** The CLI reported an error it will not recover from by itself (the API is unreachable, …). */
  | { kind: 'error'; message: string };

export interface AgentStreamParser {
  /** Signals in one output line; [] for lines that say nothing the conductor uses (or are not JSON). */
  line(text: string): AgentSignal[];
}
