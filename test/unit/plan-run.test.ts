// The pure planners of a plan run: nextPlanStep (which phase, what next), afterMerge (done, a fix
// round, or failed) and planRollback.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { contractFor, planOf, readyMd } from '../support/specBuilder';
import { createPhaseRun } from '../../src/core/run/createRun';
import type { PhaseProgress, PhaseRun, RunStateFile } from '../../src/core/run/model';
import { nextPlanStep, phaseState } from '../../src/core/planRun/planStep';
import { afterMerge, findingsByModule, findingsSignature } from '../../src/core/planRun/fixRound';
import type { MergeOutcome } from '../../src/core/planRun/outcome';
import { backupStamp, describeRollback, planRollback } from '../../src/core/planRun/rollbackPlan';
import type { Plan } from '../../src/core/model';

const plan: Plan = planOf(
  readyMd([
    { number: 1, name: 'Base', modules: ['a', 'b'] },
    { number: 2, name: 'Shop', modules: ['c', 'd'], extra: ['**Gate:** manual'] },
    { number: 3, name: 'Finish', modules: ['e'] },
  ]),
  Object.fromEntries(['a', 'b', 'c', 'd', 'e'].map((m) => [`contracts/${m}.md`, contractFor(m)])),
);

function runOf(n: number, progress: Partial<PhaseProgress> | null, modules: 'complete' | 'pending' = 'complete'): PhaseRun {
  const run = createPhaseRun(plan.phases[n - 1], { runId: 'r', baseCommit: 'base', now: '2026-01-01T00:00:00Z', worktreeRoot: '/w', agent: 'x', maxParallel: 2, retries: 1 });
  return {
    ...run,
    state: 'done',
    modules: run.modules.map((m) => ({ ...m, state: modules, attempts: modules === 'complete' ? 1 : 0 })),
    progress: progress === null ? null : { state: 'pending', fixRound: 0, startedFrom: null, integrationCommit: null, checkpoint: null, reason: null, unowned: [], signature: null, updatedAt: '', ...progress },
  };
}

const stateOf = (...runs: PhaseRun[]): RunStateFile => ({ version: 1, phases: Object.fromEntries(runs.map((r) => [r.slug, r])) });
const all = { range: { from: 1, to: 3 }, approved: new Set<number>() };

