// Idle agents: flagged after the first limit, stopped after the second, only when stoppable.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { IdleWatch } from '../../src/core/run/idleWatch';

describe('IdleWatch', () => {
  test('flags once, then stops an agent whose output the engine sees', () => {
    const w = new IdleWatch({ flagMs: 100, stopMs: 200 });
    w.active('a', 0);
    const live = [{ module: 'a', stoppable: true }];
    assert.deepEqual(w.tick(live, 50), []);
    assert.deepEqual(w.tick(live, 100), [{ type: 'flag', module: 'a', quietMs: 100 }]);
    assert.deepEqual(w.tick(live, 150), [], 'flagged once');
    assert.deepEqual(w.tick(live, 200), [{ type: 'stop', module: 'a', quietMs: 200 }]);
  });

  test('activity resets the clock and the flag', () => {
    const w = new IdleWatch({ flagMs: 100, stopMs: 200 });
    w.active('a', 0);
    const live = [{ module: 'a', stoppable: true }];
    assert.equal(w.tick(live, 120).length, 1);
    w.active('a', 150);
    assert.deepEqual(w.tick(live, 240), []);
    assert.deepEqual(w.tick(live, 250), [{ type: 'flag', module: 'a', quietMs: 100 }]);
  });

  test('an agent the engine cannot see (a terminal) is flagged, never stopped; zero limits watch nothing', () => {
    const w = new IdleWatch({ flagMs: 100, stopMs: 200 });
    w.active('t', 0);
    const live = [{ module: 't', stoppable: false }];
    assert.deepEqual(w.tick(live, 500), [{ type: 'flag', module: 't', quietMs: 500 }]);
    assert.deepEqual(w.tick(live, 900), []);
    const off = new IdleWatch({ flagMs: 0, stopMs: 0 });
    off.active('a', 0);
    assert.deepEqual(off.tick([{ module: 'a', stoppable: true }], 10_000), []);
  });
});
