// The periodic conflict prediction runs one at a time per phase: a tick while one is under way is
// skipped (hundreds of modules make a prediction outlast the interval; overlapping ones piled up).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { OneAtATime } from '../../src/core/merge/oneAtATime';

function deferred(): { promise: Promise<void>; resolve: () => void; reject: (e: Error) => void } {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('OneAtATime', () => {
  test('skips work for a key while the last work for it is under way, then runs it again', async () => {
    const once = new OneAtATime();
    const first = deferred();
    let started = 0;
    const work = (): Promise<void> => {
      started++;
      return first.promise;
    };
    assert.equal(once.run('phase-1', work), true);
    await settle();
    assert.equal(once.run('phase-1', work), false, 'the second tick is skipped');
    assert.equal(once.run('phase-1', work), false, 'and the third');
    assert.equal(started, 1);
    first.resolve();
    await settle();
    assert.equal(once.running('phase-1'), false);
    assert.equal(once.run('phase-1', () => (started++, Promise.resolve())), true);
    await settle();
    assert.equal(started, 2);
  });

  test('keys are independent', async () => {
    const once = new OneAtATime();
    const a = deferred();
    assert.equal(once.run('a', () => a.promise), true);
    assert.equal(once.run('b', () => Promise.resolve()), true);
    await settle();
    assert.equal(once.running('a'), true);
    assert.equal(once.running('b'), false);
    a.resolve();
  });

  test('work that fails, or throws at once, frees its key', async () => {
    const once = new OneAtATime();
    const failing = deferred();
    once.run('k', () => failing.promise);
    failing.reject(new Error('git failed'));
    await settle();
    assert.equal(once.running('k'), false);
    once.run('k', () => {
      throw new Error('at once');
    });
    await settle();
    assert.equal(once.running('k'), false);
  });
});
