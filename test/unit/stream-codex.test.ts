// The Codex stream parser over real `codex exec --json` output (Codex CLI 0.169.0 against the scripted
// model server), saved in test/fixtures/streams/codex/. Each fixture's first lines are Codex's own
// stderr (a WARNING, "Reading additional input from stdin..."), as the runner sees them too.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { codexResetAt, createCodexParser, unwrapShell } from '../../src/core/agents/streams/codex';
import { streamParserFor, type AgentSignal } from '../../src/core/agents/streams';

const FIXTURES = path.join(__dirname, '../fixtures/streams/codex');

function signals(fixture: string, now?: Date): AgentSignal[] {
  const parser = createCodexParser(now ? { now: () => now } : {});
  return readFileSync(path.join(FIXTURES, fixture), 'utf8').split('\n').flatMap((l) => parser.line(l));
}

describe('codex stream parser', () => {
  test('is the parser of the codex preset', () => {
    assert.ok(streamParserFor('codex'));
    assert.ok(streamParserFor(' Codex '));
  });

  test('a diligent run: the session id, then usage totals per turn; no denial, no error', () => {
    const s = signals('diligent.jsonl');
    assert.deepEqual(s, [
      { kind: 'session', sessionId: '01a215a6-ba14-71e0-9f9a-cd24b580f1fb' },
      { kind: 'usage', turns: 1, inputTokens: 33525, outputTokens: 236 },
    ]);
  });

  test('a resumed session reports the same session id', () => {
    assert.deepEqual(signals('resume.jsonl'), [
      { kind: 'session', sessionId: '01a215a6-ba14-71e0-9f9a-cd24b580f1fb' },
      { kind: 'usage', turns: 1, inputTokens: 42253, outputTokens: 273 },
    ]);
  });

  test('a resume of a lost session (its rollout gone): Codex names the id only in its stderr error, so no session is reported', () => {
    const raw = readFileSync(path.join(FIXTURES, 'resume-lost.jsonl'), 'utf8');
    assert.match(raw, /no rollout found for thread id 01a21715-735c-7b33-8841-ee730b0bcf3f/);
    assert.deepEqual(signals('resume-lost.jsonl'), []);
  });

  test('writes the sandbox refused (into .git/hooks and the main checkout) are a denial with the command', () => {
    const denied = signals('sandbox-refusal.jsonl').filter((x) => x.kind === 'denied');
    assert.equal(denied.length, 1);
    const d = denied[0] as Extract<AgentSignal, { kind: 'denied' }>;
    assert.equal(d.tool, 'shell');
    assert.match(d.command, /^printf planted > \/tmp\/conductor-it-Co3dJk\/repo\/\.git\/hooks\/post-checkout; /);
    assert.doesNotMatch(d.command, /^\/bin\/bash/);
  });

  test('a commit the sandbox refuses outright leaves no item in the stream (documented limitation)', () => {
    // The model saw "fatal: Unable to create '…/.git/worktrees/a/index.lock': Read-only file system";
    // codex exec --json printed nothing for that command.
    const s = signals('commit-refused-no-git-roots.jsonl');
    assert.deepEqual(s.map((x) => x.kind), ['session']);
  });

  test('a 429 usage limit: a usage-limit signal with the reset time, once per attempt', () => {
    // Captured at 02:21:31 local time (UTC in the container): "… try again at 2:23 AM."
    const now = new Date(2026, 10, 26, 2, 21, 31);
    const s = signals('usage-limit.jsonl', now);
    const limits = s.filter((x) => x.kind === 'usage-limit');
    // Two attempts in the fixture, each: an `error` event and a `turn.failed` with the same message.
    assert.equal(limits.length, 2);
    for (const l of limits) {
      assert.equal(l.resetAt, new Date(2026, 10, 26, 2, 24, 0).toISOString());
      assert.match(l.message, /You’ve hit your usage limit/);
    }
    assert.equal(s.filter((x) => x.kind === 'error').length, 0);
  });

  test('an unreachable API: one error on the first "Reconnecting... waiting for network"', () => {
    const s = signals('unreachable.jsonl');
    assert.deepEqual(s.map((x) => x.kind), ['session', 'error']);
    assert.match((s[1] as { message: string }).message, /unreachable.*Reconnecting\.\.\. waiting for network/);
  });

  test('a bounded retry is no signal; the failure after it is one error', () => {
    const s = signals('http500-retry.jsonl');
    assert.deepEqual(s.map((x) => x.kind), ['session', 'error']);
    assert.equal((s[1] as { message: string }).message, 'We’re currently experiencing high demand, which may cause temporary errors.');
  });

  test('lines that are not Codex events say nothing', () => {
    const p = createCodexParser();
    for (const l of ['', 'Reading additional input from stdin...', '{"type":', '{"type":"item.started","item":{}}', 'null', '[]']) assert.deepEqual(p.line(l), [], l);
  });
});

describe('codex helpers', () => {
  test('reset times: today (h:mm AM/PM) and another day (Mon Dth, YYYY h:mm AM), rounded up a minute', () => {
    const now = new Date(2026, 10, 26, 13, 0, 0);
    assert.equal(codexResetAt('You’ve hit your usage limit. Try again at 2:23 PM.', now), new Date(2026, 10, 26, 14, 24).toISOString());
    assert.equal(codexResetAt('… or try again at 12:05 AM.', now), new Date(2026, 10, 26, 0, 6).toISOString());
    assert.equal(codexResetAt('You’ve hit your usage limit. Try again at Dec 1st, 2026 9:07 AM.', now), new Date(2026, 11, 1, 9, 8).toISOString());
    assert.equal(codexResetAt('You’ve hit your usage limit. Try again later.', now), null);
  });

  test('commands are shown without the shell wrapper Codex adds', () => {
    assert.equal(unwrapShell(`/bin/bash -c 'git push origin HEAD'`), 'git push origin HEAD');
    assert.equal(unwrapShell(`/bin/bash -lc 'echo '"'"'hi'"'"''`), `echo 'hi'`);
    assert.equal(unwrapShell('git status'), 'git status');
  });
});
