// The phase-run state machine: events change records, decide() says what to start, block or halt.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { applyEvent, type RunEvent } from '../../src/core/run/events';
import { blockedBehind, decide, type Action } from '../../src/core/run/decide';
import { createPhaseRun, resumePhaseRun } from '../../src/core/run/createRun';
import type { PhaseRun } from '../../src/core/run/model';
import { contractFor, planOf, readyMd } from '../support/specBuilder';

const AT = '2026-01-01T00:00:00.000Z';

function shopRun(overrides: { maxParallel?: number; retries?: number } = {}): PhaseRun {
  const plan = planOf(readyMd([{ number: 1, name: 'Shop', modules: ['catalog', 'search', 'cart', 'checkout'] }]), {
    'contracts/catalog.md': contractFor('catalog'),
    'contracts/search.md': contractFor('search'),
    'contracts/cart.md': contractFor('cart', ['catalog']),
    'contracts/checkout.md': contractFor('checkout', ['cart', 'search']),
  });
  return createPhaseRun(plan.phases[0], {
    runId: 'r1',
    baseCommit: 'base',
    now: AT,
    worktreeRoot: '/repo.worktrees',
    agent: 'custom',
    maxParallel: overrides.maxParallel ?? 4,
    retries: overrides.retries ?? 1,
  });
}

function apply(run: PhaseRun, ...events: RunEvent[]): PhaseRun {
  return events.reduce((r, e) => applyEvent(r, e).run, run);
}

const started = (module: string, attempt = 1): RunEvent => ({ type: 'started', module, attempt, pid: 1, baseCommit: 'base', at: AT });
const status = (module: string, s: 'complete' | 'failed' | 'progress' | 'needs-input', attempt: number | null = 1): RunEvent => ({
  type: 'status',
  module,
  status: s,
  summary: `${module} ${s}`,
  attempt,
  filesCreated: [],
  testsPassing: null,
  at: AT,
});
const verified = (module: string, proof = true): RunEvent => ({ type: 'verified', module, proof, detail: 'no commits beyond the base', at: AT });
const exited = (module: string, code: number | null, attempt = 1, byUser = false): RunEvent => ({ type: 'exited', module, attempt, code, signal: null, byUser, at: AT });
const starts = (actions: Action[]): string[] => actions.filter((a) => a.type === 'start').map((a) => `${a.module}#${(a as { attempt: number }).attempt}`);
const opts = { restartInterrupted: true };

describe('createPhaseRun', () => {
  test('names branches and worktrees after the phase and module, waves from the plan', () => {
    const run = shopRun();
    assert.deepEqual(run.modules.map((m) => [m.id, m.wave, m.dependsOn, m.branch, m.worktree]), [
      ['catalog', 1, [], 'conductor/phase-1-shop/catalog', '/repo.worktrees/phase-1-shop/catalog'],
      ['search', 1, [], 'conductor/phase-1-shop/search', '/repo.worktrees/phase-1-shop/search'],
      ['cart', 2, ['catalog'], 'conductor/phase-1-shop/cart', '/repo.worktrees/phase-1-shop/cart'],
      ['checkout', 3, ['cart', 'search'], 'conductor/phase-1-shop/checkout', '/repo.worktrees/phase-1-shop/checkout'],
    ]);
  });
});

