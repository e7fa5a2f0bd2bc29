// The pure half of resolving a conflict by hand: git's unmerged index, the markers left in files,
// and whose merge MERGE_HEAD is.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { commitRefusal, markerRanges, moduleAt, parseUnmerged } from '../../src/core/merge/resolution';
import { mergeMessage } from '../../src/core/merge/planMerge';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const C = 'c'.repeat(40);

describe('conflict resolution decisions', () => {
  test('parseUnmerged groups the stages of each path; a side without the file has no blob', () => {
    const out = [`100644 ${A} 1\tsrc/x.ts`, `100644 ${B} 2\tsrc/x.ts`, `100644 ${C} 3\tsrc/x.ts`, `100644 ${B} 2\ta b\tc.md`, `100644 ${C} 3\ta b\tc.md`, ''].join('\0');
    assert.deepEqual(parseUnmerged(out), [
      { path: 'a b\tc.md', base: null, ours: B, theirs: C },
      { path: 'src/x.ts', base: A, ours: B, theirs: C },
    ]);
    assert.deepEqual(parseUnmerged(''), []);
  });

  test('markerRanges: 1-based lines of each block, markers included; commitRefusal names the files that keep them', () => {
    const text = 'one\n<<<<<<< HEAD\na\n=======\nb\n>>>>>>> refs/heads/x\nthree\n';
    assert.deepEqual(markerRanges(text), [{ startLine: 2, endLine: 6 }]);
    assert.equal(commitRefusal([{ path: 'x', text }, { path: 'y', text: 'fine\n' }, { path: 'gone', text: null }]), 'x still holds conflict markers; resolve it (Resolve in Merge Editor) and save first');
    assert.equal(commitRefusal([{ path: 'y', text: 'fine\n' }, { path: 'gone', text: null }]), null);
  });

  test('moduleAt: the module whose branch tip is MERGE_HEAD', () => {
    assert.equal(moduleAt(B, [{ module: 'a', tip: A }, { module: 'b', tip: B }, { module: 'c', tip: null }]), 'b');
    assert.equal(moduleAt(C, [{ module: 'a', tip: A }]), null);
  });

  test('mergeMessage: the module, its feature and its contract', () => {
    assert.equal(mergeMessage({ id: 'cart', featureId: 'F-2' }, 'contracts/cart.md'), 'conductor: merge cart (F-2, contracts/cart.md)');
    assert.equal(mergeMessage({ id: 'cart', featureId: null }, null), 'conductor: merge cart ()');
  });
});
