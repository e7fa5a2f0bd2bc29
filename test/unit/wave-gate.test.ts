// --validate-waves' pure planner: which starts wait for a check of their dependencies' merged result,
// and what a check's outcome means (passed, a fix for the dependency that owns the findings, blocked).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { contractFor, planOf, readyMd } from '../support/specBuilder';
import { createPhaseRun, resumePhaseRun } from '../../src/core/run/createRun';
import { decide, type Action } from '../../src/core/run/decide';
import type { ModuleState, PhaseRun } from '../../src/core/run/model';
import type { MergeOutcome } from '../../src/core/planRun/outcome';
import { checkFor, gateStarts, judgeWaveCheck, withWaveCheck } from '../../src/core/run/waveGate';

// a → b → c, and d on its own: wave 1 is a and d, wave 2 b, wave 3 c.
const plan = planOf(readyMd([{ number: 1, name: 'Base', modules: ['a', 'b', 'c', 'd'], extra: ['#### Check Commands', '- `tsc`'] }]), {
  'contracts/a.md': contractFor('a'),
  'contracts/b.md': contractFor('b', ['feature-a']),
  'contracts/c.md': contractFor('c', ['feature-b']),
  'contracts/d.md': contractFor('d'),
});

function runWith(states: Record<string, ModuleState>, heads: Record<string, string> = {}): PhaseRun {
  const run = createPhaseRun(plan.phases[0], { runId: 'r', baseCommit: 'base', now: '2026-01-01T00:00:00Z', worktreeRoot: '/w', agent: 'x', maxParallel: 4, retries: 1 });
  return {
    ...run,
    modules: run.modules.map((m) => {
      const state = states[m.id] ?? 'pending';
      const done = state === 'complete';
      return { ...m, state, attempts: done ? 1 : 0, verifiedHead: done ? (heads[m.id] ?? `${m.id}1`) : null };
    }),
  };
}

const outcome = (extra: Partial<MergeOutcome> = {}): MergeOutcome => ({
  integrationBranch: 'conductor/integration/phase-1-base.waves',
  integrationCommit: 'c0ffee',
  merged: ['a'],
  notMerged: [],
  conflicts: [],
  validation: [],
  ok: true,
  ...extra,
});

const failing = (module: string): MergeOutcome =>
  outcome({
    ok: false,
    validation: [
      {
        kind: 'check-command',
        command: 'tsc',
        exitCode: 2,
        durationMs: 1,
        outputTail: 'src/a.ts(3,1): error TS2322',
        findings: [{ source: 'check-command', severity: 'error', file: 'src/a.ts', line: 3, column: 1, message: 'TS2322: not assignable', module }],
      },
    ],
  });

const starts = (actions: Action[]) => actions.filter((a) => a.type === 'start').map((a) => (a as { module: string }).module);

