// The scripted model server (test/model-server/server.mjs, plain Node without types) as the tests
// see it: what it records of each request, and how to start it in the test's own process.
import * as path from 'node:path';

export interface ServerRequest {
  /** The API dialect that answered (anthropic, openai-responses, gemini, openai-chat); null: none did. */
  dialect: string | null;
  method: string;
  path: string;
  status: number;
  /** The conductor module the request's prompt belongs to, when the server could tell. */
  module: string | null;
  /** The script step it answered with. */
  step: { kind: string; command?: string } | null;
  body: unknown;
  at: number;
  /** The request offered tools (a model turn, not a side request such as a title or a summary). */
  hasTools?: boolean;
  /** A side request of the CLI (not the agent's own turn). */
  side?: boolean;
}

export interface ModelServer {
  url: string;
  requests: ServerRequest[];
  /** Replaced between runs: `default` and `modules` (by `<module>` or `<module>#<attempt>`) name scripts. */
  config: Record<string, unknown>;
  close(): Promise<void>;
}

/** Loaded by path, so the type-check leaves the plain module alone. */
const SERVER_MODULE = path.join(__dirname, '../model-server/server.mjs');

export async function startModelServer(config: Record<string, unknown> = {}): Promise<ModelServer> {
  const mod = (await import(SERVER_MODULE)) as { startModelServer(c: Record<string, unknown>): Promise<ModelServer> };
  return mod.startModelServer(config);
}
