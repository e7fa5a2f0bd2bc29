// The claude preset's stream parser over lines Claude Code 2.1.197 really wrote (captured against the
// scripted model server; see docs/agents/claude.md), and the `conductor-hook claude-event` mapping
// over the hook payloads it really sent.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { claudeStreamParser, resetTimeIn } from '../../src/core/agents/streams/claude';
import { streamParserFor, type AgentSignal } from '../../src/core/agents/streams';
import { claudeEventReport, lastAssistantText, trailingQuestion, type ClaudeHookPayload } from '../../src/infra/status/hookCommand';

const DIR = path.join(__dirname, '../fixtures/streams/claude');
const fixture = (name: string): string => readFileSync(path.join(DIR, name), 'utf8');

function signalsOf(name: string): AgentSignal[] {
  const parser = claudeStreamParser();
  return fixture(name)
    .split('\n')
    .flatMap((l) => parser.line(l));
}

const ofKind = <K extends AgentSignal['kind']>(signals: AgentSignal[], kind: K): Extract<AgentSignal, { kind: K }>[] =>
  signals.filter((s): s is Extract<AgentSignal, { kind: K }> => s.kind === kind);

describe('claude stream parser', () => {
  test('is the claude preset\'s parser', () => {
    assert.ok(streamParserFor(' Claude '));
    assert.equal(streamParserFor('aider'), null);
  });

  test('a diligent run: the session id once, usage totals from the result line, nothing else', () => {
    const signals = signalsOf('diligent.jsonl');
    assert.deepEqual(ofKind(signals, 'session'), [{ kind: 'session', sessionId: '9cad5cd1-d9ff-42d0-b181-9747f0ae08ac' }]);
    const usage = ofKind(signals, 'usage');
    assert.deepEqual(usage.at(-1), { kind: 'usage', turns: 4, inputTokens: 7550, outputTokens: 177, costUsd: 0.042175 });
    // Running totals grow with each API answer before the result replaces them.
    assert.deepEqual(usage.slice(0, -1).map((u) => u.turns), [1, 2, 3, 4]);
    assert.deepEqual(ofKind(signals, 'denied'), []);
    assert.deepEqual(ofKind(signals, 'error'), []);
    assert.deepEqual(ofKind(signals, 'usage-limit'), []);
  });

  test('a denied command: reported once, with the command the agent tried', () => {
    const signals = signalsOf('deny.jsonl');
    assert.deepEqual(ofKind(signals, 'denied'), [{ kind: 'denied', tool: 'Bash', command: 'git push origin HEAD' }]);
    assert.deepEqual(ofKind(signals, 'error'), []);
  });

  test('the result\'s permission_denials alone are enough (a stream without the tool result line)', () => {
    const parser = claudeStreamParser();
    const result = fixture('deny.jsonl').split('\n').find((l) => l.includes('"type":"result"'))!;
    assert.deepEqual(ofKind(parser.line(result), 'denied'), [{ kind: 'denied', tool: 'Bash', command: 'git push origin HEAD' }]);
  });

  test('a usage limit (429, reset time in the message): usage-limit with the ISO reset time, once, and no error', () => {
    const signals = signalsOf('usage-limit.jsonl');
    const limits = ofKind(signals, 'usage-limit');
    assert.equal(limits.length, 1);
    assert.equal(limits[0].resetAt, '2026-11-26T03:18:40.000Z');
    assert.match(limits[0].message, /API Error: Request rejected \(429\) · Usage limit reached/);
    assert.deepEqual(ofKind(signals, 'error'), []);
    assert.equal(ofKind(signals, 'session').length, 1);
  });

  test('a 429 Claude Code retried by itself (api_retry) and then finished: no usage-limit, no error', () => {
    const text = fixture('rate-limit-retried.jsonl');
    assert.match(text, /"subtype":"api_retry".*"error_status":429/);
    const signals = signalsOf('rate-limit-retried.jsonl');
    assert.deepEqual(ofKind(signals, 'usage-limit'), []);
    assert.deepEqual(ofKind(signals, 'error'), []);
    assert.equal(ofKind(signals, 'usage').at(-1)?.turns, 4);
  });

  test('an unreachable API: one error with Claude Code\'s message', () => {
    const signals = signalsOf('api-unreachable.jsonl');
    assert.deepEqual(ofKind(signals, 'error'), [{ kind: 'error', message: 'API Error: Unable to connect to API (ConnectionRefused)' }]);
    assert.deepEqual(ofKind(signals, 'usage-limit'), []);
  });

  test('a resume of a lost session (its transcript gone): the error, and no session — the id it names does not exist', () => {
    const signals = signalsOf('resume-lost.jsonl');
    assert.deepEqual(ofKind(signals, 'session'), []);
    assert.deepEqual(ofKind(signals, 'error').map((e) => e.message), ['No conversation found with session ID: ee2201d2-08fc-4d22-9d22-53a776726e11']);
  });

  test('lines that are not JSON objects say nothing', () => {
    const parser = claudeStreamParser();
    for (const l of ['', 'plain text', '[1,2]', '{"type":"stream_event"}', '{not json']) assert.deepEqual(parser.line(l), [], l);
  });

  test('reset times: ISO in the text, the legacy epoch form, none', () => {
    assert.equal(resetTimeIn('Usage limit reached; it resets at 2026-11-26T03:18:40.000Z.'), '2026-11-26T03:18:40.000Z');
    assert.equal(resetTimeIn('resets at 2026-11-26T04:18:40+01:00'), '2026-11-26T03:18:40.000Z');
    assert.equal(resetTimeIn('Claude AI usage limit reached|1795662000'), '2026-11-26T03:00:00.000Z');
    assert.equal(resetTimeIn('Usage limit reached. Resets 5pm'), null);
  });
});

