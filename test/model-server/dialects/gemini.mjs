// The Gemini API dialect (Gemini CLI, `GOOGLE_GEMINI_BASE_URL` + `GEMINI_API_KEY`), as the Gemini
// CLI 0.61.0 calls it through @google/genai:
//   POST /v1beta/models/<model>:streamGenerateContent?alt=sse   the agent's turns (SSE, one JSON a `data:` line)
//   POST /v1beta/models/<model>:generateContent                 side requests: the next-speaker check,
//                                                               loop detection, model routing (JSON schema output)
//   POST /v1beta/models/<model>:countTokens
//   GET  /v1beta/models[/<model>]                               model metadata, should the CLI ask
//
// Brain steps become the CLI's own tools: write → `write_file` {file_path, content} (absolute path,
// in the worktree the prompt names), shell → `run_shell_command` {command, description}.
// Not imported from ../server.mjs: run as a process (`node server.mjs`), its top-level await on
// loading the dialects would wait for this module, which would wait for it (exit 13).
function json(res, status, value, headers = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(value));
}

function sse(res, chunks) {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  for (const c of chunks) res.write(`data: ${JSON.stringify(c)}\r\n\r\n`);
  res.end();
}
import { CONDUCTOR_PROMPT, fromLatestPrompt, readPrompt } from '../script.mjs';

const MODEL_PATH = /^\/v1(?:beta|alpha)?\/models\/([^/:]+):(streamGenerateContent|generateContent|countTokens)$/;

function textOf(parts) {
  return (parts ?? [])
    .filter((p) => typeof p.text === 'string' && !p.thought)
    .map((p) => p.text)
    .join('');
}

/**
 * The Gemini CLI sends its own context as user messages before the prompt (the session context:
 * date, OS, folder listing, …); those are not the user's turns. A user turn is a user message with
 * text and no functionResponse part that is not the CLI's own context.
 */
function isCliContext(text) {
  return /^<session_context>|^This is the Gemini CLI\. We are setting up the context/.test(text.trimStart());
}

/**
 * The dialect-neutral conversation of a generateContent request body. A resumed session (a retry:
 * `gemini --resume=<id>`) counts from the latest conductor prompt only.
 */
export function conversationOf(body) {
  const all = Array.isArray(body?.contents) ? body.contents : [];
  const isPrompt = (c) => c?.role === 'user' && (c.parts ?? []).some((p) => typeof p.text === 'string' && !p.thought && CONDUCTOR_PROMPT.test(p.text));
  const contents = fromLatestPrompt(all, isPrompt);
  const userTurns = [];
  const texts = [];
  const toolResults = [];
  let toolCalls = 0;
  for (const c of contents) {
    const parts = Array.isArray(c.parts) ? c.parts : [];
    if (c.role === 'model') {
      toolCalls += parts.filter((p) => p.functionCall).length;
      continue;
    }
    for (const p of parts) {
      if (p.functionResponse) {
        const r = p.functionResponse.response ?? {};
        toolResults.push({ output: String(r.output ?? r.error ?? JSON.stringify(r)), isError: r.error !== undefined });
      }
    }
    if (parts.some((p) => p.functionResponse)) continue;
    const own = parts.filter((p) => !(typeof p.text === 'string' && isCliContext(p.text)));
    const text = textOf(own);
    if (text === '') continue;
    texts.push(text);
    userTurns.push(text);
  }
  const tools = Array.isArray(body?.tools) ? body.tools : [];
  const hasTools = tools.some((t) => Array.isArray(t.functionDeclarations) && t.functionDeclarations.length > 0);
  return { text: texts.join('\n\n'), userTurns, toolCalls, toolResults, hasTools };
}

let callCounter = 0;

/** The model's parts for one brain step. */
function partsOf(step, info) {
  if (step.kind === 'write') {
    const base = info.worktree ?? process.cwd();
    const filePath = step.path.startsWith('/') ? step.path : `${base.replace(/\/$/, '')}/${step.path}`;
    return [{ functionCall: { id: `call_${++callCounter}`, name: 'write_file', args: { file_path: filePath, content: step.content } } }];
  }
  if (step.kind === 'shell') {
    return [{ functionCall: { id: `call_${++callCounter}`, name: 'run_shell_command', args: { command: step.command, description: 'Run a command for the task' } } }];
  }
  return [{ text: step.text }];
}

const USAGE = { promptTokenCount: 120, candidatesTokenCount: 30, totalTokenCount: 150 };

function candidate(parts, model) {
  return { candidates: [{ content: { role: 'model', parts }, finishReason: 'STOP', index: 0 }], usageMetadata: USAGE, modelVersion: model };
}

/**
 * Side requests ask for JSON (responseMimeType application/json with a schema): answer each kind
 * the way a sensible model would, so the CLI stops when the agent's turn is over.
 */
