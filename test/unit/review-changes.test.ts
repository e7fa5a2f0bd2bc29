// Review Changes' pure part: the files git names, what each side of their diff shows, and what a
// module or a phase is compared against (src/core/view/reviewChanges.ts).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { contractFor, planOf, readyMd } from '../support/specBuilder';
import { createPhaseRun } from '../../src/core/run/createRun';
import { gitQuery, moduleReview, parseGitQuery, parseNameStatus, phaseReview, reviewEntries, withUntracked } from '../../src/core/view/reviewChanges';

const plan = planOf(readyMd([{ number: 1, name: 'Base', modules: ['a'] }]), { 'contracts/a.md': contractFor('a') });
const run = createPhaseRun(plan.phases[0], { runId: 'r', baseCommit: 'c0ffee', now: '2026-01-01T00:00:00Z', worktreeRoot: '/w', agent: 'x', maxParallel: 1, retries: 0 });
const BASE = 'a'.repeat(40);
const TIP = 'b'.repeat(40);

describe('changed files', () => {
  test('name-status: added, modified (type changes and unmerged too), deleted; paths with spaces', () => {
    const out = ['A', 'src/a/new file.js', 'M', 'src/shared.ts', 'D', 'old.txt', 'T', 'link', 'U', 'conflicted.ts', ''].join('\0');
    assert.deepEqual(parseNameStatus(out), [
      { path: 'src/a/new file.js', kind: 'added' },
      { path: 'src/shared.ts', kind: 'modified' },
      { path: 'old.txt', kind: 'deleted' },
      { path: 'link', kind: 'modified' },
      { path: 'conflicted.ts', kind: 'modified' },
    ]);
    assert.deepEqual(parseNameStatus(''), []);
  });

  test('untracked files are added, once, and the list is sorted by path', () => {
    const files = withUntracked([{ path: 'src/b.js', kind: 'modified' }], 'src/a.js\0src/b.js\0notes.md\0');
    assert.deepEqual(files, [
      { path: 'notes.md', kind: 'added' },
      { path: 'src/a.js', kind: 'added' },
      { path: 'src/b.js', kind: 'modified' },
    ]);
  });
});

describe('the sides of each diff', () => {
  const files = [
    { path: 'added.js', kind: 'added' as const },
    { path: 'changed.js', kind: 'modified' as const },
    { path: 'gone.js', kind: 'deleted' as const },
  ];

  test('against the worktree: the base commit on the left, the file on disk on the right; nothing for an added file\'s left or a deleted file\'s right', () => {
    assert.deepEqual(reviewEntries(files, BASE, null), [
      { path: 'added.js', original: null, modified: { kind: 'disk' } },
      { path: 'changed.js', original: { kind: 'commit', commit: BASE }, modified: { kind: 'disk' } },
      { path: 'gone.js', original: { kind: 'commit', commit: BASE }, modified: null },
    ]);
  });

  test('against a commit: both sides read from git', () => {
    assert.deepEqual(reviewEntries(files.slice(1, 2), BASE, TIP), [{ path: 'changed.js', original: { kind: 'commit', commit: BASE }, modified: { kind: 'commit', commit: TIP } }]);
  });

  test('the git uri\'s query round-trips; anything else is refused', () => {
    assert.deepEqual(parseGitQuery(gitQuery(BASE, 'src/a b&c=d.js')), { commit: BASE, path: 'src/a b&c=d.js' });
    assert.equal(parseGitQuery('commit=HEAD&path=x'), null, 'only commit ids, never a revision git would interpret');
    assert.equal(parseGitQuery(`commit=${BASE}`), null);
    assert.equal(parseGitQuery(''), null);
  });
});

describe('what is compared', () => {
  const record = { ...run.modules[0], baseCommit: BASE };

  test('a module: its worktree against the commit it started from; its branch tip when the worktree is gone', () => {
    assert.deepEqual(moduleReview({ number: 1 }, record, '/repo', true), { title: 'a (Phase 1): changes', dir: record.worktree, base: BASE, tip: null });
    assert.deepEqual(moduleReview({ number: 1 }, record, '/repo', false), { title: 'a (Phase 1): changes', dir: '/repo', base: BASE, tip: record.branch });
  });

  test('a module that has not started has nothing to review', () => {
    assert.match(JSON.stringify(moduleReview({ number: 1 }, { ...record, baseCommit: null }, '/repo', true)), /a has not started yet/);
  });

  test('a phase: its integration branch\'s tip, else its checkpoint, against the commit it started from', () => {
    assert.deepEqual(phaseReview(run, '/repo', TIP, BASE), { title: 'Phase 1: Base — integration result', dir: '/repo', base: 'c0ffee', tip: TIP });
    assert.equal((phaseReview(run, '/repo', null, BASE) as { tip: string }).tip, BASE);
    assert.match(JSON.stringify(phaseReview(run, '/repo', null, null)), /no integration result yet: run Merge & Validate first/);
  });
});