describe('decide', () => {
  test('starts the first wave, then dependents as soon as their dependencies are done', () => {
    let run = shopRun();
    assert.deepEqual(starts(decide(run, opts).actions), ['catalog#1', 'search#1']);
    run = apply(run, started('catalog'), started('search'));
    assert.deepEqual(starts(decide(run, opts).actions), []);
    run = apply(run, status('catalog', 'complete'), verified('catalog'));
    const next = decide(run, opts).actions;
    assert.deepEqual(starts(next), ['cart#1']);
    assert.deepEqual((next[0] as { fromBranches: string[] }).fromBranches, ['conductor/phase-1-shop/catalog']);
  });

  test('never runs more than maxParallel agents', () => {
    let run = shopRun({ maxParallel: 1 });
    assert.deepEqual(starts(decide(run, opts).actions), ['catalog#1']);
    run = apply(run, started('catalog'));
    assert.deepEqual(starts(decide(run, opts).actions), []);
    run = apply(run, status('catalog', 'needs-input'));
    assert.equal(run.modules[0].state, 'needs-input');
    assert.deepEqual(starts(decide(run, opts).actions), [], 'an agent waiting for input still holds its slot');
  });

  test('a failed module is retried with its summary, then fails for good and blocks dependents', () => {
    let run = shopRun({ retries: 1 });
    run = apply(run, started('catalog'), status('catalog', 'failed'));
    const retry = decide(run, opts).actions.find((a) => a.type === 'start' && a.module === 'catalog');
    assert.deepEqual(retry, { type: 'start', module: 'catalog', attempt: 2, fromBranches: [], previousSummary: 'catalog failed' });
    run = apply(run, started('catalog', 2), exited('catalog', 3, 2));
    assert.equal(run.modules[0].state, 'failed');
    assert.equal(run.modules[0].lastSummary, 'exited with code 3 without reporting');
    const d = decide(run, opts);
    assert.deepEqual(d.actions.filter((a) => a.type === 'block'), [
      { type: 'block', module: 'cart', by: ['catalog'] },
      { type: 'block', module: 'checkout', by: ['cart'] },
    ]);
  });

  test('more than half of a wave failing halts new starts', () => {
    let run = shopRun({ retries: 0 });
    run = apply(run, started('catalog'), started('search'), status('catalog', 'failed'), status('search', 'failed'));
    const d = decide(run, opts);
    assert.ok(d.actions.some((a) => a.type === 'halt' && /more than half of wave 1 failed \(catalog, search\)/.test(a.reason)));
    assert.deepEqual(starts(d.actions), []);
    assert.equal(d.done, true);
  });

  test('done only when nothing runs and nothing can start', () => {
    let run = shopRun();
    for (const m of ['catalog', 'search', 'cart', 'checkout']) {
      assert.equal(decide(run, opts).done, false);
      run = apply(run, started(m), status(m, 'complete'), verified(m));
    }
    assert.equal(decide(run, opts).done, true);
  });

  test('an agent gone after reporting complete is verified, not interrupted and run again', () => {
    // A resumed engine finds the agent's pid dead while the completion it read from the status file awaits verification.
    let run = apply(shopRun(), started('catalog'), status('catalog', 'complete'), { type: 'interrupted', module: 'catalog', reason: 'its agent was gone when the run resumed', at: AT });
    assert.deepEqual([run.modules[0].state, run.modules[0].reportedComplete, run.modules[0].pid], ['running', true, null]);
    assert.deepEqual(starts(decide(run, opts).actions), ['search#1']);
    run = apply(run, verified('catalog'));
    assert.equal(run.modules[0].state, 'complete');
  });

  test('interrupted modules restart only when asked to', () => {
    let run = shopRun();
    run = apply(run, started('catalog'), { type: 'interrupted', module: 'catalog', reason: 'the engine stopped', at: AT });
    assert.equal(run.modules[0].state, 'interrupted');
    assert.deepEqual(starts(decide(run, { restartInterrupted: true }).actions), ['catalog#2', 'search#1']);
    assert.deepEqual(starts(decide(run, { restartInterrupted: false }).actions), ['search#1']);
  });
});

describe('events', () => {
  test('complete needs proof: without it the module is complete-unverified', () => {
    let run = apply(shopRun(), started('catalog'), status('catalog', 'complete'));
    assert.equal(run.modules[0].state, 'running');
    assert.equal(run.modules[0].reportedComplete, true);
    run = apply(run, exited('catalog', 0), verified('catalog', false));
    assert.equal(run.modules[0].state, 'complete-unverified');
    assert.match(run.modules[0].lastSummary ?? '', /no commits beyond the base/);
  });

  test('an exit without a final status fails the module; a user stop interrupts it', () => {
    const a = apply(shopRun(), started('catalog'), exited('catalog', 0));
    assert.equal(a.modules[0].state, 'failed');
    assert.equal(a.modules[0].lastSummary, 'exited with code 0 without reporting');
    const b = apply(shopRun(), started('catalog'), exited('catalog', null, 1, true));
    assert.equal(b.modules[0].state, 'interrupted');
  });

  test('status lines from an earlier attempt are ignored', () => {
    const run = apply(shopRun(), started('catalog'), status('catalog', 'failed'), started('catalog', 2), status('catalog', 'complete', 1));
    assert.equal(run.modules[0].state, 'running');
    assert.equal(run.modules[0].reportedComplete, false);
  });

  test('transitions are reported once per state change', () => {
    const r = shopRun();
    const t1 = applyEvent(r, started('catalog'));
    assert.deepEqual(t1.transition, { module: 'catalog', from: 'pending', to: 'running', summary: null });
    assert.equal(applyEvent(t1.run, status('catalog', 'progress')).transition, null);
  });
});