describe('conductor-hook claude-event', () => {
  const payload = (name: string): ClaudeHookPayload => JSON.parse(fixture(name)) as ClaudeHookPayload;
  const noTranscript = (): string | null => null;

  test('Stop at the end of a turn is progress, never complete', () => {
    assert.deepEqual(claudeEventReport(payload('hook-stop.json'), noTranscript), {
      status: 'progress',
      summary: 'Claude Code ended its turn: Done: cart implemented by the scripted model.',
    });
  });

  test('Stop after a question is needs-input with the question', () => {
    assert.deepEqual(claudeEventReport(payload('hook-stop-question.json'), noTranscript), { status: 'needs-input', summary: 'Which currency should prices use?' });
  });

  test('Stop without last_assistant_message reads the transcript', () => {
    const p = { hook_event_name: 'Stop', transcript_path: '/t.jsonl' };
    const transcript = '{"type":"user","message":{"content":"go"}}\n{"type":"assistant","message":{"content":[{"type":"text","text":"Shall I use **EUR**?"}]}}\n{"type":"system"}\n';
    assert.deepEqual(claudeEventReport(p, (f) => (f === '/t.jsonl' ? transcript : null)), { status: 'needs-input', summary: 'Shall I use **EUR**?' });
    assert.deepEqual(claudeEventReport(p, noTranscript), { status: 'progress', summary: 'Claude Code ended its turn' });
  });

  test('Notification idle_prompt and permission_prompt are needs-input; the pending command is named', () => {
    assert.deepEqual(claudeEventReport(payload('hook-notification-idle.json'), noTranscript), {
      status: 'needs-input',
      summary: 'Claude Code is waiting for your input: Claude is waiting for your input',
    });
    const permission = payload('hook-notification-permission.json');
    assert.deepEqual(claudeEventReport(permission, noTranscript), {
      status: 'needs-input',
      summary: 'Claude Code is waiting for your approval: Claude needs your permission',
    });
    assert.deepEqual(claudeEventReport(permission, () => fixture('transcript-pending-tool.jsonl')), {
      status: 'needs-input',
      summary: 'Claude Code is waiting for your approval to run Bash `git push origin HEAD`: Claude needs your permission',
    });
  });

  test('other events report nothing', () => {
    assert.equal(claudeEventReport(payload('hook-session-end.json'), noTranscript), null);
    assert.equal(claudeEventReport({ hook_event_name: 'Notification', notification_type: 'auth_success', message: 'ok' }, noTranscript), null);
  });

  test('questions: the last paragraph, when the message ends with a question mark', () => {
    assert.equal(trailingQuestion('I wrote the API.\n\nShould prices be in EUR or USD?'), 'Should prices be in EUR or USD?');
    assert.equal(trailingQuestion('Which one? I picked EUR.'), null);
    assert.equal(trailingQuestion('Which currency (EUR/USD?)  \n'), 'Which currency (EUR/USD?');
    assert.equal(lastAssistantText('garbage\n'), null);
  });
});
