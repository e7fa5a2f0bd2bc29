import { test } from 'node:test';
import assert from 'node:assert/strict';
import { freshCall } from '../../src/core/run/freshCall';

/** A call whose results the test hands out one by one. */
function controlled() {
  const pending: ((v: number) => void)[] = [];
  let calls = 0;
  const call = () => {
    calls++;
    return new Promise<number>((resolve) => pending.push(resolve));
  };
  return { call, calls: () => calls, finish: (v: number) => pending.shift()!(v) };
}

test('freshCall: callers during a call share the next one, never the call that was under way when they asked', async () => {
  const c = controlled();
  const read = freshCall(c.call);
  const first = read();
  const second = read();
  const third = read();
  assert.equal(c.calls(), 1);
  c.finish(1);
  assert.equal(await first, 1);
  await Promise.resolve();
  await new Promise((r) => setImmediate(r));
  assert.equal(c.calls(), 2, 'the two that waited share one new call');
  c.finish(2);
  assert.deepEqual(await Promise.all([second, third]), [2, 2]);
  const later = read();
  assert.equal(c.calls(), 3, 'a caller when nothing runs starts at once');
  c.finish(3);
  assert.equal(await later, 3);
});

test('freshCall: a failed call fails its callers only; the next callers get a new call', async () => {
  let n = 0;
  const read = freshCall(async () => {
    n++;
    if (n === 1) throw new Error('boom');
    return n;
  });
  const failed = read();
  const waiting = read();
  await assert.rejects(failed, /boom/);
  assert.equal(await waiting, 2);
});
