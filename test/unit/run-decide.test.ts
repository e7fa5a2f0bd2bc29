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
    const a = apply(shopRun(), started('catalog'), exited('catalog', 1));
    assert.equal(a.modules[0].state, 'failed');
    assert.equal(a.modules[0].lastSummary, 'exited with code 1 without reporting');
    const b = apply(shopRun(), started('catalog'), exited('catalog', null, 1, true));
    assert.equal(b.modules[0].state, 'interrupted');
  });

  test('a clean exit without a report is complete only with proof of work', () => {
    const ended = apply(shopRun(), started('catalog'), exited('catalog', 0));
    assert.equal(ended.modules[0].state, 'running', 'waiting for the proof check');
    assert.equal(ended.modules[0].reportedComplete, true);
    assert.equal(apply(ended, verified('catalog', true)).modules[0].state, 'complete');
    const none = apply(ended, verified('catalog', false)).modules[0];
    assert.equal(none.state, 'failed');
    assert.equal(none.lastSummary, 'ended without reporting, and no commits beyond the base');
  });

  test('a failure report wins over a completion reported before it in the same attempt', () => {
    const run = apply(shopRun(), started('catalog'), status('catalog', 'complete'), status('catalog', 'failed'), verified('catalog', true));
    assert.equal(run.modules[0].state, 'failed');
    assert.equal(run.modules[0].lastSummary, 'catalog failed');
    const after = apply(run, status('catalog', 'complete'));
    assert.equal(after.modules[0].state, 'failed', 'nothing after a failure counts');
  });

  test('a turn ending (progress, needs-input) never completes a module', () => {
    const run = apply(shopRun(), started('catalog'), status('catalog', 'progress'), status('catalog', 'needs-input'));
    assert.equal(run.modules[0].state, 'needs-input');
    assert.equal(run.modules[0].reportedComplete, false);
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

  test('with the same agent a retry resumes the recorded session; with another one it starts afresh', () => {
    const session = (module: string, id: string): RunEvent => ({ type: 'signal', module, attempt: 1, signal: { kind: 'session', sessionId: id }, at: AT });
    const old = apply(shopRun(), started('catalog'), session('catalog', 'claude-1'), status('catalog', 'failed'));
    assert.equal(resumePhaseRun(old, shopRun()).modules[0].sessionId, 'claude-1');
    // Claude Code's id given to `gemini --resume=` ends every retry at once ("Error resuming session", exit 42).
    const switched = resumePhaseRun(old, { ...shopRun(), agent: 'gemini' });
    assert.equal(switched.agent, 'gemini');
    assert.equal(switched.modules[0].sessionId, null);
    assert.equal(switched.modules[0].state, 'failed');
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

describe('agent stream signals', () => {
  const signal = (module: string, s: import('../../src/core/agents/streams').AgentSignal, attempt = 1): RunEvent => ({ type: 'signal', module, attempt, signal: s, at: AT });

  test('session and usage are kept; usage adds up over attempts', () => {
    let run = apply(shopRun(), started('catalog'), signal('catalog', { kind: 'session', sessionId: 's-1' }));
    run = apply(run, signal('catalog', { kind: 'usage', turns: 2, inputTokens: 100, outputTokens: 10, costUsd: 0.5 }));
    run = apply(run, signal('catalog', { kind: 'usage', turns: 3, inputTokens: 150, outputTokens: 20, costUsd: 0.75 }));
    assert.equal(run.modules[0].sessionId, 's-1');
    assert.deepEqual(run.modules[0].usage, { turns: 3, inputTokens: 150, outputTokens: 20, costUsd: 0.75 });
    run = apply(run, exited('catalog', 1), started('catalog', 2), signal('catalog', { kind: 'usage', turns: 1, inputTokens: 50 }, 2));
    assert.deepEqual(run.modules[0].usage, { turns: 4, inputTokens: 200, outputTokens: 20, costUsd: 0.75 });
    assert.equal(run.modules[0].sessionId, 's-1', 'a retry keeps the session to resume');
  });

  test('a resumed attempt that dies before its CLI names a session forgets it: the next retry starts afresh', () => {
    let run = apply(shopRun(), started('catalog'), signal('catalog', { kind: 'session', sessionId: 's-1' }), exited('catalog', 1));
    // Attempt 2 resumes s-1 and dies at once (its transcript is gone): no session line.
    run = apply(run, started('catalog', 2), exited('catalog', 1, 2));
    assert.equal(run.modules[0].sessionId, null);
    assert.match(run.modules[0].lastSummary ?? '', /its session s-1 could not be resumed; the next attempt starts a new one/);
    // One that names its session (the resume worked) keeps it, even when it fails later.
    run = apply(shopRun(), started('catalog'), signal('catalog', { kind: 'session', sessionId: 's-1' }), exited('catalog', 1));
    run = apply(run, started('catalog', 2), signal('catalog', { kind: 'session', sessionId: 's-1' }, 2), exited('catalog', 1, 2));
    assert.equal(run.modules[0].sessionId, 's-1');
    // Stopped by the user mid-resume: nothing is known against the session.
    run = apply(shopRun(), started('catalog'), signal('catalog', { kind: 'session', sessionId: 's-1' }), exited('catalog', 1));
    run = apply(run, started('catalog', 2), exited('catalog', null, 2, true));
    assert.equal(run.modules[0].sessionId, 's-1');
  });

  test('a denial is said plainly in the summary', () => {
    const run = apply(shopRun(), started('catalog'), signal('catalog', { kind: 'denied', tool: 'Bash', command: 'git push origin HEAD' }));
    assert.equal(run.modules[0].lastSummary, 'the agent tried to run `git push origin HEAD` (Bash) and was denied');
  });

  test('signals from an earlier attempt change nothing', () => {
    const run = apply(shopRun(), started('catalog'), exited('catalog', 1), started('catalog', 2), signal('catalog', { kind: 'session', sessionId: 'old' }, 1));
    assert.equal(run.modules[0].sessionId, undefined);
  });

  test('a usage limit pauses the module — not a failed attempt — and nothing new starts until it resumes', () => {
    const resetAt = '2026-01-01T01:00:00.000Z';
    let run = apply(shopRun(), started('catalog'), started('search'), signal('catalog', { kind: 'usage-limit', resetAt, message: 'usage limit reached' }));
    const catalog = run.modules[0];
    assert.equal(catalog.state, 'paused');
    assert.equal(catalog.resumeAt, resetAt);
    run = apply(run, exited('catalog', null, 1, true));
    assert.equal(run.modules[0].state, 'paused', 'stopping the limited agent does not interrupt it');
    run = apply(run, status('search', 'complete'), verified('search'));
    const d = decide(run, opts);
    assert.deepEqual(starts(d.actions), [], 'no new agent starts while a module is paused');
    assert.equal(d.done, false, 'the run waits for the reset');
    run = apply(run, { type: 'resume', module: 'catalog', at: AT });
    assert.equal(run.modules[0].state, 'pending');
    assert.equal(run.modules[0].attemptLimit, 3, 'the pause does not use up the retry budget');
    assert.deepEqual(starts(decide(run, opts).actions), ['catalog#2']);
  });

  test('a usage limit without a reset time leaves the module paused for the user', () => {
    const run = apply(shopRun(), started('catalog'), signal('catalog', { kind: 'usage-limit', resetAt: null, message: 'limit' }), exited('catalog', null, 1, true));
    const only = { ...run, modules: run.modules.filter((m) => m.id === 'catalog') };
    assert.equal(decide(only, opts).done, true);
  });
});

describe('decide: worktrees made ahead', () => {
  function wideRun(modules: string[], maxParallel: number): PhaseRun {
    const plan = planOf(readyMd([{ number: 1, name: 'Wide', modules }]), Object.fromEntries(modules.map((m) => [`contracts/${m}.md`, contractFor(m, m === 'late' ? ['a'] : [])])));
    return createPhaseRun(plan.phases[0], { runId: 'r1', baseCommit: 'base', now: AT, worktreeRoot: '/wt', agent: 'custom', maxParallel, retries: 1 });
  }
  const prepares = (actions: Action[]): string[] => actions.filter((a) => a.type === 'prepare').map((a) => a.module);

  test('prepares the next modules to start from the base, up to prepareAhead, none with a dependency', () => {
    const run = wideRun(['a', 'b', 'c', 'd', 'late', 'e'], 2);
    const first = decide(run, { ...opts, prepareAhead: 2 });
    assert.deepEqual(starts(first.actions), ['a#1', 'b#1']);
    assert.deepEqual(prepares(first.actions), ['c', 'd']);
    // c and d made ahead: nothing more until one of them starts.
    const running = apply(run, started('a'), started('b'));
    assert.deepEqual(prepares(decide(running, { ...opts, prepareAhead: 2, prepared: new Set(['c', 'd']) }).actions), []);
    // c started: e is next ("late" waits for its dependency's work).
    const next = apply(running, status('a', 'complete'), verified('a'), started('c'));
    assert.deepEqual(prepares(decide(next, { ...opts, prepareAhead: 2, prepared: new Set(['d']) }).actions), ['e']);
  });

  test('prepares nothing without prepareAhead, for a halted run, or for modules left out by --tags', () => {
    const run = wideRun(['a', 'b', 'c', 'd'], 1);
    assert.deepEqual(prepares(decide(run, opts).actions), []);
    assert.deepEqual(prepares(decide({ ...run, state: 'halted', haltReason: 'stop' }, { ...opts, prepareAhead: 2 }).actions), []);
    assert.deepEqual(prepares(decide(run, { ...opts, prepareAhead: 2, only: new Set(['a', 'd']) }).actions), ['d']);
  });

  test('a module given another attempt is not prepared (its worktree is there)', () => {
    const run = apply(wideRun(['a', 'b', 'c'], 1), started('a'), exited('a', 1));
    const actions = decide(run, { ...opts, prepareAhead: 1 }).actions;
    assert.deepEqual(prepares(actions), ['b']);
    assert.equal(actions.some((a) => a.type === 'prepare' && a.module === 'a'), false);
  });
});
