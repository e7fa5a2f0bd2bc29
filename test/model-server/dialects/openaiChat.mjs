// OpenAI Chat Completions, as Qwen Code (OPENAI_BASE_URL + `/chat/completions`, auth type `openai`)
// calls it: streaming (SSE `chat.completion.chunk`s, then `data: [DONE]`) and plain JSON. Brain steps
// become Qwen Code's own tools: write → `write_file` {file_path (absolute), content}, shell →
// `run_shell_command` {command, description, is_background}.
//
// What the request holds (Qwen Code 0.15.10): a system message; user messages, the first of which
// may be injected context rather than the user's words (the environment — "This is the Qwen Code.
// We are setting up the context for our chat…" — and <system-reminder> blocks), and role `tool`
// results for each tool call. Only user messages the user typed count as user turns.
import * as path from 'node:path';
import { json } from '../wire.mjs';
import { CONDUCTOR_PROMPT, fromLatestPrompt, readPrompt } from '../script.mjs';

const MODEL = 'scripted-model';

/** A message's text, whether `content` is a string or a list of parts. */
function textOf(content) {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((p) => (typeof p === 'string' ? p : p?.type === 'text' ? (p.text ?? '') : '')).join('');
  return '';
}

/** Text the CLI adds on its own as a user message: session context and system reminders. */
function isInjected(text) {
  const t = text.trim();
  if (t === '') return true;
  if (/^<system-reminder>[\s\S]*<\/system-reminder>$/.test(t)) return true;
  if (/^This is the Qwen Code\b/.test(t) || /We are setting up the context for our chat/.test(t)) return true;
  return false;
}

/** Strips system reminders the CLI may prepend or append to the user's own text. */
function withoutReminders(text) {
  return text.replace(/<system-reminder>[\s\S]*?<\/system-reminder>/g, '').trim();
}

/** The brain's view of a request; a resumed session (a retry: `qwen --resume=<id>`) from the latest conductor prompt on. */
export function conversationOf(body) {
  const all = Array.isArray(body?.messages) ? body.messages : [];
  const messages = fromLatestPrompt(all, (m) => m?.role === 'user' && CONDUCTOR_PROMPT.test(textOf(m.content)));
  const userTexts = [];
  const userTurns = [];
  let toolCalls = 0;
  const toolResults = [];
  for (const m of messages) {
    if (m?.role === 'user') {
      const t = textOf(m.content);
      userTexts.push(t);
      if (!isInjected(t)) userTurns.push(withoutReminders(t));
    } else if (m?.role === 'assistant') {
      toolCalls += Array.isArray(m.tool_calls) ? m.tool_calls.length : 0;
    } else if (m?.role === 'tool') {
      const output = textOf(m.content);
      toolResults.push({ output, isError: /^Error\b|error:/i.test(output) });
    }
  }
  return {
    text: userTexts.join('\n'),
    userTurns,
    toolCalls,
    toolResults,
    // generateJson side requests (next-speaker check, loop detection) offer only `respond_in_schema`.
    hasTools: toolNames(body).some((n) => n !== SCHEMA_TOOL),
  };
}

const SCHEMA_TOOL = 'respond_in_schema';

function toolNames(body) {
  return (Array.isArray(body?.tools) ? body.tools : []).map((t) => t?.function?.name ?? t?.name ?? '');
}

/** A value for a JSON schema: the user speaks next, nothing is stuck, strings say who answered. */
function valueFor(schema, key = '') {
  if (!schema || typeof schema !== 'object') return null;
  if (Array.isArray(schema.enum)) return schema.enum.includes('user') ? 'user' : schema.enum[0];
  switch (schema.type) {
    case 'object': {
      const out = {};
      for (const [k, v] of Object.entries(schema.properties ?? {})) out[k] = valueFor(v, k);
      return out;
    }
    case 'array':
      return [];
    case 'boolean':
      return false;
    case 'number':
    case 'integer':
      return 0;
    default:
      return key === 'next_speaker' ? 'user' : 'Scripted model.';
  }
}

