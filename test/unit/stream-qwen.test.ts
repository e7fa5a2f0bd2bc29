// The Qwen Code stream parser over real output of Qwen Code 0.15.10 (stream-json), captured from
// `conductor conduct --agent qwen` against the scripted model server (test/model-server).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { QwenStreamParser, resetTimeOf } from '../../src/core/agents/streams/qwen';
import { streamParserFor, type AgentSignal } from '../../src/core/agents/streams';

const FIXTURES = path.join(__dirname, '../fixtures/streams/qwen');

function signalsOf(fixture: string): AgentSignal[] {
  const parser = new QwenStreamParser();
  return readFileSync(path.join(FIXTURES, fixture), 'utf8').split('\n').flatMap((l) => parser.line(l));
}

function kinds(signals: AgentSignal[], kind: AgentSignal['kind']): AgentSignal[] {
  return signals.filter((s) => s.kind === kind);
}

function lastUsage(signals: AgentSignal[]): AgentSignal | undefined {
  return kinds(signals, 'usage').at(-1);
}

describe('qwen stream parser', () => {
  test('is the qwen preset\'s parser', () => {
    assert.ok(streamParserFor('qwen') instanceof QwenStreamParser);
    assert.ok(streamParserFor(' Qwen ') instanceof QwenStreamParser);
  });

  test('diligent run: the session id once, usage totals from the result line, nothing else', () => {
    const s = signalsOf('diligent.jsonl');
    assert.deepEqual(kinds(s, 'session'), [{ kind: 'session', sessionId: 'e0111575-c729-413d-9d68-205f3cc26fea' }]);
    assert.deepEqual(lastUsage(s), { kind: 'usage', turns: 4, inputTokens: 42037, outputTokens: 48 });
    assert.deepEqual(s.filter((x) => !['session', 'usage'].includes(x.kind)), []);
  });

  test('usage accumulates per assistant message before the result line', () => {
    const p = new QwenStreamParser();
    const lines = readFileSync(path.join(FIXTURES, 'diligent.jsonl'), 'utf8').split('\n').filter((l) => l.includes('"type":"assistant"'));
    const usage = lines.flatMap((l) => p.line(l)).filter((x) => x.kind === 'usage');
    assert.equal(usage.length, 4);
    assert.deepEqual(usage.map((u) => (u.kind === 'usage' ? u.turns : 0)), [1, 2, 3, 4]);
    const last = usage.at(-1);
    assert.ok(last?.kind === 'usage' && (last.inputTokens ?? 0) > 40000 && last.outputTokens === 48);
  });

  test('a resume of a lost session (its chats gone): Qwen Code names the id only in its stderr error, so no session is reported', () => {
    const raw = readFileSync(path.join(FIXTURES, 'resume-lost.jsonl'), 'utf8');
    assert.match(raw, /^No saved session found with ID 5dffaf01-a0e5-4c26-a8d1-6aba25caf0ce\./);
    assert.deepEqual(signalsOf('resume-lost.jsonl'), []);
  });

  test('a refused shell command: the command the agent tried, once', () => {
    const s = signalsOf('deny.jsonl');
    assert.deepEqual(kinds(s, 'denied'), [{ kind: 'denied', tool: 'run_shell_command', command: 'git push origin HEAD' }]);
    assert.deepEqual(kinds(s, 'error'), []);
    assert.deepEqual(kinds(s, 'usage-limit'), []);
  });

  test('the result line\'s permission_denials do not repeat a denial already seen', () => {
    const p = new QwenStreamParser();
    const call = { type: 'assistant', session_id: 's', message: { content: [{ type: 'tool_use', id: 'c1', name: 'run_shell_command', input: { command: 'git push origin HEAD' } }], usage: { input_tokens: 5, output_tokens: 1 } } };
    const refused = { type: 'user', session_id: 's', message: { content: [{ type: 'tool_result', tool_use_id: 'c1', is_error: true, content: 'Qwen Code requires permission to use "run_shell_command", but that permission was declined (non-interactive mode cannot prompt for confirmation).' }] } };
    const result = {
      type: 'result', subtype: 'success', session_id: 's', is_error: false, num_turns: 2, result: 'Done.', usage: { input_tokens: 10, output_tokens: 2 },
      permission_denials: [
        { tool_name: 'run_shell_command', tool_use_id: 'c1', tool_input: { command: 'git push origin HEAD' } },
        { tool_name: 'run_shell_command', tool_use_id: 'c2', tool_input: { command: 'rm -rf build' } },
      ],
    };
    const s = [call, refused, result].flatMap((e) => p.line(JSON.stringify(e)));
    assert.deepEqual(kinds(s, 'denied'), [
      { kind: 'denied', tool: 'run_shell_command', command: 'git push origin HEAD' },
      { kind: 'denied', tool: 'run_shell_command', command: 'rm -rf build' },
    ]);
  });

  test('retries spent on a 429: usage-limit with the reset time, once (Qwen Code itself exits 0)', () => {
    const s = signalsOf('usage-limit.jsonl');
    const limits = kinds(s, 'usage-limit');
    assert.equal(limits.length, 1);
    const [limit] = limits;
    assert.ok(limit.kind === 'usage-limit');
    assert.equal(limit.resetAt, '2026-11-26T03:37:32.920Z');
    assert.match(limit.message, /^429 Usage limit reached for the scripted model/);
    assert.deepEqual(kinds(s, 'error'), []);
  });

  test('an unreachable API: an error, not a usage limit', () => {
    const s = signalsOf('api-unreachable.jsonl');
    assert.deepEqual(kinds(s, 'error'), [{ kind: 'error', message: 'Qwen Code could not reach its model: Connection error. (cause: fetch failed)' }]);
    assert.deepEqual(kinds(s, 'usage-limit'), []);
  });

  test('an error result: its message, as a usage limit when it is one', () => {
    const p = new QwenStreamParser();
    assert.deepEqual(p.line(JSON.stringify({ type: 'result', subtype: 'error_during_execution', is_error: true, num_turns: 1, usage: {}, permission_denials: [], error: { message: 'Model stream ended unexpectedly' } })).at(-1), {
      kind: 'error',
      message: 'Model stream ended unexpectedly',
    });
    const q = new QwenStreamParser();
    assert.deepEqual(q.line(JSON.stringify({ type: 'result', subtype: 'error_during_execution', is_error: true, error: { message: 'Rate limit exceeded, resets at 2030-01-02T03:04:05Z' } })).at(-1), {
      kind: 'usage-limit',
      resetAt: '2030-01-02T03:04:05.000Z',
      message: 'Rate limit exceeded, resets at 2030-01-02T03:04:05Z',
    });
  });

  test('lines that are not JSON events say nothing', () => {
    const p = new QwenStreamParser();
    for (const l of ['', 'Operation cancelled.', '[qwen-code] Waiting for API capacity... attempt 1, retry in 30s', '{not json', '[1,2]', 'null']) assert.deepEqual(p.line(l), [], l);
  });

  test('resetTimeOf reads ISO times with or without a zone designator', () => {
    assert.equal(resetTimeOf('it resets at 2026-11-26T03:22:32.606Z.'), '2026-11-26T03:22:32.606Z');
    assert.equal(resetTimeOf('reset at: 2026-11-26T05:00:00+02:00'), '2026-11-26T03:00:00.000Z');
    assert.equal(resetTimeOf('Usage limit reached'), null);
  });
});
