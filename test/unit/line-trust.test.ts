// Which status lines the engine believes: progress lines and discoveries alike need the attempt's
// token; a discovery is never taken when it cannot be checked.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { judgeLine } from '../../src/core/run/lineTrust';
import { createPhaseRun } from '../../src/core/run/createRun';
import type { ModuleRecord } from '../../src/core/run/model';
import { parseStatusLine, type StatusEvent } from '../../src/core/status/statusLine';
import { planOf, readyMd } from '../support/specBuilder';

const hash = (t: string): string => `h(${t})`;

function record(over: Partial<ModuleRecord> = {}): ModuleRecord {
  const plan = planOf(readyMd([{ number: 1, name: 'Shop', modules: ['cart'] }]), {});
  const run = createPhaseRun(plan.phases[0], { runId: 'r1', baseCommit: 'b', now: '2026-01-01T00:00:00.000Z', worktreeRoot: '/w', agent: 'custom', maxParallel: 1, retries: 1 });
  return { ...run.modules[0], state: 'running', attempts: 2, tokenHash: hash('secret'), ...over };
}

function line(fields: Record<string, unknown>): StatusEvent {
  const text = JSON.stringify({ ts: '2026-01-01T00:00:01.000Z', summary: 'something', ...fields });
  const parsed = parseStatusLine(text, { file: '.conductor/status/phase-1-shop/cart.jsonl', line: 1 });
  assert.ok('event' in parsed, JSON.stringify(parsed));
  return parsed.event;
}

describe('judgeLine', () => {
  for (const status of ['progress', 'discovery', 'spec-correction']) {
    test(`${status}: believed with the current attempt's token, rejected with another or none`, () => {
      assert.deepEqual(judgeLine(line({ status, token: 'secret', attempt: 2, run_id: 'r1' }), record(), 'r1', hash), { verdict: 'believe' });
      assert.deepEqual(judgeLine(line({ status, token: 'secret' }), record(), 'r1', hash), { verdict: 'believe' });
      assert.match(reason(judgeLine(line({ status, token: 'other' }), record(), 'r1', hash)), /its token is not the one of cart's attempt 2/);
      assert.match(reason(judgeLine(line({ status }), record(), 'r1', hash)), /carries no token/);
      assert.match(reason(judgeLine(line({ status, token: 'secret', run_id: 'r0' }), record(), 'r1', hash)), /names run r0, not r1/);
      assert.match(reason(judgeLine(line({ status, token: 'secret', attempt: 3 }), record(), 'r1', hash)), /names attempt 3, not 2/);
    });
  }

  test("a discovery of an earlier attempt is ignored: that attempt's token can no longer be checked", () => {
    assert.deepEqual(judgeLine(line({ status: 'discovery', attempt: 1 }), record(), 'r1', hash), { verdict: 'ignore' });
    // A progress line of an earlier attempt goes on to the events, which ignore it by themselves.
    assert.deepEqual(judgeLine(line({ status: 'progress', attempt: 1 }), record(), 'r1', hash), { verdict: 'believe' });
  });

  test('a discovery for a module with no token to check against (never started) is ignored, never taken unchecked', () => {
    const pending = record({ state: 'pending', attempts: 0, tokenHash: null });
    assert.deepEqual(judgeLine(line({ status: 'spec-correction', token: 'anything' }), pending, 'r1', hash), { verdict: 'ignore' });
    assert.deepEqual(judgeLine(line({ status: 'discovery' }), pending, 'r1', hash), { verdict: 'ignore' });
  });
});

function reason(v: ReturnType<typeof judgeLine>): string {
  assert.equal(v.verdict, 'reject');
  return v.verdict === 'reject' ? v.reason : '';
}