/** A side request that wants JSON back (next-speaker check, loop detection, classifiers). */
function sideAnswer(body) {
  const schemaTool = (body?.tools ?? []).find((t) => (t?.function?.name ?? t?.name) === SCHEMA_TOOL);
  if (schemaTool) {
    const args = valueFor(schemaTool.function?.parameters ?? schemaTool.parameters);
    return { toolCall: { id: `call_scripted_schema_${Date.now().toString(36)}`, type: 'function', function: { name: SCHEMA_TOOL, arguments: JSON.stringify(args) } } };
  }
  const schemaText = JSON.stringify(body?.response_format ?? body?.tools ?? '') + textOf(body?.messages?.at(-1)?.content);
  // The next-speaker check: the user speaks next, so the CLI stops instead of continuing.
  if (body?.response_format?.json_schema?.schema) return { text: JSON.stringify(valueFor(body.response_format.json_schema.schema)) };
  if (/next_speaker/.test(schemaText)) return { text: JSON.stringify({ reasoning: 'The model finished its turn.', next_speaker: 'user' }) };
  if (/is_stuck|loop/i.test(schemaText)) return { text: JSON.stringify({ reasoning: 'No loop.', is_stuck: false, confidence: 0 }) };
  return null;
}

let seq = 0;

function toolCallFor(step, info) {
  seq += 1;
  const id = `call_scripted_${Date.now().toString(36)}_${seq}`;
  if (step.kind === 'write') {
    const filePath = info.worktree ? path.join(info.worktree, step.path) : step.path;
    return { id, type: 'function', function: { name: 'write_file', arguments: JSON.stringify({ file_path: filePath, content: step.content }) } };
  }
  return {
    id,
    type: 'function',
    function: { name: 'run_shell_command', arguments: JSON.stringify({ command: step.command, description: 'scripted step', is_background: false }) },
  };
}

function usageOf(body) {
  const prompt = Math.max(1, Math.round(JSON.stringify(body?.messages ?? []).length / 4));
  return { prompt_tokens: prompt, completion_tokens: 12, total_tokens: prompt + 12 };
}

function chatCompletions(ctx) {
  const { body, res } = ctx;
  const conversation = conversationOf(body);
  const limited = ctx.rateLimited(conversation);
  if (limited) {
    const retryAfter = Math.max(1, Math.ceil((limited.resetAtMs - Date.now()) / 1000));
    json(
      res,
      429,
      { error: { message: limited.message, type: 'rate_limit_exceeded', code: 'rate_limit_exceeded', param: null } },
      { 'retry-after': String(retryAfter), 'x-ratelimit-reset-requests': `${retryAfter}s` },
    );
    return;
  }

  let message;
  let finish;
  const side = conversation.hasTools ? null : sideAnswer(body);
  if (side?.toolCall) {
    message = { role: 'assistant', content: null, tool_calls: [side.toolCall] };
    finish = 'tool_calls';
    ctx.record({ side: true });
  } else if (side !== null) {
    message = { role: 'assistant', content: side.text };
    finish = 'stop';
    ctx.record({ side: true });
  } else {
    const step = ctx.step(conversation);
    const info = readPrompt(conversation.text);
    if (step.kind === 'text') {
      message = { role: 'assistant', content: step.text };
      finish = 'stop';
    } else {
      message = { role: 'assistant', content: null, tool_calls: [toolCallFor(step, info)] };
      finish = 'tool_calls';
    }
  }

  const id = `chatcmpl-scripted-${Date.now().toString(36)}`;
  const created = Math.floor(Date.now() / 1000);
  const usage = usageOf(body);
  if (!body?.stream) {
    json(res, 200, { id, object: 'chat.completion', created, model: body?.model ?? MODEL, choices: [{ index: 0, message, finish_reason: finish }], usage });
    return;
  }
  const chunk = (choices, extra = {}) => ({ id, object: 'chat.completion.chunk', created, model: body?.model ?? MODEL, choices, ...extra });
  const events = [chunk([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }])];
  if (message.tool_calls) {
    events.push(chunk([{ index: 0, delta: { tool_calls: message.tool_calls.map((c, i) => ({ index: i, ...c })) }, finish_reason: null }]));
  } else {
    events.push(chunk([{ index: 0, delta: { content: message.content }, finish_reason: null }]));
  }
  events.push(chunk([{ index: 0, delta: {}, finish_reason: finish }]));
  if (body?.stream_options?.include_usage) events.push(chunk([], { usage }));
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  for (const e of events) res.write(`data: ${JSON.stringify(e)}\n\n`);
  res.write('data: [DONE]\n\n');
  res.end();
}

export const routes = [
  { method: 'POST', path: /\/chat\/completions$/, handle: chatCompletions },
  {
    method: 'GET',
    path: /\/models$/,
    handle: (ctx) => json(ctx.res, 200, { object: 'list', data: [{ id: MODEL, object: 'model', created: 0, owned_by: 'spec-conductor-tests' }] }),
  },
];
