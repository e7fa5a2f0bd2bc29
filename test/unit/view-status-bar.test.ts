// The status bar item's model: hidden, planned, running, last result; the per-module tooltip.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { statusBarModel } from '../../src/core/view/statusBar';
import { emptyState } from '../../src/core/run/model';
import { SpecWorkspace } from '../../src/core/specWorkspace';
import { FOUNDATION, STOREFRONT, apply, at, completed, exited, finished, reported, runOf, shopPlan, started, stateOf } from '../support/viewFixtures';

const none = new Set<string>();
const plan = shopPlan();
const approved = runOf(plan, 2, { approved: true });

describe('statusBarModel', () => {
  test('hidden when nothing was ever conducted and there is no plan', () => {
    assert.equal(statusBarModel(emptyState(), null, none).visible, false);
    const ws = new SpecWorkspace();
    ws.clearSpec(null);
    assert.equal(statusBarModel(emptyState(), ws.plan(), none).visible, false, 'a plan without phases is no plan');
  });

  test('a plan not yet conducted', () => {
    const m = statusBarModel(emptyState(), plan, none);
    assert.deepEqual([m.visible, m.text], [true, '$(circle-outline) 2 phases · 5 modules']);
    assert.match(m.tooltip, /READY\\\.md plans 2 phases; none conducted yet/);
  });

  test('while running: done count, then waiting and failed only when non-zero', () => {
    const run = apply(approved, ...completed('catalog', 0, 10), started('search', 0));
    assert.equal(statusBarModel(stateOf(run), plan, new Set([STOREFRONT])).text, '$(sync~spin) Phase 2 · 1/4 done');
    const busier = apply(run, reported('search', 'needs-input', 'Which index?', 20), ...completed('cart', 10, 20));
    const failing = apply(busier, started('checkout', 20), exited('checkout', 2, 30));
    assert.equal(statusBarModel(stateOf(failing), plan, new Set([STOREFRONT])).text, '$(sync~spin) Phase 2 · 2/4 done · 1 waiting · 1 failed');
  });

  test('a run conducted by another process, agents live, is running too', () => {
    const run = apply(approved, started('catalog', 0));
    assert.equal(statusBarModel(stateOf(run), plan, none).text, '$(sync~spin) Phase 2 · 0/4 done');
  });

  test('idle: the last result', () => {
    const all = finished(apply(approved, ...['catalog', 'search', 'cart', 'checkout'].flatMap((id) => completed(id, 0, 10))), 'done', 10);
    assert.equal(statusBarModel(stateOf(all), plan, none).text, '$(pass) Phase 2 · 4/4 done');
    const failed = finished(
      apply(approved, ...['catalog', 'search', 'cart'].flatMap((id) => completed(id, 0, 10)), started('checkout', 10), exited('checkout', 1, 20)),
      'done',
      20,
    );
    assert.equal(statusBarModel(stateOf(failed), plan, none).text, '$(error) Phase 2 · 3/4 done · 1 failed');
    const stopped = finished(apply(approved, ...completed('catalog', 0, 10), started('search', 0), { type: 'interrupted', module: 'search', reason: 'VS Code closed', at: at(5) }), 'halted', 10);
    assert.equal(statusBarModel(stateOf(stopped), plan, none).text, '$(debug-pause) Phase 2 · 1/4 done · 1 interrupted');
  });

  test('the running phase wins over one finished later; among finished ones the latest', () => {
    const foundation = finished(apply(runOf(plan, 1, { startedAt: at(100) }), ...completed('foundation', 100, 200)), 'done', 200);
    const storefrontDone = finished(apply(approved, ...completed('catalog', 0, 50)), 'done', 50);
    assert.match(statusBarModel(stateOf(foundation, storefrontDone), plan, none).text, /Phase 1 · 1\/1 done/);
    const storefrontRunning = apply(approved, started('catalog', 0));
    assert.match(statusBarModel(stateOf(foundation, storefrontRunning), plan, new Set([STOREFRONT])).text, /^\$\(sync~spin\) Phase 2/);
  });

  test('the tooltip has one line per module: icon, id, state, summary (escaped)', () => {
    const run = apply(approved, ...completed('catalog', 0, 10, 'Built `GET /books` *fast*'), started('search', 0));
    const m = statusBarModel(stateOf(run), plan, new Set([STOREFRONT]));
    assert.deepEqual(m.tooltip.split('\n'), [
      '**Phase 2: Storefront** — running',
      '',
      '- $(pass-filled) **catalog** · complete — Built \\`GET /books\\` \\*fast\\*',
      '- $(sync~spin) **search** · running',
      '- $(circle-outline) **cart** · pending',
      '- $(circle-outline) **checkout** · pending',
    ]);
  });

  test('what the agents cost, where their CLIs report it: per module and for the phase', () => {
    const run = apply(approved, ...completed('catalog', 0, 10), started('search', 0));
    const withUsage = { ...run, modules: run.modules.map((m) => (m.id === 'catalog' ? { ...m, usage: { turns: 3, inputTokens: 1200, outputTokens: 80, costUsd: 0.05 } } : m.id === 'search' ? { ...m, usage: { turns: 1, costUsd: 0.01 } } : m)) };
    const lines = statusBarModel(stateOf(withUsage), plan, new Set([STOREFRONT])).tooltip.split('\n');
    assert.equal(lines[2], '- $(pass-filled) **catalog** · complete · 3 turns · 1.2k tokens in · 80 out · $0.05 — catalog done');
    assert.equal(lines[3], '- $(sync~spin) **search** · running · 1 turn · $0.01');
    assert.equal(lines.at(-1), 'Usage: 4 turns · 1.2k tokens in · 80 out · $0.06');
  });

  test('another phase running at once is named in the tooltip', () => {
    const a = apply(runOf(plan, 1, { startedAt: at(0) }), started('foundation', 0));
    const b = apply(runOf(plan, 2, { approved: true, startedAt: at(5) }), started('catalog', 5));
    const m = statusBarModel(stateOf(a, b), plan, new Set([FOUNDATION, STOREFRONT]));
    assert.match(m.text, /Phase 2/);
    assert.match(m.tooltip, /Also running: Phase 1$/);
  });
});
