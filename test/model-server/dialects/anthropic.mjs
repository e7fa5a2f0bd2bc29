// Anthropic Messages API, as Claude Code calls it (checked against Claude Code 2.1.197 with
// ANTHROPIC_BASE_URL pointing here): HEAD / (a probe at startup), POST /v1/messages (streamed as SSE
// when `stream` is true, which Claude Code always asks for) and POST /v1/messages/count_tokens. The brain's steps become Claude
// Code's own tools: write → `Write` {file_path (absolute), content}; shell → `Bash` {command, description}.
//
// Conversation from a request (see script.mjs):
//   text       every text block / string of the user messages (the prompt is the first one)
//   userTurns  the user messages that hold text other than <system-reminder> noise; a message with
//              only tool_result blocks (the answer to a tool call) is not a turn
//   toolCalls  tool_use blocks in the assistant messages
//   hasTools   the request offers tools (Claude Code's side requests — titles, quota — offer none)
// A resumed session (`claude --resume <id>`, the conductor's retry) holds the earlier attempt and then
// a new conductor prompt: the brain sees the conversation from the latest prompt on, so the retry
// runs its script from the start, as a model given a new task would.

import { json, sse } from '../wire.mjs';
import { readPrompt } from '../script.mjs';

const SYSTEM_REMINDER = /^\s*<system-reminder>[\s\S]*<\/system-reminder>\s*$/;

function blocksOf(content) {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  return Array.isArray(content) ? content : [];
}

function toolResultText(block) {
  if (typeof block.content === 'string') return block.content;
  return blocksOf(block.content)
    .filter((b) => b.type === 'text')
    .map((b) => b.text)
    .join('\n');
}

