// OpenAI Responses API with SSE, as Codex CLI 0.169.0 calls it through a custom model provider
// (`wire_api = "responses"`): POST <base_url>/responses with the whole conversation in `input`
// (Codex sends `store: false`, so every request carries the full history).
//
// Codex offers a model from its bundled catalog (`gpt-5.5` in our test config) these tools:
//   exec_command  function tool, arguments {"cmd": "…", "workdir"?, …}: runs a shell command
//   apply_patch   custom (freeform) tool, input "*** Begin Patch\n*** Add File: …\n+line\n*** End Patch\n"
// so a brain 'write' step becomes an apply_patch custom_tool_call and a 'shell' step an
// exec_command function_call.
//
// Request → Conversation:
//   text        every user message's text, including Codex's own injected context (the prompt is in there)
//   userTurns   user messages that are not Codex's injected context (<environment_context>,
//               AGENTS.md instructions, … — text wrapped in one <tag>…</tag>)
//   toolCalls   function_call + custom_tool_call items in `input` (the assistant's earlier calls)
//   hasTools    the request offers tools
// A resumed session (a retry: `codex exec resume <id>`) counts from the latest conductor prompt only.
//
// Usage limit (config.rateLimit): 429 with {"error": {"type": "usage_limit_reached", "resets_at":
// <epoch s>, …}}, the body Codex turns into its "You've hit your usage limit" error.

// The SSE and JSON writers are local: importing them from ../server.mjs would deadlock
// `node server.mjs` (its top-level await loads this module, which would wait for server.mjs).
function sse(res, events, headers = {}) {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...headers });
  for (const e of events) res.write(`event: ${e.event}\ndata: ${JSON.stringify(e.data)}\n\n`);
  res.end();
}

function json(res, status, value, headers = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(value));
}

function textOf(content) {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .filter((c) => c && (c.type === 'input_text' || c.type === 'output_text' || c.type === 'text'))
    .map((c) => c.text ?? '')
    .join('\n');
}

/** Codex's own context messages sent with role "user": one tag around the whole text, or AGENTS.md. */
function isInjected(text) {
  const t = text.trim();
  return /^<([A-Za-z_][\w-]*)[^>]*>[\s\S]*<\/\1>$/.test(t) || t.startsWith('# AGENTS.md instructions');
}