describe('resume', () => {
  test('keeps completed modules, gives failed ones a new budget, unblocks blocked ones', () => {
    let old = shopRun({ retries: 0 });
    old = apply(old, started('catalog'), status('catalog', 'complete'), verified('catalog'), started('search'), status('search', 'failed'));
    old = applyEvent(old, { type: 'blocked', module: 'checkout', by: ['search'], at: AT }).run;
    const resumed = resumePhaseRun(old, shopRun({ retries: 1 }));
    assert.deepEqual(resumed.modules.map((m) => [m.id, m.state, m.attempts, m.attemptLimit]), [
      ['catalog', 'complete', 1, 1],
      ['search', 'failed', 1, 3],
      ['cart', 'pending', 0, 2],
      ['checkout', 'pending', 0, 2],
    ]);
    assert.deepEqual(starts(decide(resumed, opts).actions), ['search#2', 'cart#1']);
  });
});

describe('retry', () => {
  test('a retried module goes back to pending with one more attempt allowed', () => {
    let run = shopRun({ retries: 0 });
    run = apply(run, started('catalog'), status('catalog', 'failed'));
    assert.deepEqual(starts(decide(run, opts).actions), ['search#1']);
    run = applyEvent(run, { type: 'retry', module: 'catalog', retries: 0, at: AT }).run;
    assert.equal(run.modules[0].state, 'pending');
    assert.deepEqual(starts(decide(run, opts).actions), ['catalog#2', 'search#1']);
  });

  test('retrying a module gives the modules blocked behind it their chance again', () => {
    let run = shopRun({ retries: 0 });
    run = apply(run, started('catalog'), exited('catalog', 1));
    for (const a of decide(run, opts).actions) if (a.type === 'block') run = applyEvent(run, { type: 'blocked', module: a.module, by: a.by, at: AT }).run;
    run = apply(run, started('search'), status('search', 'complete'), verified('search'));
    assert.deepEqual(run.modules.map((m) => m.state), ['failed', 'complete', 'blocked', 'blocked']);

    assert.deepEqual(blockedBehind(run, 'catalog'), ['cart', 'checkout'], 'cart directly, checkout through cart');
    run = apply(run, ...['catalog', ...blockedBehind(run, 'catalog')].map((module): RunEvent => ({ type: 'retry', module, retries: 0, at: AT })));
    assert.deepEqual(run.modules.map((m) => m.state), ['pending', 'complete', 'pending', 'pending']);
    const next = decide(run, opts);
    assert.deepEqual(next.actions.map((a) => a.type), ['start'], 'nothing is blocked while catalog has an attempt left');
    assert.deepEqual(starts(next.actions), ['catalog#2']);
  });

  test('a module unblocked by a retry is blocked again by another dependency that failed for good', () => {
    let run = shopRun({ retries: 0 });
    run = apply(run, started('catalog'), exited('catalog', 1), started('search'), exited('search', 1));
    run = apply(run, { type: 'blocked', module: 'cart', by: ['catalog'], at: AT }, { type: 'blocked', module: 'checkout', by: ['cart', 'search'], at: AT });
    run = apply(run, ...['catalog', ...blockedBehind(run, 'catalog')].map((module): RunEvent => ({ type: 'retry', module, retries: 0, at: AT })));
    assert.deepEqual(decide(run, opts).actions, [
      { type: 'block', module: 'checkout', by: ['search'] },
      { type: 'start', module: 'catalog', attempt: 2, fromBranches: [], previousSummary: 'exited with code 1 without reporting' },
    ]);
  });

  test('a running or complete module cannot be retried', () => {
    const run = apply(shopRun(), started('catalog'));
    assert.equal(applyEvent(run, { type: 'retry', module: 'catalog', retries: 1, at: AT }).transition, null);
  });
});
