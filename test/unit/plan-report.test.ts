// The plan report: per phase and in total, figures from the recorded runs and merge results only;
// what nothing recorded reads "—", never 0.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPhaseRun } from '../../src/core/run/createRun';
import type { ModuleRecord, PhaseRun } from '../../src/core/run/model';
import { buildPlanReport, conflictPoints, type PlanPhaseInput, type RecordedMerge } from '../../src/core/report/planReport';
import { renderPlanMarkdown } from '../../src/core/report/planMarkdown';
import { planOf, readyMd } from '../support/specBuilder';

const T0 = Date.parse('2025-03-01T10:00:00.000Z');
const MIN = 60_000;
const iso = (minutes: number): string => new Date(T0 + minutes * MIN).toISOString();

const plan = planOf(
  readyMd([
    { number: 1, name: 'Core', modules: ['catalog', 'cart', 'search'] },
    { number: 2, name: 'Checkout | pay', modules: ['checkout', 'invoice'] },
    { number: 3, name: 'Later', modules: ['admin'] },
  ]),
  {},
);

/** A run of the phase whose modules ran at the given minutes (or never). */
function runOf(number: number, times: Record<string, [number, number] | null>, patch: (m: ModuleRecord) => Partial<ModuleRecord> = () => ({})): PhaseRun {
  const phase = plan.phases.find((p) => p.number === number)!;
  const run = createPhaseRun(phase, { runId: `run-${number}`, baseCommit: 'a'.repeat(40), now: iso(0), worktreeRoot: '/wt', agent: 'claude', maxParallel: 4, retries: 1 });
  run.modules = run.modules.map((m) => {
    const t = times[m.id];
    return { ...m, state: t ? 'complete' : 'pending', attempts: t ? 1 : 0, startedAt: t ? iso(t[0]) : null, finishedAt: t ? iso(t[1]) : null, ...patch(m) };
  });
  return run;
}

function input(number: number, run: PhaseRun | null, merge: RecordedMerge | null = null): PlanPhaseInput {
  const p = plan.phases.find((x) => x.number === number)!;
  return { number, name: p.name, slug: p.slug, plannedModules: p.modules.length, run, merge };
}

const merge = (mergeMinutes: number, validateMinutes: number, conflicts: RecordedMerge['conflicts'] = []): RecordedMerge => ({
  merged: [],
  conflicts,
  mergeMs: mergeMinutes * MIN,
  validateMs: validateMinutes * MIN,
  finishedAt: iso(60),
});

