// A row redrawn while VS Code fetches rows may be dropped by the workbench (the reload e2e caught the
// phase row still saying "0/4 complete" beside its completed module): rows redrawn near a fetch,
// before or after it, are redrawn once more after the last fetch has settled; others are not.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RedrawRetry } from '../../src/core/view/redrawRetry';

describe('RedrawRetry', () => {
  test('rows redrawn within the settle time after a fetch are redrawn again once, when it has passed', () => {
    const retry = new RedrawRetry(1000);
    retry.fetched(100);
    retry.redrawn(['phase:p', 'module:p/a'], 150);
    retry.redrawn(['phase:p'], 900);
    assert.equal(retry.nextDue(), 1100);
    assert.deepEqual(retry.due(1099), [], 'not before the fetch has settled');
    assert.deepEqual(retry.due(1100), ['phase:p', 'module:p/a']);
    assert.deepEqual(retry.due(5000), [], 'once');
    assert.equal(retry.nextDue(), undefined);
  });

  test('rows redrawn shortly before a fetch crossed it: they are redrawn again too', () => {
    const retry = new RedrawRetry(1000);
    retry.redrawn(['phase:p'], 0);
    retry.redrawn(['module:p/a'], 300);
    assert.equal(retry.nextDue(), undefined, 'no fetch yet');
    retry.fetched(1200);
    assert.deepEqual(retry.due(2200), ['module:p/a'], 'phase:p was redrawn 1.2 s before the fetch, settled by then');
  });

  test('rows redrawn far from any fetch need nothing more', () => {
    const retry = new RedrawRetry(1000);
    retry.fetched(100);
    retry.redrawn(['phase:p'], 1100);
    retry.fetched(2100);
    assert.equal(retry.nextDue(), undefined);
    assert.deepEqual(retry.due(10_000), []);
  });

  test('a later fetch moves the second redraw after it', () => {
    const retry = new RedrawRetry(1000);
    retry.fetched(0);
    retry.redrawn(['phase:p'], 10);
    retry.fetched(500);
    assert.equal(retry.nextDue(), 1500);
    assert.deepEqual(retry.due(1000), []);
    assert.deepEqual(retry.due(1500), ['phase:p']);
  });
});