function sideAnswer(body) {
  const gc = body?.generationConfig ?? body?.config ?? {};
  const schema = gc.responseJsonSchema ?? gc.responseSchema ?? null;
  const props = schema?.properties ?? {};
  if (props.next_speaker) return JSON.stringify({ reasoning: 'The model finished its turn; the user speaks next.', next_speaker: 'user' });
  if (props.unproductive_state_confidence !== undefined || props.unproductive_state_analysis !== undefined) {
    return JSON.stringify({ unproductive_state_analysis: 'The conversation is making progress.', unproductive_state_confidence: 0 });
  }
  // Model routing: a complexity score from 1 to 100 (low: the flash model does).
  if (props.complexity_score) return JSON.stringify({ complexity_reasoning: 'A small, well-specified change.', complexity_score: 20 });
  if (props.model_choice !== undefined || props.reasoning !== undefined) {
    const out = {};
    for (const [k, v] of Object.entries(props)) {
      if (k === 'model_choice') out[k] = v?.enum?.[0] ?? 'flash';
      else if (v?.type === 'number' || v?.type === 'NUMBER' || v?.type === 'integer') out[k] = 0;
      else if (v?.type === 'boolean' || v?.type === 'BOOLEAN') out[k] = false;
      else out[k] = v?.enum?.[0] ?? 'Scripted model.';
    }
    return JSON.stringify(out);
  }
  if (schema) {
    const out = {};
    for (const [k, v] of Object.entries(props)) {
      if (v?.enum) out[k] = v.enum[0];
      else if (v?.type === 'number' || v?.type === 'NUMBER' || v?.type === 'integer' || v?.type === 'INTEGER') out[k] = 0;
      else if (v?.type === 'boolean' || v?.type === 'BOOLEAN') out[k] = false;
      else if (v?.type === 'array' || v?.type === 'ARRAY') out[k] = [];
      else out[k] = 'Scripted model.';
    }
    return JSON.stringify(out);
  }
  return null;
}

/**
 * 429 as the Gemini API sends it: RESOURCE_EXHAUSTED, a QuotaFailure and a RetryInfo detail, and
 * "Please retry in Ns." in the message. The CLI retries by itself, after retryDelay, when the delay is
 * at most 300 s (a RetryableQuotaError); a longer one ends the run at once (a TerminalQuotaError,
 * "Suggested retry after Ns."). A PerDay quota id would end it too, but with a message that drops
 * the reset time, so the quota named here is per minute.
 */
function rateLimitBody(limit, seconds) {
  return {
    error: {
      code: 429,
      message: `${limit.message} Please retry in ${seconds}s.`,
      status: 'RESOURCE_EXHAUSTED',
      details: [
        {
          '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
          violations: [
            {
              quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_requests',
              quotaId: 'GenerateRequestsPerMinutePerProjectPerModel-FreeTier',
            },
          ],
        },
        { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${seconds}s` },
      ],
    },
  };
}

async function generate(ctx) {
  const [, model, method] = ctx.match;
  if (method === 'countTokens') {
    const n = JSON.stringify(ctx.body ?? {}).length;
    return json(ctx.res, 200, { totalTokens: Math.ceil(n / 4) });
  }
  const conversation = conversationOf(ctx.body);
  ctx.record({ model, api: method, userTurns: conversation.userTurns.length, toolCalls: conversation.toolCalls, hasTools: conversation.hasTools });
  const limited = ctx.rateLimited(conversation);
  if (limited) {
    const seconds = Math.max(1, Math.ceil((limited.resetAtMs - Date.now()) / 1000));
    return json(ctx.res, 429, rateLimitBody(limited, seconds), { 'retry-after': String(seconds) });
  }
  let parts;
  if (!conversation.hasTools) {
    const side = sideAnswer(ctx.body);
    parts = [{ text: side ?? ctx.step(conversation).text }];
    ctx.record({ side: true });
  } else {
    const step = ctx.step(conversation);
    parts = partsOf(step, readPrompt(conversation.text));
  }
  const chunk = candidate(parts, model);
  if (method === 'streamGenerateContent') return sse(ctx.res, [chunk]);
  return json(ctx.res, 200, chunk);
}

function modelInfo(name) {
  return {
    name: `models/${name}`,
    displayName: name,
    inputTokenLimit: 1048576,
    outputTokenLimit: 65536,
    supportedGenerationMethods: ['generateContent', 'streamGenerateContent', 'countTokens'],
  };
}

export const routes = [
  { method: 'POST', path: MODEL_PATH, handle: generate },
  { method: 'GET', path: /^\/v1(?:beta|alpha)?\/models$/, handle: (ctx) => json(ctx.res, 200, { models: [modelInfo('gemini-2.5-pro'), modelInfo('gemini-2.5-flash')] }) },
  { method: 'GET', path: /^\/v1(?:beta|alpha)?\/models\/([^/:]+)$/, handle: (ctx) => json(ctx.res, 200, modelInfo(ctx.match[1])) },
];
