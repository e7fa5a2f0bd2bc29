// The scripted model server run as a process (`node test/model-server/server.mjs config.json`), spoken
// to in each API dialect: it starts (no dialect may wait for server.mjs while server.mjs loads it),
// and every dialect answers a resumed session — the earlier attempt's conversation, then the new
// attempt's prompt — from the new prompt on, as the real CLIs send it on a retry.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const SERVER = path.join(__dirname, '../model-server/server.mjs');
const WORKTREE = '/tmp/wt-cart';
const FAILED = 'conductor-hook failed --summary "cart: the scripted model could not finish"';

function prompt(attempt: number): string {
  return [
    'You are implementing module `cart` of phase 1 (Shop).',
    attempt > 1 ? `This is attempt ${attempt}. Attempt ${attempt - 1} reported: cart: the scripted model could not finish` : '',
    `Work only inside your worktree, \`${WORKTREE}\`.`,
    'Report when done:',
    'conductor-hook complete --summary "…"',
  ].join('\n');
}

let child: ChildProcess;
let url: string;
let dir: string;

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'conductor-model-server-'));
  const config = path.join(dir, 'config.json');
  // Attempt 1 fails, attempt 2 works: a resumed request must be answered as attempt 2.
  writeFileSync(config, JSON.stringify({ default: 'diligent', modules: { 'cart#1': 'fail' } }));
  child = spawn(process.execPath, [SERVER, config], { stdio: ['ignore', 'pipe', 'pipe'] });
  url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no "listening" line in 15 s: ${out}`)), 15_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^listening (\S+)$/m.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited with ${code} before listening: ${out}`));
    });
  });
});

after(() => {
  child?.kill();
  rmSync(dir, { recursive: true, force: true });
});

async function post(route: string, body: unknown): Promise<string> {
  const res = await fetch(`${url}${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await res.text();
  assert.equal(res.status, 200, text);
  return text;
}

/** Each dialect's request for attempt 1 alone, or attempt 1's whole conversation and then attempt 2's prompt. */
interface Dialect {
  route: string;
  request(resumed: boolean): unknown;
  /** The tool the answer calls and its main argument (a path or a command). */
  called(answer: string): { tool: string; arg: string };
}

const DIALECTS: Record<string, Dialect> = {
  anthropic: {
    route: '/v1/messages',
    request: (resumed) => ({
      model: 'scripted',
      tools: [{ name: 'Bash' }, { name: 'Write' }],
      messages: [
        { role: 'user', content: [{ type: 'text', text: prompt(1) }] },
        ...(resumed
          ? [
              { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'Bash', input: { command: FAILED } }] },
              { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: 'ok' }] },
              { role: 'assistant', content: [{ type: 'text', text: 'I could not finish this module.' }] },
              { role: 'user', content: [{ type: 'text', text: prompt(2) }] },
            ]
          : []),
      ],
    }),
    called: (answer) => {
      const block = (JSON.parse(answer) as { content: { name: string; input: { file_path?: string; command?: string } }[] }).content[0];
      return { tool: block.name, arg: block.input.file_path ?? block.input.command ?? '' };
    },
  },
  openaiResponses: {
    route: '/v1/responses',
    request: (resumed) => ({
      model: 'gpt-5.5',
      tools: [{ type: 'function', name: 'exec_command' }],
      input: [
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: prompt(1) }] },
        ...(resumed
          ? [
              { type: 'function_call', name: 'exec_command', call_id: 'c1', arguments: JSON.stringify({ cmd: FAILED }) },
              { type: 'function_call_output', call_id: 'c1', output: 'ok' },
              { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'I could not finish this module.' }] },
              { type: 'message', role: 'user', content: [{ type: 'input_text', text: prompt(2) }] },
            ]
          : []),
      ],
    }),
    called: (answer) => {
      const done = answer.split('\n').find((l) => l.startsWith('data: ') && l.includes('"response.output_item.done"'))!;
      const item = (JSON.parse(done.slice(6)) as { item: { name: string; input?: string; arguments?: string } }).item;
      const arg = item.input ? /\*\*\* Add File: (\S+)/.exec(item.input)![1] : (JSON.parse(item.arguments ?? '{}') as { cmd: string }).cmd;
      return { tool: item.name, arg };
    },
  },
  openaiChat: {
    route: '/v1/chat/completions',
    request: (resumed) => ({
      model: 'scripted-model',
      tools: [{ type: 'function', function: { name: 'write_file' } }, { type: 'function', function: { name: 'run_shell_command' } }],
      messages: [
        { role: 'system', content: 'You are Qwen Code.' },
        { role: 'user', content: prompt(1) },
        ...(resumed
          ? [
              { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'run_shell_command', arguments: JSON.stringify({ command: FAILED }) } }] },
              { role: 'tool', tool_call_id: 'c1', content: 'ok' },
              { role: 'assistant', content: 'I could not finish this module.' },
              { role: 'user', content: prompt(2) },
            ]
          : []),
      ],
    }),
    called: (answer) => {
      const call = (JSON.parse(answer) as { choices: { message: { tool_calls: { function: { name: string; arguments: string } }[] } }[] }).choices[0].message.tool_calls[0].function;
      const args = JSON.parse(call.arguments) as { file_path?: string; command?: string };
      return { tool: call.name, arg: args.file_path ?? args.command ?? '' };
    },
  },
  gemini: {
    route: '/v1beta/models/gemini-2.5-pro:generateContent',
    request: (resumed) => ({
      tools: [{ functionDeclarations: [{ name: 'write_file' }, { name: 'run_shell_command' }] }],
      contents: [
        { role: 'user', parts: [{ text: prompt(1) }] },
        ...(resumed
          ? [
              { role: 'model', parts: [{ functionCall: { name: 'run_shell_command', args: { command: FAILED } } }] },
              { role: 'user', parts: [{ functionResponse: { name: 'run_shell_command', response: { output: 'ok' } } }] },
              { role: 'model', parts: [{ text: 'I could not finish this module.' }] },
              { role: 'user', parts: [{ text: prompt(2) }] },
            ]
          : []),
      ],
    }),
    called: (answer) => {
      const call = (JSON.parse(answer) as { candidates: { content: { parts: { functionCall: { name: string; args: { file_path?: string; command?: string } } }[] } }[] }).candidates[0].content.parts[0].functionCall;
      return { tool: call.name, arg: call.args.file_path ?? call.args.command ?? '' };
    },
  },
};

describe('scripted model server as a process', () => {
  for (const [name, d] of Object.entries(DIALECTS)) {
    test(`${name}: attempt 1 runs the 'fail' script; a resumed session runs attempt 2's from its start`, async () => {
      const first = d.called(await post(d.route, d.request(false)));
      assert.match(first.arg, /^conductor-hook failed --summary /, JSON.stringify(first));
      // Attempt 2 ('diligent') starts by writing src/cart.js, whatever attempt 1 did before in the session.
      const resumed = d.called(await post(d.route, d.request(true)));
      assert.match(resumed.arg, /src\/cart\.js$/, JSON.stringify(resumed));
    });
  }
});