describe('nextPlanStep', () => {
  test('a new plan starts with phase 1, from HEAD', () => {
    const step = nextPlanStep(plan, stateOf(), all);
    assert.equal(step.type, 'conduct');
    assert.deepEqual(step.type === 'conduct' && [step.phase.number, step.startFrom], [1, { kind: 'head' }]);
  });

  test('a done phase is passed; the next one waits at its gate unless approved, then starts from the phase before', () => {
    const state = stateOf(runOf(1, { state: 'done' }));
    const gated = nextPlanStep(plan, state, all);
    assert.equal(gated.type, 'stop');
    assert.match(gated.type === 'stop' ? gated.reason : '', /phase 2 \(Shop\) has "Gate: manual".*--approve 2/);
    const approved = nextPlanStep(plan, state, { ...all, approved: new Set([2]) });
    assert.deepEqual(approved.type === 'conduct' && [approved.phase.number, approved.startFrom], [2, { kind: 'phases', phases: [{ number: 1, slug: 'phase-1-base' }] }]);
  });

  test('a done phase built on an earlier result of a phase that changed since is stale: the run stops and says how to roll it back', () => {
    const one = (commit: string, state: PhaseProgress['state'] = 'done') => runOf(1, { state, integrationCommit: commit });
    const two = runOf(2, { state: 'done', integrationCommit: 'i2', builtOn: { '1': 'aaaaaaaa1' } });
    const current = nextPlanStep(plan, stateOf(one('aaaaaaaa1'), two), { ...all, approved: new Set([2]) });
    assert.deepEqual([current.type, current.type === 'conduct' && current.phase.number], ['conduct', 3], 'built on the current result: not stale');

    // Phase 1 was sent back to fix: it goes first; once done again elsewhere, phase 2 is stale.
    const fixing = nextPlanStep(plan, stateOf(one('aaaaaaaa1', 'fixing'), two), all);
    assert.deepEqual([fixing.type, fixing.type === 'conduct' && fixing.phase.number], ['conduct', 1]);
    const stale = nextPlanStep(plan, stateOf(one('bbbbbbbb2'), two), all);
    assert.equal(stale.type, 'stop');
    assert.deepEqual(stale.type === 'stop' && [stale.phase.number, stale.exit], [2, 'failed']);
    assert.match(stale.type === 'stop' ? stale.reason : '', /phase 2 was built on phase 1's result at aaaaaaaa, and phase 1 is done again at bbbbbbbb: roll phase 2 back .*conductor rollback 2/);
  });

  test('merging or validating when the previous run stopped: merge again', () => {
    for (const s of ['merging', 'validating'] as const) {
      const step = nextPlanStep(plan, stateOf(runOf(1, { state: s })), all);
      assert.deepEqual([step.type, step.type === 'merge' && step.phase.number], ['merge', 1]);
    }
  });

  test('a phase conducted alone (no progress): merge when every module completed, failed when not', () => {
    assert.equal(phaseState(runOf(1, null)), 'merging');
    assert.equal(phaseState(runOf(1, null, 'pending')), 'failed');
    assert.equal(phaseState(undefined), 'pending');
  });

  test('a failed phase stops the run; a range whose dependency is not done is refused', () => {
    const failed = nextPlanStep(plan, stateOf(runOf(1, { state: 'failed', reason: 'a is broken' })), all);
    assert.deepEqual(failed.type === 'stop' && [failed.exit, failed.reason], ['failed', 'a is broken']);
    const outOfOrder = nextPlanStep(plan, stateOf(), { range: { from: 3, to: 3 }, approved: new Set() });
    assert.match(outOfOrder.type === 'stop' ? outOfOrder.reason : '', /depends on phase 2, which is not done: run it first \(conductor run 2\.\.3\)/);
  });

  test('every phase done: finished with the last one', () => {
    const step = nextPlanStep(plan, stateOf(runOf(1, { state: 'done' }), runOf(2, { state: 'done' }), runOf(3, { state: 'done' })), all);
    assert.deepEqual(step.type === 'finished' && step.last?.number, 3);
  });
});

function outcome(over: Partial<MergeOutcome>): MergeOutcome {
  return { integrationBranch: 'conductor/integration/phase-1-base', integrationCommit: 'tip', merged: ['a', 'b'], notMerged: [], conflicts: [], validation: [], ok: false, ...over };
}

const failingTest = (module: string | null, line = 2): MergeOutcome['validation'][number] => ({
  kind: 'test-command',
  command: 'node check.mjs',
  exitCode: 1,
  durationMs: 5,
  outputTail: 'src/x.txt:2:1: error: broken',
  findings: [{ source: 'test-command', file: 'src/x.txt', line, column: 1, severity: 'error', message: 'broken', module }],
});

describe('afterMerge', () => {
  const run = runOf(1, { state: 'merging' });
  const input = { run, fixRounds: 2, round: 0, previousSignature: null };

  test('clean: done', () => {
    assert.deepEqual(afterMerge({ ...input, outcome: outcome({ ok: true }) }), { type: 'done' });
  });

  test('findings and conflicts go to their modules, verbatim, with the command and its output', () => {
    const o = outcome({
      merged: ['a'],
      notMerged: [{ module: 'b', cause: 'conflicts', reason: 'it conflicts in src/x.txt' }],
      conflicts: [{ module: 'b', with: ['a'], file: 'src/x.txt', startLine: 4, endLine: 4 }],
      validation: [failingTest('a')],
    });
    const d = afterMerge({ ...input, outcome: o });
    assert.equal(d.type, 'fix');
    if (d.type !== 'fix') return;
    assert.equal(d.round, 1);
    assert.deepEqual(
      d.assignments.map((a) => [a.module, a.conflict, a.findings.map((f) => [f.source, f.file, f.line, f.command ?? null])]),
      [
        ['b', true, [['conflict', 'src/x.txt', 4, null]]],
        ['a', false, [['test-command', 'src/x.txt', 2, 'node check.mjs']]],
      ],
    );
    assert.equal(d.assignments[1].findings[0].outputTail, 'src/x.txt:2:1: error: broken');
  });

  test('the rounds are bounded; a round that changed nothing stops early', () => {
    const o = outcome({ validation: [failingTest('a')] });
    const spent = afterMerge({ ...input, outcome: o, round: 2 });
    assert.match(spent.type === 'failed' ? spent.reason : '', /a: 1 finding\(s\) still after 2 fix round\(s\) \(--fix-rounds 2\)/);
    const same = afterMerge({ ...input, outcome: o, round: 1, previousSignature: findingsSignature(findingsByModule(run, o).owned) });
    assert.match(same.type === 'failed' ? same.reason : '', /fix round 1 left the same findings as the round before/);
    const moved = afterMerge({ ...input, outcome: outcome({ validation: [failingTest('a', 3)] }), round: 1, previousSignature: findingsSignature(findingsByModule(run, o).owned) });
    assert.equal(moved.type, 'fix');
  });

  test('findings no module owns go to the user; a module that failed by itself cannot be fixed by a round', () => {
    const unowned = afterMerge({ ...input, outcome: outcome({ validation: [failingTest(null)] }) });
    assert.equal(unowned.type, 'failed');
    assert.deepEqual(unowned.type === 'failed' && unowned.unowned.map((f) => f.message), ['broken']);
    const failed = afterMerge({ ...input, outcome: outcome({ merged: ['a'], notMerged: [{ module: 'b', cause: 'failed', reason: 'it failed: gave up' }] }) });
    assert.match(failed.type === 'failed' ? failed.reason : '', /not merged: b \(it failed: gave up\)/);
  });
});

describe('planRollback', () => {
  test('rolls back the phase and every later one with a record, to the checkpoint before', () => {
    const state = stateOf(runOf(1, { state: 'done' }), runOf(2, { state: 'done' }), runOf(3, { state: 'failed' }));
    const r = planRollback(plan, state, 2);
    assert.ok(!('error' in r));
    assert.deepEqual([r.phases.map((p) => p.number), r.toCheckpointOf?.number, r.baseCommit], [[2, 3], 1, null]);
    const first = planRollback(plan, state, 1);
    assert.ok(!('error' in first));
    assert.deepEqual([first.phases.map((p) => p.number), first.toCheckpointOf, first.baseCommit], [[1, 2, 3], null, 'base']);
  });

  test('a phase conducted before the one it follows was done goes back to where it started', () => {
    const r = planRollback(plan, stateOf(runOf(1, { state: 'failed' }), runOf(2, { state: 'done' })), 2);
    assert.ok(!('error' in r));
    assert.deepEqual([r.phases.map((p) => p.number), r.toCheckpointOf, r.baseCommit], [[2], null, 'base']);
  });

  test('refuses what it cannot do, saying why', () => {
    assert.match((planRollback(plan, stateOf(runOf(1, { state: 'done' })), 2) as { error: string }).error, /nothing to roll back/);
    assert.match((planRollback(plan, stateOf(), 9) as { error: string }).error, /the plan has no phase 9/);
  });
});

describe('describeRollback: what the confirmation says it resets', () => {
  test('each later phase\'s integration branch, the checkpoint it goes back to, the backup ref, pending again, the checkout untouched', () => {
    const state = stateOf(runOf(1, { state: 'done' }), runOf(2, { state: 'done' }), runOf(3, { state: 'done' }));
    const r = planRollback(plan, state, 2);
    assert.ok(!('error' in r));
    const text = describeRollback(r, { commit: '0123456789abcdef', checkpointRef: 'refs/conductor/checkpoints/phase-1' }, '20260102T030405Z');
    assert.equal(text.message, 'Roll back phase 2 (Shop) and phase 3 after it?');
    assert.deepEqual(text.detail, [
      "Integration branches reset to phase 1's checkpoint refs/conductor/checkpoints/phase-1 (01234567):",
      `  conductor/integration/${plan.phases[1].slug} (phase 2: Shop)`,
      `  conductor/integration/${plan.phases[2].slug} (phase 3: Finish)`,
      'Their old tips, checkpoints and module branches are kept under refs/conductor/backup/20260102T030405Z/; their status files, prompts, logs and merge results move to .conductor/backup/20260102T030405Z/.',
      'Their module and integration worktrees are removed (one with uncommitted changes stops the rollback, unless you choose to discard them).',
      'Phases 2, 3 go back to pending: conducting again starts them over.',
      'Your checkout (its branch and files) is not touched.',
    ]);
  });

  test('the first phase goes back to where it started', () => {
    const r = planRollback(plan, stateOf(runOf(1, { state: 'done' })), 1);
    assert.ok(!('error' in r));
    const text = describeRollback(r, { commit: 'base0000ffff', checkpointRef: null }, 's');
    assert.equal(text.message, 'Roll back phase 1 (Base)?');
    assert.equal(text.detail[0], 'Integration branches reset to base0000, where phase 1 started:');
    assert.match(text.detail.join('\n'), /Phase 1 goes back to pending: conducting again starts it over\./);
  });

  test('the backup stamp is the time to the second, as conductor rollback names it', () => {
    assert.equal(backupStamp(new Date('2026-01-02T03:04:05.678Z')), '20260102T030405Z');
  });
});

describe('the fix round prompt section', () => {
  test('carries each finding verbatim, the conflict instructions, and each command\'s output once', async () => {
    const { fixFindingsSection } = await import('../../src/core/agents/fixSection');
    const text = fixFindingsSection(
      [
        { source: 'conflict', file: 'src/x.txt', line: 4, message: 'merging your branch conflicts with a' },
        { source: 'test-command', file: 'src/y.txt', line: 2, message: 'expected 42\ngot 41', command: 'npm test', outputTail: 'FAIL y\n```\nnested fence' },
        { source: 'test-command', file: 'src/y.txt', line: 9, message: 'second', command: 'npm test', outputTail: 'FAIL y\n```\nnested fence' },
      ],
      'conductor/integration/phase-1-base',
    );
    assert.match(text, /^- `src\/x\.txt:4` — conflict: merging your branch conflicts with a$/m);
    assert.match(text, /^- `src\/y\.txt:2` — test-command: expected 42 got 41$/m);
    assert.match(text, /### Resolving the conflict[\s\S]*`conductor\/integration\/phase-1-base`[\s\S]*`src\/x\.txt`/);
    assert.equal(text.match(/### Output of `npm test`/g)?.length, 1);
    // Output holding a fence is fenced with a longer one, so it cannot end the block.
    assert.match(text, /````text\nFAIL y\n```\nnested fence\n````/);
    assert.equal(fixFindingsSection([], null), '');
  });
});