describe('gateStarts', () => {
  test('modules without same-phase dependencies start at once; one whose dependencies completed waits for a check of them', () => {
    const first = decide(runWith({}), { restartInterrupted: true });
    const gatedFirst = gateStarts(runWith({}), first.actions, new Set());
    assert.deepEqual(starts(gatedFirst.actions), ['a', 'd']);
    assert.deepEqual(gatedFirst.checks, []);

    const run = runWith({ a: 'complete', d: 'complete' });
    const gated = gateStarts(run, decide(run, { restartInterrupted: true }).actions, new Set());
    assert.deepEqual(starts(gated.actions), []);
    assert.deepEqual(gated.checks, [{ key: 'a@a1', deps: ['a'], heads: ['a1'] }]);
    // While that check runs, it is not asked for again.
    assert.deepEqual(gateStarts(run, decide(run, { restartInterrupted: true }).actions, new Set(['a@a1'])).checks, []);
  });

  test('the check covers dependencies transitively, at their verified tips', () => {
    const run = runWith({ a: 'complete', b: 'complete' }, { a: 'aaa', b: 'bbb' });
    assert.deepEqual(checkFor(run, 'c'), { key: 'a,b@aaa,bbb', deps: ['a', 'b'], heads: ['aaa', 'bbb'] });
    assert.equal(checkFor(run, 'a'), null);
  });

  test('a passed check lets the module start; new work on a dependency (another tip) needs a new check', () => {
    const run = runWith({ a: 'complete', d: 'complete' });
    const { record } = judgeWaveCheck(run, checkFor(run, 'b')!, outcome(), 2, 't1');
    assert.equal(record.passed, true);
    const checked = withWaveCheck(run, record);
    assert.deepEqual(starts(gateStarts(checked, decide(checked, { restartInterrupted: true }).actions, new Set()).actions), ['b']);

    const moved = { ...checked, modules: checked.modules.map((m) => (m.id === 'a' ? { ...m, verifiedHead: 'a2' } : m)) };
    const gated = gateStarts(moved, decide(moved, { restartInterrupted: true }).actions, new Set());
    assert.deepEqual([starts(gated.actions), gated.checks.map((c) => c.key)], [[], ['a@a2']]);
  });

  test('a failed check sends its findings back to the dependency that owns them; with no fix left, the waiting module is blocked with why', () => {
    const run = runWith({ a: 'complete', d: 'complete' });
    const request = checkFor(run, 'b')!;
    const first = judgeWaveCheck(run, request, failing('a'), 1, 't1');
    assert.equal(first.record.passed, false);
    assert.deepEqual(first.fixes.map((f) => [f.module, f.findings.map((x) => `${x.file}:${x.line} ${x.message}`)]), [['a', ['src/a.ts:3 TS2322: not assignable']]]);
    assert.match(first.record.summary, /a: 1 finding\(s\); sent back \(round 1 of 1\)/);

    // The fix round is spent (--fix-rounds 1): the same check failing again blocks b, saying why.
    const after = withWaveCheck(run, first.record);
    const again = { ...after, modules: after.modules.map((m) => (m.id === 'a' ? { ...m, verifiedHead: 'a2' } : m)) };
    const second = judgeWaveCheck(again, checkFor(again, 'b')!, failing('a'), 1, 't2');
    assert.deepEqual(second.fixes, []);
    const blocked = withWaveCheck(again, second.record);
    const gated = gateStarts(blocked, decide(blocked, { restartInterrupted: true }).actions, new Set());
    const block = gated.actions.find((a) => a.type === 'block');
    assert.deepEqual(block && block.type === 'block' && [block.module, block.by], ['b', ['a']]);
    assert.match(block && block.type === 'block' ? (block.why ?? '') : '', /merged result of a failed the phase's checks \(.*still after 1 fix round/);
  });

  test('findings no dependency owns, or a conflict between them, block without a fix', () => {
    const run = runWith({ a: 'complete', b: 'complete' });
    const unowned = judgeWaveCheck(run, checkFor(run, 'c')!, failing('someone-else'), 2, 't');
    assert.deepEqual([unowned.record.passed, unowned.fixes], [false, []]);
    const conflict = judgeWaveCheck(run, checkFor(run, 'c')!, outcome({ ok: false, conflicts: [{ module: 'b', with: ['a'], file: 'src/x.ts', startLine: 1, endLine: 2 }] }), 2, 't');
    assert.deepEqual([conflict.record.passed, conflict.record.summary, conflict.fixes], [false, 'they conflict in src/x.ts', []]);
  });

  test('conducting the phase again forgets failed checks (the work may have been fixed by hand) and keeps passed ones', () => {
    const run = runWith({ a: 'complete', b: 'complete' });
    const judged = [judgeWaveCheck(run, checkFor(run, 'b')!, outcome(), 2, 't1'), judgeWaveCheck(run, checkFor(run, 'c')!, failing('x'), 2, 't2')];
    const checked = judged.reduce((r, j) => withWaveCheck(r, j.record), run);
    const resumed = resumePhaseRun(checked, { ...run, waveChecks: undefined });
    assert.deepEqual(resumed.waveChecks?.map((r) => [r.deps.join(','), r.passed]), [['a', true]]);
  });
});
