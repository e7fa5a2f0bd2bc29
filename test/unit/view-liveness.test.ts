// Live modules whose agent is gone (no engine follows them any more) are shown as interrupted; the
// tree and the status bar built from that state say so, and stop spinning.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { unfollowedAgentPids, withGoneAgentsInterrupted } from '../../src/core/view/liveness';
import { phaseNodes } from '../../src/core/view/phaseTree';
import { statusBarModel } from '../../src/core/view/statusBar';
import { FOUNDATION, STOREFRONT, T0, apply, completed, reported, runOf, shopPlan, started, stateOf } from '../support/viewFixtures';
import type { RunEvent } from '../../src/core/run/events';

const plan = shopPlan();
const none = new Set<string>();
const startedPid = (module: string, pid: number): RunEvent => ({ ...(started(module) as Extract<RunEvent, { type: 'started' }>), pid });
/** catalog complete; search (pid 11) running, cart (pid 12) waiting for input; checkout pending. */
const storefront = apply(
  runOf(plan, 2, { approved: true }),
  ...completed('catalog', 0, 10),
  startedPid('search', 11),
  startedPid('cart', 12),
  reported('cart', 'needs-input', 'Which currency?', 20),
);
const alive = (...pids: number[]) => (pid: number) => pids.includes(pid);
const states = (run: { modules: { id: string; state: string }[] }) => Object.fromEntries(run.modules.map((m) => [m.id, m.state]));

describe('withGoneAgentsInterrupted', () => {
  test('live modules whose agent is gone become interrupted; the rest are untouched', () => {
    const shown = withGoneAgentsInterrupted(stateOf(storefront), none, alive(12));
    assert.deepEqual(states(shown.phases[STOREFRONT]), { catalog: 'complete', search: 'interrupted', cart: 'needs-input', checkout: 'pending' });
    assert.equal(storefront.modules.find((m) => m.id === 'search')!.state, 'running', 'the input is not changed');
  });

  test('every agent alive: the very same state object', () => {
    const state = stateOf(storefront);
    assert.equal(withGoneAgentsInterrupted(state, none, alive(11, 12)), state);
  });

  test('a live module without a pid cannot be followed: interrupted', () => {
    const noPid = { ...storefront, modules: storefront.modules.map((m) => (m.id === 'search' ? { ...m, pid: null } : m)) };
    assert.equal(withGoneAgentsInterrupted(stateOf(noPid), none, alive(11, 12)).phases[STOREFRONT].modules.find((m) => m.id === 'search')!.state, 'interrupted');
  });

  test('a phase this window conducts is left to its engine', () => {
    const state = stateOf(storefront);
    assert.equal(withGoneAgentsInterrupted(state, new Set([STOREFRONT]), alive()), state);
  });

  test('other phases are kept as they are', () => {
    const foundation = apply(runOf(plan, 1), ...completed('foundation', 0, 5));
    const shown = withGoneAgentsInterrupted(stateOf(foundation, storefront), none, alive());
    assert.equal(shown.phases[FOUNDATION], foundation);
    assert.deepEqual(states(shown.phases[STOREFRONT]), { catalog: 'complete', search: 'interrupted', cart: 'interrupted', checkout: 'pending' });
  });

  test('the tree and the status bar stop showing them as running', () => {
    const raw = stateOf(storefront);
    assert.equal(statusBarModel(raw, plan, none).text, '$(sync~spin) Phase 2 · 1/4 done · 1 waiting', 'without the check: running');
    const shown = withGoneAgentsInterrupted(raw, none, alive());
    assert.equal(statusBarModel(shown, plan, none).text, '$(debug-pause) Phase 2 · 1/4 done · 2 interrupted');
    const phase = phaseNodes(plan, shown, { active: none, terminals: none, now: T0 + 60_000 }).find((p) => p.phase === 2)!;
    assert.deepEqual(
      [phase.icon?.id, phase.description, ...phase.children.map((m) => [m.label, m.icon?.id, m.contextValue])],
      ['debug-pause', '1/4 complete · interrupted', ['catalog', 'pass-filled', 'module-done'], ['search', 'debug-pause', 'module-failed'], ['cart', 'debug-pause', 'module-failed'], ['checkout', 'circle-outline', 'module']],
    );
  });
});

describe('unfollowedAgentPids', () => {
  test('the pids of live modules in phases not conducted here', () => {
    assert.deepEqual(unfollowedAgentPids(stateOf(storefront), none), [11, 12]);
    assert.deepEqual(unfollowedAgentPids(stateOf(storefront), new Set([STOREFRONT])), []);
    assert.deepEqual(unfollowedAgentPids(withGoneAgentsInterrupted(stateOf(storefront), none, alive()), none), []);
  });
});