describe('plan report', () => {
  // Phase 1: three modules of 10 min in 12 min, one retried; merged in 1 min, validated in 1.4 min.
  const phase1 = runOf(1, { catalog: [0, 10], cart: [1, 11], search: [2, 12] }, (m) =>
    m.id === 'cart'
      ? {
          attempts: 2,
          fixRounds: 1,
          usage: { inputTokens: 12_000, outputTokens: 800, costUsd: 0.25 },
          attemptsLog: [
            { attempt: 1, startedAt: iso(1), finishedAt: iso(5), outcome: 'complete' },
            { attempt: 2, startedAt: iso(7), finishedAt: iso(11), outcome: 'complete', fix: true },
          ],
        }
      : m.id === 'catalog'
        ? { usage: { inputTokens: 3000, outputTokens: 200, costUsd: 0.05 } }
        : {},
  );
  phase1.state = 'done';
  phase1.progress = { state: 'done', fixRound: 1, startedFrom: null, integrationCommit: 'c'.repeat(40), checkpoint: 'refs/conductor/checkpoints/phase-1', reason: null, unowned: [], signature: null, updatedAt: iso(20) };
  const conflicts = [
    { module: 'cart', with: ['catalog'], file: 'src/types.ts' },
    { module: 'cart', with: ['catalog'], file: 'src/types.ts' },
    { module: 'search', with: ['catalog', 'cart'], file: 'src/index.ts' },
    { module: 'search', with: [], file: 'README.md' },
  ];
  // Phase 2: conducted (one module running), not merged; phase 3 not conducted.
  const phase2 = runOf(2, { checkout: [20, 26], invoice: null }, (m) => (m.id === 'invoice' ? { state: 'running', attempts: 1, startedAt: iso(21) } : {}));
  const report = buildPlanReport({ phases: [input(1, phase1, merge(1, 1.4, conflicts)), input(2, phase2), input(3, null)] });
  const [p1, p2, p3] = report.phases;

  test('wall time, module time over every attempt, time saved and speedup', () => {
    // catalog 10 + cart 4 + 4 + search 10 = 28 min of module time in 12 min.
    assert.equal(p1.wallTimeMs, 12 * MIN);
    assert.equal(p1.moduleTimeMs, 28 * MIN);
    assert.equal(p1.timeSavedMs, 16 * MIN);
    assert.equal(p1.speedup, 28 / 12);
    assert.equal(p2.wallTimeMs, 6 * MIN, 'the running module counts once it finishes');
    assert.equal(p2.speedup, 1);
  });

  test('integration share: merge plus validation over the phase\'s wall time', () => {
    assert.equal(p1.integrationMs, 2.4 * MIN);
    assert.ok(Math.abs(p1.integrationShare! - 0.2) < 1e-12);
    assert.equal(p2.integrationMs, null);
    assert.equal(p2.integrationShare, null);
  });

  test('attempts, fix rounds, state and checkpoint per phase', () => {
    assert.deepEqual([p1.modules, p1.attempts, p1.fixRounds, p1.state, p1.checkpoint], [3, 4, 1, 'done', 'refs/conductor/checkpoints/phase-1']);
    assert.deepEqual([p2.modules, p2.attempts, p2.fixRounds, p2.state, p2.checkpoint], [2, 2, 0, 'running', null]);
    assert.deepEqual([p3.modules, p3.attempts, p3.fixRounds, p3.state, p3.runId], [1, null, null, 'pending', null]);
  });

  test('conflicts per module pair and file, ranges counted; a side no merged module touched is the integration branch', () => {
    assert.deepEqual(p1.conflicts, [
      { a: 'cart', b: 'catalog', file: 'src/types.ts', ranges: 2 },
      { a: 'cart', b: 'search', file: 'src/index.ts', ranges: 1 },
      { a: 'catalog', b: 'search', file: 'src/index.ts', ranges: 1 },
      { a: 'search', b: null, file: 'README.md', ranges: 1 },
    ]);
    assert.equal(p1.conflictingPairs, 3, 'a conflict with the integration branch is no module pair');
    assert.equal(p1.integrationPoints, 3);
    assert.deepEqual([p2.conflicts, p2.conflictingPairs, p2.merged], [[], null, null]);
    assert.deepEqual(conflictPoints([]), []);
  });

  test('totals: sums over the phases that have the figure; the share only over merged phases', () => {
    const t = report.totals;
    assert.deepEqual([t.phases, t.modules, t.attempts, t.fixRounds, t.integrationPoints, t.conflicts, t.conflictingPairs], [3, 6, 6, 1, 4, 4, 3]);
    assert.equal(t.wallTimeMs, 18 * MIN);
    assert.equal(t.moduleTimeMs, 34 * MIN);
    assert.equal(t.timeSavedMs, 16 * MIN);
    assert.equal(t.speedup, 34 / 18);
    assert.equal(t.integrationMs, 2.4 * MIN);
    assert.ok(Math.abs(t.integrationShare! - 0.2) < 1e-12, 'phase 2 is not merged: its wall time is not in the share');
    assert.deepEqual(t.usage, { inputTokens: 15_000, outputTokens: 1000, costUsd: 0.3 });
  });

  test('nothing recorded: every measure is null, not 0', () => {
    const empty = buildPlanReport({ phases: [input(1, runOf(1, {})), input(3, null)] });
    for (const p of [...empty.phases, empty.totals]) {
      assert.deepEqual([p.wallTimeMs, p.moduleTimeMs, p.timeSavedMs, p.speedup, p.integrationMs, p.integrationShare, p.usage], [null, null, null, null, null, null, null]);
    }
    assert.equal(empty.totals.conflicts, null);
  });

  test('Markdown: totals, a row per phase with "—" for the unknown, conflicts, links', () => {
    const md = renderPlanMarkdown(report, { timeline: 'timeline.svg', phaseReports: new Map([[1, 'phase-1.md']]) });
    assert.match(md, /^# Plan report\n/);
    assert.match(md, /\| Phases \| 3 \(1 done\) \|/);
    assert.match(md, /\| Speedup \| 1\.89× \|/);
    assert.match(md, /\| Time saved \| 16 min 0 s \|/);
    assert.match(md, /\| Integration share \| 20% \(2 min 24 s\) \|/);
    assert.match(md, /\| Conflicts \| 4 in 3 of 4 pair\(s\) \|/);
    assert.match(md, /\| Tokens in \/ out \| 15\.0k \/ 1\.0k \|\n\| Cost \| \$0\.30 \|/);
    assert.match(md, /!\[Timeline of the run\]\(timeline\.svg\)/);
    assert.match(md, /\| \[1: Core\]\(phase-1\.md\) \| done \| `refs\/conductor\/checkpoints\/phase-1` \| 3 \| 4 \| 1 \| 4 in 3 of 3 pair\(s\) \| 12 min 0 s \| 28 min 0 s \| 16 min 0 s \| 2\.33× \| 20% \(2 min 24 s\) \| 15\.0k \/ 1\.0k \| \$0\.30 \|/);
    // A pipe in the phase name stays in its cell.
    assert.match(md, /\| 2: Checkout \\\| pay \| running \| — \| 2 \| 2 \| 0 \| — \| 6 min 0 s \| 6 min 0 s \| 0 ms \| 1\.00× \| — \| — \| — \|/);
    assert.match(md, /\| 3: Later \| pending \| — \| 1 \| — \| — \| — \| — \| — \| — \| — \| — \| — \| — \|/);
    assert.match(md, /### Phase 1: Core\n\n4 conflict\(s\); 3 of 3 module pair\(s\) conflicted\.\n\n\| Modules \| File \| Ranges \|\n\| --- \| --- \| --- \|\n\| cart ↔ catalog \| `src\/types\.ts` \| 2 \|/);
    assert.match(md, /\| search ↔ the integration branch \| `README\.md` \| 1 \|/);
    assert.doesNotMatch(md, /### Phase 2/);
  });
});