/** The brain's view of a Messages request. */
const CONDUCTOR_PROMPT = /You are implementing module `/;

export function conversationOf(body) {
  const all = Array.isArray(body?.messages) ? body.messages : [];
  const isPrompt = (m) => m.role === 'user' && blocksOf(m.content).some((b) => b.type === 'text' && CONDUCTOR_PROMPT.test(b.text ?? ''));
  const last = all.findLastIndex(isPrompt);
  const messages = last > 0 ? all.slice(last) : all;
  const texts = [];
  const userTurns = [];
  const toolResults = [];
  let toolCalls = 0;
  for (const m of messages) {
    const blocks = blocksOf(m.content);
    if (m.role === 'assistant') {
      toolCalls += blocks.filter((b) => b.type === 'tool_use').length;
      continue;
    }
    if (m.role !== 'user') continue;
    const own = [];
    for (const b of blocks) {
      if (b.type === 'text' && typeof b.text === 'string') {
        texts.push(b.text);
        if (!SYSTEM_REMINDER.test(b.text)) own.push(b.text);
      } else if (b.type === 'tool_result') {
        toolResults.push({ output: toolResultText(b), isError: b.is_error === true });
      }
    }
    if (own.length > 0) userTurns.push(own.join('\n'));
  }
  return { text: texts.join('\n'), userTurns, toolCalls, toolResults, hasTools: Array.isArray(body?.tools) && body.tools.length > 0 };
}

/** Claude Code's tool call for a brain step, or null for a text step. */
export function toolUseOf(step, worktree) {
  if (step.kind === 'write') {
    const root = (worktree ?? process.cwd()).replace(/\/+$/, '');
    return { name: 'Write', input: { file_path: `${root}/${step.path}`, content: step.content } };
  }
  if (step.kind === 'shell') return { name: 'Bash', input: { command: step.command, description: 'Run a command for the module' } };
  return null;
}

let ids = 0;
const nextId = (prefix) => `${prefix}_scripted${String(++ids).padStart(6, '0')}`;

/** A rough token count: Claude Code only shows it (and sums it into the result's usage). */
const tokensOf = (value) => Math.max(1, Math.ceil(JSON.stringify(value ?? '').length / 4));

function messageEvents(body, content, stopReason) {
  const usage = { input_tokens: tokensOf(body?.messages), output_tokens: tokensOf(content), cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
  const events = [
    {
      event: 'message_start',
      data: {
        type: 'message_start',
        message: { id: nextId('msg'), type: 'message', role: 'assistant', model: body?.model ?? 'scripted', content: [], stop_reason: null, stop_sequence: null, usage: { ...usage, output_tokens: 1 } },
      },
    },
  ];
  content.forEach((block, index) => {
    if (block.type === 'text') {
      events.push({ event: 'content_block_start', data: { type: 'content_block_start', index, content_block: { type: 'text', text: '' } } });
      events.push({ event: 'content_block_delta', data: { type: 'content_block_delta', index, delta: { type: 'text_delta', text: block.text } } });
    } else {
      events.push({ event: 'content_block_start', data: { type: 'content_block_start', index, content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} } } });
      events.push({ event: 'content_block_delta', data: { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: JSON.stringify(block.input) } } });
    }
    events.push({ event: 'content_block_stop', data: { type: 'content_block_stop', index } });
  });
  events.push({ event: 'message_delta', data: { type: 'message_delta', delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: usage.output_tokens } } });
  events.push({ event: 'message_stop', data: { type: 'message_stop' } });
  return { events, usage };
}

function answer(ctx) {
  const body = ctx.body ?? {};
  const conversation = conversationOf(body);

  const limited = ctx.rateLimited(conversation);
  if (limited) {
    // What Anthropic sends when a usage limit is hit: a rate_limit_error with the reset time in the
    // message and in the unified rate-limit headers (epoch seconds), and retry-after (seconds).
    // Claude Code 2.1.197 waits and retries when retry-after is short, and gives up at once (exit 1)
    // when it is long; config.rateLimit.retryAfterSeconds overrides it (a test that wants the give-up
    // without waiting an hour for the reset). config.rateLimit.style 'retry-after' sends retry-after only.
    const rl = ctx.config.rateLimit ?? {};
    const resetSeconds = Math.ceil(limited.resetAtMs / 1000);
    const retryAfter = String(rl.retryAfterSeconds ?? Math.max(1, resetSeconds - Math.floor(Date.now() / 1000)));
    const headers =
      rl.style === 'retry-after'
        ? { 'retry-after': retryAfter }
        : {
            'retry-after': retryAfter,
            'anthropic-ratelimit-unified-status': 'rejected',
            'anthropic-ratelimit-unified-reset': String(resetSeconds),
          };
    json(ctx.res, 429, { type: 'error', error: { type: 'rate_limit_error', message: limited.message } }, headers);
    return;
  }

  const step = ctx.step(conversation);
  const tool = toolUseOf(step, readPrompt(conversation.text).worktree);
  const content = tool ? [{ type: 'tool_use', id: nextId('toolu'), ...tool }] : [{ type: 'text', text: step.text }];
  const stopReason = tool ? 'tool_use' : 'end_turn';
  const { events, usage } = messageEvents(body, content, stopReason);
  if (body.stream) {
    sse(ctx.res, events, { 'request-id': nextId('req') });
    return;
  }
  json(ctx.res, 200, { id: nextId('msg'), type: 'message', role: 'assistant', model: body.model ?? 'scripted', content, stop_reason: stopReason, stop_sequence: null, usage });
}

export const routes = [
  // Claude Code's connectivity probe at startup.
  { method: 'HEAD', path: /^\/$/, handle: (ctx) => ctx.res.writeHead(200).end() },
  { method: 'POST', path: /^\/v1\/messages\/count_tokens$/, handle: (ctx) => json(ctx.res, 200, { input_tokens: tokensOf(ctx.body?.messages) + tokensOf(ctx.body?.tools) }) },
  { method: 'POST', path: /^\/v1\/messages$/, handle: answer },
];
