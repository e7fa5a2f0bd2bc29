// Which Phases tree rows a refresh redraws: a ticking running time redraws that module's row only
// (its phase row, whose inline actions and children VS Code would forget, stays); a new shape
// redraws everything.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { indexNodes, phaseNodes, type TreeContext, type TreeNode } from '../../src/core/view/phaseTree';
import { changedRows, collapseOf } from '../../src/core/view/treeChanges';
import { emptyState, type PhaseRun } from '../../src/core/run/model';
import { STOREFRONT, T0, apply, completed, exited, reported, runOf, shopPlan, started, stateOf } from '../support/viewFixtures';

const plan = shopPlan();
const active = new Set([STOREFRONT]);
const index = (run: PhaseRun | null, over: Partial<TreeContext> = {}): Map<string, TreeNode> =>
  indexNodes(phaseNodes(plan, run ? stateOf(run) : emptyState(), { active, terminals: new Set(), now: T0, ...over }));
const running = apply(runOf(plan, 2, { approved: true }), started('catalog', 0), started('search', 0));

describe('changedRows', () => {
  test('nothing changed: no row', () => {
    assert.deepEqual(changedRows(index(running), index(running)), []);
  });

  test('a second passes: the running modules\' rows, not their phase (its running time is in its tooltip)', () => {
    const later = index(running, { now: T0 + 1_000 });
    assert.deepEqual(changedRows(index(running), later), [`module:${STOREFRONT}/catalog`, `module:${STOREFRONT}/search`]);
    assert.notEqual(index(running).get(`phase:${STOREFRONT}`)?.tooltip, later.get(`phase:${STOREFRONT}`)?.tooltip);
  });

  test('a module fails: its row, its summary and its phase\'s counts', () => {
    const working = apply(running, reported('catalog', 'progress', 'writing the model', 0));
    const failed = apply(working, exited('catalog', 1, 0));
    assert.deepEqual(changedRows(index(working), index(failed)), [`phase:${STOREFRONT}`, `module:${STOREFRONT}/catalog`, `summary:${STOREFRONT}/catalog`]);
    assert.equal(changedRows(index(running), index(working)), null, 'catalog gains a summary row: a new shape');
  });

  test('a change of state that only a tooltip shows redraws that row (VS Code keeps a resolved tooltip until then); a tick does not', () => {
    const withTooltip = (base: Map<string, TreeNode>, id: string, tooltip: string): Map<string, TreeNode> => new Map([...base].map(([k, n]) => [k, k === id ? ({ ...n, tooltip } as TreeNode) : n]));
    const before = index(running);
    const after = withTooltip(before, `phase:${STOREFRONT}`, 'a new halt reason');
    assert.deepEqual(changedRows(before, after, { tooltips: true }), [`phase:${STOREFRONT}`]);
    assert.deepEqual(changedRows(before, after), []);
  });

  test('an agent terminal opening changes what clicking its module does', () => {
    assert.deepEqual(changedRows(index(running), index(running, { terminals: new Set([`${STOREFRONT}/search`]) })), [`module:${STOREFRONT}/search`]);
  });

  test('rows added or removed, or a phase expanding: a new shape', () => {
    assert.equal(changedRows(new Map(), index(null)), null);
    assert.equal(changedRows(index(null), new Map()), null);
    // Conducting Phase 2 expands it (it was collapsed behind Phase 1).
    const before = index(null, { active: new Set() });
    const after = index(runOf(plan, 2, { approved: true }));
    assert.deepEqual([collapseOf(before.get(`phase:${STOREFRONT}`)!), collapseOf(after.get(`phase:${STOREFRONT}`)!)], ['collapsed', 'expanded']);
    assert.equal(changedRows(before, after), null);
    const done = apply(running, ...completed('cart', 0, 10));
    assert.equal(changedRows(index(running), index(done)), null, 'cart gains worktree and summary rows');
  });
});