/** A conductor prompt (not an answer to a question): a resumed session gets a new one per retry. */
const CONDUCTOR_PROMPT = /You are implementing module `[^`]+` of phase \d+/;

export function conversationOf(body) {
  const all = Array.isArray(body?.input) ? body.input : [];
  // `codex exec resume <id>` (a retry) sends the old conversation, then the new attempt's prompt.
  // Like a model given a fresh task, the script starts again at the latest conductor prompt.
  let start = 0;
  all.forEach((item, i) => {
    if (item?.role === 'user' && i > 0 && CONDUCTOR_PROMPT.test(textOf(item.content))) {
      const earlier = all.slice(0, i).some((x) => x?.role === 'user' && CONDUCTOR_PROMPT.test(textOf(x.content)));
      if (earlier) start = i;
    }
  });
  const input = start === 0 ? all : all.slice(start);
  const texts = [];
  const userTurns = [];
  const toolResults = [];
  let toolCalls = 0;
  for (const item of input) {
    const type = item?.type ?? (item?.role ? 'message' : undefined);
    if (type === 'message' && item.role === 'user') {
      const text = textOf(item.content);
      texts.push(text);
      if (!isInjected(text)) userTurns.push(text);
    } else if (type === 'function_call' || type === 'custom_tool_call' || type === 'local_shell_call') {
      toolCalls += 1;
    } else if (type === 'function_call_output' || type === 'custom_tool_call_output') {
      const output = typeof item.output === 'string' ? item.output : JSON.stringify(item.output);
      toolResults.push({ output, isError: /Process exited with code [1-9]|exit code: [1-9]|"exit_code":\s*[1-9]/.test(output) });
    }
  }
  const hasTools = Array.isArray(body?.tools) && body.tools.length > 0;
  return { text: texts.join('\n\n'), userTurns, toolCalls, toolResults, hasTools };
}

let seq = 0;
const nextId = (prefix) => `${prefix}_${Date.now().toString(36)}${(seq++).toString(36)}`;

/** An apply_patch that adds `path` with `content` (every line prefixed with "+"). */
export function addFilePatch(path, content) {
  const lines = content.replace(/\n$/, '').split('\n').map((l) => `+${l}`);
  return `*** Begin Patch\n*** Add File: ${path}\n${lines.join('\n')}\n*** End Patch\n`;
}

function itemFor(step) {
  switch (step.kind) {
    case 'write':
      return { type: 'custom_tool_call', id: nextId('ctc'), status: 'completed', call_id: nextId('call'), name: 'apply_patch', input: addFilePatch(step.path, step.content) };
    case 'shell':
      return {
        type: 'function_call',
        id: nextId('fc'),
        status: 'completed',
        call_id: nextId('call'),
        name: 'exec_command',
        arguments: JSON.stringify({ cmd: step.command, yield_time_ms: 10000 }),
      };
    case 'text':
    default:
      return { type: 'message', id: nextId('msg'), status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: step.text, annotations: [] }] };
  }
}

function respond(ctx) {
  const conversation = conversationOf(ctx.body);
  const limited = ctx.rateLimited(conversation);
  if (limited) {
    const resetsAt = Math.ceil(limited.resetAtMs / 1000);
    const seconds = Math.max(0, resetsAt - Math.floor(Date.now() / 1000));
    json(
      ctx.res,
      429,
      { error: { type: 'usage_limit_reached', code: 'usage_limit_reached', message: limited.message, plan_type: 'plus', resets_at: resetsAt, resets_in_seconds: seconds } },
      { 'retry-after': String(seconds), 'x-request-id': nextId('req') },
    );
    return;
  }
  const step = ctx.step(conversation);
  const responseId = nextId('resp');
  const model = ctx.body?.model ?? 'gpt-5.5';
  const item = itemFor(step);
  const inputTokens = Math.ceil(JSON.stringify(ctx.body?.input ?? []).length / 4);
  const outputTokens = Math.ceil(JSON.stringify(item).length / 4);
  const events = [
    { event: 'response.created', data: { type: 'response.created', response: { id: responseId, object: 'response', model, status: 'in_progress', output: [] } } },
    { event: 'response.output_item.added', data: { type: 'response.output_item.added', output_index: 0, item: item.type === 'message' ? { ...item, status: 'in_progress', content: [] } : { ...item, status: 'in_progress' } } },
  ];
  if (item.type === 'message') {
    events.push({ event: 'response.output_text.delta', data: { type: 'response.output_text.delta', item_id: item.id, output_index: 0, content_index: 0, delta: step.text } });
  }
  events.push(
    { event: 'response.output_item.done', data: { type: 'response.output_item.done', output_index: 0, item } },
    {
      event: 'response.completed',
      data: {
        type: 'response.completed',
        response: {
          id: responseId,
          object: 'response',
          model,
          status: 'completed',
          output: [item],
          usage: { input_tokens: inputTokens, input_tokens_details: { cached_tokens: 0 }, output_tokens: outputTokens, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: inputTokens + outputTokens },
        },
      },
    },
  );
  ctx.record({ toolCalls: conversation.toolCalls, userTurns: conversation.userTurns.length });
  sse(ctx.res, events, { 'x-request-id': nextId('req') });
}

export const routes = [
  { method: 'POST', path: /^(?:\/v1)?\/responses$/, handle: respond },
  // The model catalog: Codex may refresh it from the provider; an empty list keeps its bundled one.
  { method: 'GET', path: /^(?:\/v1)?\/models$/, handle: (ctx) => json(ctx.res, 200, { object: 'list', data: [], models: [] }) },
];
