import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { intoDecision, mergeNotice, mergeVerdict, type NotMerged } from '../../src/core/merge/mergeVerdict';
import { nextStep, type NotMergedCause } from '../../src/core/merge/planMerge';
import type { ModuleRecord, ModuleState } from '../../src/core/run/model';

const reasons = (entries: [string, NotMergedCause, string][]) => new Map(entries.map(([m, cause, reason]) => [m, { cause, reason }]));

function record(id: string, state: ModuleState, extra: Partial<ModuleRecord> = {}): ModuleRecord {
  return {
    id, featureId: null, wave: 1, dependsOn: [], state, attempts: 1, attemptLimit: 1, startedAt: null, finishedAt: null,
    branch: `conductor/p/${id}`, worktree: `/w/${id}`, baseCommit: null, lastSummary: null, pid: null, exitCode: null,
    reportedComplete: false, filesCreated: [], testsPassing: null, ...extra,
  };
}

describe('mergeVerdict', () => {
  test('a failed module counts: 2 of 4 merged is not ok, even when what merged validated', () => {
    const v = mergeVerdict({ modules: ['a', 'b', 'c', 'd'], merged: new Set(['a', 'c']), reasons: reasons([['b', 'failed', 'it failed'], ['d', 'dependency', 'b']]), validated: true });
    assert.equal(v.ok, false);
    assert.equal(v.partial, true);
    assert.deepEqual(v.notMerged, [{ module: 'b', cause: 'failed', reason: 'it failed' }, { module: 'd', cause: 'dependency', reason: 'b' }]);
  });

  test('nothing merged is neither ok nor a usable partial result', () => {
    const v = mergeVerdict({ modules: ['a'], merged: new Set(), reasons: reasons([['a', 'failed', 'it failed']]), validated: true });
    assert.deepEqual([v.ok, v.partial], [false, false]);
  });

  test('all merged and validated is ok; all merged but not validated is not', () => {
    assert.equal(mergeVerdict({ modules: ['a'], merged: new Set(['a']), reasons: new Map(), validated: true }).ok, true);
    const failed = mergeVerdict({ modules: ['a'], merged: new Set(['a']), reasons: new Map(), validated: false });
    assert.deepEqual([failed.ok, failed.partial], [false, false]);
  });
});

describe('intoDecision', () => {
  const partialVerdict = mergeVerdict({ modules: ['a', 'b'], merged: new Set(['a']), reasons: reasons([['b', 'conflicts', 'x']]), validated: true });
  const base = { verdict: partialVerdict, mergedCount: 1, validated: true, untrusted: false, partialAllowed: false };

  test('a partial result moves nothing without --partial, and says how', () => {
    const d = intoDecision(base);
    assert.equal(d.move, false);
    assert.match(d.move ? '' : d.why, /not every module was merged \(b\); --partial/);
  });

  test('--partial moves a validated partial result, marked partial', () => {
    assert.deepEqual(intoDecision({ ...base, partialAllowed: true }), { move: true, partial: true });
  });

  test('every reason is said at once', () => {
    const d = intoDecision({ ...base, validated: false, untrusted: true, verdict: { ...partialVerdict, partial: false } });
    assert.match(d.move ? '' : d.why, /not trusted \(pass --trust\); not every module was merged \(b\)/);
  });

  test('--partial never moves a result that did not validate, or nothing', () => {
    assert.deepEqual(intoDecision({ ...base, partialAllowed: true, validated: false, verdict: { ...partialVerdict, partial: false } }), { move: false, why: 'the validation failed' });
    const untrusted = intoDecision({ ...base, partialAllowed: true, validated: false, untrusted: true, verdict: { ...partialVerdict, partial: false } });
    assert.match(untrusted.move ? '' : untrusted.why, /not trusted/);
    assert.deepEqual(intoDecision({ ...base, partialAllowed: true, mergedCount: 0 }), { move: false, why: 'nothing was merged' });
  });
});

describe('nextStep says why a module is not merged', () => {
  test('failed with its summary, incomplete with its state, dependencies by name', () => {
    const failed = nextStep(record('b', 'failed', { lastSummary: 'cannot reach the database' }), new Set(), new Map());
    assert.deepEqual(failed.type === 'skip' && [failed.cause, failed.reason], ['failed', 'it failed: cannot reach the database']);
    const blocked = nextStep(record('d', 'blocked'), new Set(), new Map());
    assert.deepEqual(blocked.type === 'skip' && [blocked.cause, blocked.reason], ['incomplete', 'it is blocked, not complete']);
    const dep = nextStep(record('c', 'complete', { dependsOn: ['a'] }), new Set(), new Map([['a', 'conflicts']]));
    assert.deepEqual(dep.type === 'skip' && [dep.cause, dep.reason], ['dependency', 'its dependencies were not merged: a (conflicts)']);
  });
});

describe('mergeNotice', () => {
  const notMerged: NotMerged[] = [{ module: 'b', cause: 'failed', reason: '' }, { module: 'd', cause: 'incomplete', reason: '' }];
  test('names the modules left out', () => {
    assert.equal(
      mergeNotice({ phase: 2, ok: false, integrationBranch: 'conductor/integration/p', merged: ['a', 'c'], notMerged, conflicts: [], failedChecks: 0 }),
      'Phase 2: 2 of 4 modules merged into conductor/integration/p; not merged: b (failed), d (incomplete).',
    );
  });
  test('a clean phase says so', () => {
    assert.equal(
      mergeNotice({ phase: 1, ok: true, integrationBranch: 'i', merged: ['a'], notMerged: [], conflicts: [], failedChecks: 0 }),
      'Phase 1 merged and validated: 1 of 1 module merged into i.',
    );
  });
});
