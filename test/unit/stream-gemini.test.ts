// The Gemini CLI stream parser over lines captured from the real Gemini CLI 0.61.0 (`-o stream-json`)
// driven against the scripted model server (test/fixtures/streams/gemini/README.md says how).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { GeminiStreamParser, geminiResetAt } from '../../src/core/agents/streams/gemini';
import { streamParserFor, type AgentSignal } from '../../src/core/agents/streams';

const FIXTURES = path.join(__dirname, '../fixtures/streams/gemini');

function lines(name: string): string[] {
  return readFileSync(path.join(FIXTURES, name), 'utf8').split('\n').filter((l) => l !== '');
}

function signals(...files: string[]): AgentSignal[] {
  const parser = new GeminiStreamParser();
  return files.flatMap((f) => lines(f)).flatMap((l) => parser.line(l));
}

const lastUsage = (s: AgentSignal[]) => s.filter((x) => x.kind === 'usage').at(-1);
const ofKind = <K extends AgentSignal['kind']>(s: AgentSignal[], kind: K) => s.filter((x): x is Extract<AgentSignal, { kind: K }> => x.kind === kind);

describe('Gemini CLI stream parser', () => {
  test('the preset has it', () => {
    assert.ok(streamParserFor('gemini') instanceof GeminiStreamParser);
    assert.ok(streamParserFor(' Gemini ') instanceof GeminiStreamParser);
  });

  test('a diligent run: the session id, one turn per model response, the tokens of the result', () => {
    const s = signals('diligent.jsonl');
    assert.deepEqual(ofKind(s, 'session'), [{ kind: 'session', sessionId: '749e8669-bbb3-41a5-8cdd-a4278d2f8e3f' }]);
    // write_file, the commit, the hook, the closing text: four model responses.
    assert.deepEqual(lastUsage(s), { kind: 'usage', turns: 4, inputTokens: 600, outputTokens: 150 });
    assert.deepEqual(ofKind(s, 'denied'), []);
    assert.deepEqual(ofKind(s, 'error'), []);
    assert.deepEqual(ofKind(s, 'usage-limit'), []);
  });

  test('a failure the agent reports with the hook is no stream error', () => {
    const s = signals('failed.jsonl');
    assert.deepEqual(lastUsage(s), { kind: 'usage', turns: 2, inputTokens: 360, outputTokens: 90 });
    assert.deepEqual(s.filter((x) => x.kind !== 'usage' && x.kind !== 'session'), []);
  });

  test('a resume of a lost session (its chats gone): only the CLI\'s stderr error, which names no session; nothing reported', () => {
    assert.deepEqual(lines('resume-lost.jsonl'), ['Error resuming session: No previous sessions found for this project.']);
    assert.deepEqual(signals('resume-lost.jsonl'), []);
  });

  test('a shell command the policy refuses is a denial, with the command', () => {
    const s = signals('denied.jsonl');
    assert.deepEqual(ofKind(s, 'denied'), [{ kind: 'denied', tool: 'run_shell_command', command: 'git push origin HEAD' }]);
    assert.deepEqual(lastUsage(s), { kind: 'usage', turns: 5, inputTokens: 720, outputTokens: 180 });
  });

  test('a usage limit the CLI gives up on: usage-limit with the reset time', () => {
    const s = signals('usage-limit.jsonl');
    const [limit, ...more] = ofKind(s, 'usage-limit');
    assert.equal(more.length, 0);
    // The scripted server's message names the reset time; the retry delay agrees with it.
    assert.equal(limit.resetAt, '2026-11-26T03:23:29.000Z');
    assert.match(limit.message, /^Usage limit reached for the scripted model; .* Please retry in \d+s\. Suggested retry after \d+s\.$/);
    assert.deepEqual(ofKind(s, 'error'), []);
    assert.deepEqual(lastUsage(s), { kind: 'usage', turns: 0, inputTokens: 120, outputTokens: 30 });
    // No session: the model never answered, so the CLI kept nothing a retry could resume.
    assert.deepEqual(ofKind(s, 'session'), []);
  });

  test('a daily quota: usage-limit, reset time unknown (the CLI drops it)', () => {
    const s = signals('usage-limit-daily.jsonl');
    assert.deepEqual(ofKind(s, 'usage-limit'), [{ kind: 'usage-limit', resetAt: null, message: 'You have exhausted your daily quota on this model.' }]);
  });

  test('a short rate limit the CLI waits out by itself is no pause', () => {
    const s = signals('rate-limit-retried.stderr.txt', 'rate-limit-retried.jsonl');
    assert.deepEqual(ofKind(s, 'usage-limit'), []);
    assert.deepEqual(ofKind(s, 'error'), []);
    assert.deepEqual(lastUsage(s), { kind: 'usage', turns: 4, inputTokens: 600, outputTokens: 150 });
  });

  test('the reset time from a retry delay, when the message names no time', () => {
    assert.equal(geminiResetAt('Quota exceeded. Please retry in 37.5s.', '2026-01-01T00:00:00.000Z'), '2026-01-01T00:00:37.500Z');
    assert.equal(geminiResetAt('Suggested retry after 3600s.', '2026-01-01T00:00:00.000Z'), '2026-01-01T01:00:00.000Z');
    assert.equal(geminiResetAt('retry in 500ms', '2026-01-01T00:00:00.000Z'), '2026-01-01T00:00:00.500Z');
    assert.equal(geminiResetAt('You have exhausted your daily quota on this model.', '2026-01-01T00:00:00.000Z'), null);
    assert.equal(geminiResetAt('Please retry in 5s.', null), null);
  });

  test('other fatal results are errors; noise and non-JSON lines say nothing', () => {
    const p = new GeminiStreamParser();
    assert.deepEqual(p.line('Warning: 256-color support not detected.'), []);
    assert.deepEqual(p.line('{not json'), []);
    assert.deepEqual(p.line('[1,2]'), []);
    assert.deepEqual(p.line('{"type":"message","role":"user","content":"hi"}'), []);
    const s = p.line('{"type":"result","status":"error","error":{"type":"FatalTurnLimitedError","message":"Reached max session turns for this session."},"stats":{"input_tokens":1,"output_tokens":2}}');
    assert.deepEqual(s, [
      { kind: 'usage', turns: 0, inputTokens: 1, outputTokens: 2 },
      { kind: 'error', message: 'Reached max session turns for this session.' },
    ]);
  });
});
