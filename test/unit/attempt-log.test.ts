// The attempt log: every attempt with its own start, end and outcome, kept by applyEvent, so the
// timeline and the time measures see retries and fix rounds that startedAt/finishedAt overwrite.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { applyEvent, type RunEvent } from '../../src/core/run/events';
import { attemptSpans } from '../../src/core/run/attemptLog';
import { createPhaseRun } from '../../src/core/run/createRun';
import type { ModuleRecord, PhaseRun } from '../../src/core/run/model';
import { planOf, readyMd } from '../support/specBuilder';

const at = (minute: number): string => new Date(Date.UTC(2026, 0, 1, 10, minute)).toISOString();

function run(): PhaseRun {
  const plan = planOf(readyMd([{ number: 1, name: 'Shop', modules: ['catalog'] }]), {});
  return createPhaseRun(plan.phases[0], { runId: 'r1', baseCommit: 'base', now: at(0), worktreeRoot: '/wt', agent: 'custom', maxParallel: 2, retries: 2 });
}

function apply(r: PhaseRun, ...events: RunEvent[]): ModuleRecord {
  return events.reduce((x, e) => applyEvent(x, e).run, r).modules[0];
}

const module = 'catalog';
const started = (attempt: number, minute: number): RunEvent => ({ type: 'started', module, attempt, pid: null, baseCommit: 'base', at: at(minute) });
const exited = (attempt: number, minute: number, code: number | null, byUser = false): RunEvent => ({ type: 'exited', module, attempt, code, signal: null, byUser, at: at(minute) });
const complete = (attempt: number, minute: number): RunEvent => ({ type: 'status', module, status: 'complete', summary: 'done', attempt, filesCreated: [], testsPassing: null, at: at(minute) });
const verified = (minute: number): RunEvent => ({ type: 'verified', module, proof: true, detail: '', at: at(minute) });
const retry = (minute: number): RunEvent => ({ type: 'retry', module, retries: 1, at: at(minute) });

describe('attempt log', () => {
  test('a failed attempt, a retry and a completed one: two entries with their own times', () => {
    const m = apply(run(), started(1, 0), exited(1, 4, 3), retry(5), started(2, 6), complete(2, 9), exited(2, 9, 0), verified(10));
    assert.deepEqual(m.attemptsLog, [
      { attempt: 1, startedAt: at(0), finishedAt: at(4), outcome: 'failed' },
      { attempt: 2, startedAt: at(6), finishedAt: at(10), outcome: 'complete' },
    ]);
    // The record itself keeps only the latest attempt.
    assert.deepEqual([m.startedAt, m.finishedAt], [at(6), at(10)]);
  });

  test('a running attempt has no end; stopped by the user it is interrupted', () => {
    const r = run();
    assert.deepEqual(apply(r, started(1, 0)).attemptsLog, [{ attempt: 1, startedAt: at(0), finishedAt: null, outcome: 'running' }]);
    assert.deepEqual(apply(r, started(1, 0), exited(1, 3, null, true)).attemptsLog, [{ attempt: 1, startedAt: at(0), finishedAt: at(3), outcome: 'interrupted' }]);
  });

  test('an attempt started with fix findings is marked as a fix', () => {
    const r = run();
    r.modules[0] = { ...r.modules[0], fixRounds: 1, fixFindings: [{ source: 'conflict', file: 'src/a.ts', line: 3, message: 'conflict with cart' }] };
    assert.equal(apply(r, started(1, 0)).attemptsLog?.[0].fix, true);
    assert.equal(apply(run(), started(1, 0)).attemptsLog?.[0].fix, undefined);
  });

  test('a usage-limit pause ends the attempt at the pause; the exit after it does not move the end', () => {
    const pause: RunEvent = { type: 'signal', module, attempt: 1, signal: { kind: 'usage-limit', message: 'limit', resetAt: null }, at: at(2) };
    const m = apply(run(), started(1, 0), pause, exited(1, 5, 1));
    assert.deepEqual(m.attemptsLog, [{ attempt: 1, startedAt: at(0), finishedAt: at(2), outcome: 'paused' }]);
  });

  test('a start that failed before the agent was launched is an attempt of no length', () => {
    const m = apply(run(), { type: 'start-failed', module, attempt: 1, message: 'conflicting dependencies', at: at(1) });
    assert.deepEqual(m.attemptsLog, [{ attempt: 1, startedAt: at(1), finishedAt: at(1), outcome: 'failed' }]);
  });

  test('events that change nothing leave the same record (no new object for the runner to save)', () => {
    const r = apply(run(), started(1, 0));
    const again = applyEvent({ ...run(), modules: [r] }, exited(7, 1, 0));
    assert.equal(again.run.modules[0], r);
  });
});

describe('attempt spans', () => {
  const base = run().modules[0];

  test('without a log: the latest attempt from startedAt/finishedAt', () => {
    assert.deepEqual(attemptSpans({ ...base, state: 'complete', attempts: 2, startedAt: at(1), finishedAt: at(3) }), [
      { attempt: 2, startedAt: at(1), finishedAt: at(3), outcome: 'complete' },
    ]);
    assert.deepEqual(attemptSpans({ ...base, state: 'running', attempts: 1, startedAt: at(1), finishedAt: null }), [
      { attempt: 1, startedAt: at(1), finishedAt: null, outcome: 'running' },
    ]);
  });

  test('without a log: nothing for a module that never started, or that waits for a retry', () => {
    assert.deepEqual(attemptSpans(base), []);
    assert.deepEqual(attemptSpans({ ...base, state: 'pending', attempts: 1, startedAt: at(1), finishedAt: null }), []);
  });
});
