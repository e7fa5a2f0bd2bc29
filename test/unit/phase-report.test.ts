import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { PlannedPhase } from '../../src/core/model';
import { createPhaseRun } from '../../src/core/run/createRun';
import type { ModuleRecord, PhaseRun } from '../../src/core/run/model';
import { buildPhaseReport, renderReportMarkdown, type PhaseReportInput, type ValidationSummaryInput } from '../../src/core/report/phaseReport';
import type { Finding } from '../../src/core/validate/findings';
import { planOf, readyMd } from '../support/specBuilder';

const T0 = Date.parse('2025-03-01T10:00:00.000Z');
const MIN = 60_000;
const iso = (ms: number): string => new Date(T0 + ms).toISOString();

function phaseWith(modules: string[]): PlannedPhase {
  const plan = planOf(readyMd([{ number: 1, name: 'Storefront', modules }]), {});
  return plan.phases[0];
}

/** A run whose modules started and finished at the given minutes. */
function runOf(phase: PlannedPhase, times: Record<string, [number, number] | null>, patch: (m: ModuleRecord) => Partial<ModuleRecord> = () => ({})): PhaseRun {
  const run = createPhaseRun(phase, {
    runId: 'run-1', baseCommit: 'a'.repeat(40), now: iso(0), worktreeRoot: '/wt', agent: 'claude', maxParallel: 4, retries: 1,
  });
  run.modules = run.modules.map((m) => {
    const t = times[m.id];
    return {
      ...m,
      state: t ? 'complete' : 'pending',
      attempts: t ? 1 : 0,
      startedAt: t ? iso(t[0] * MIN) : null,
      finishedAt: t ? iso(t[1] * MIN) : null,
      ...patch(m),
    };
  });
  return run;
}

function finding(partial: Partial<Finding>): Finding {
  return { source: 'test-command', file: null, line: null, column: null, severity: 'error', message: 'x', module: null, ...partial };
}

function step(kind: ValidationSummaryInput['kind'], durationMs: number, findings: Finding[] = [], extra: Partial<ValidationSummaryInput> = {}): ValidationSummaryInput {
  return { kind, command: kind === 'test-command' ? 'npm test' : null, exitCode: kind === 'test-command' ? 0 : null, durationMs, outputTail: '', findings, ...extra };
}

describe('phase metrics', () => {
  const phase = phaseWith(['catalog', 'cart', 'search']);

  test('3 modules of 10 min each over a 12 min wall time: speedup 2.5', () => {
    const run = runOf(phase, { catalog: [0, 10], cart: [1, 11], search: [2, 12] });
    const { metrics } = buildPhaseReport({ phase, run, filesChanged: new Map() });
    assert.equal(metrics.modules, 3);
    assert.equal(metrics.wallTimeMs, 12 * MIN);
    assert.equal(metrics.moduleTimeMs, 30 * MIN);
    assert.equal(metrics.speedup, 2.5);
  });

  test('integration share: merge plus validation over the wall time', () => {
    const run = runOf(phase, { catalog: [0, 10], cart: [0, 10], search: [0, 10] });
    const healthy = buildPhaseReport({
      phase, run, filesChanged: new Map(),
      merge: { merged: ['catalog', 'cart', 'search'], conflicts: [], durationMs: 0.5 * MIN },
      validation: [step('expected-files', 0), step('test-command', 1 * MIN), step('todo-scan', 0.5 * MIN)],
    }).metrics;
    assert.equal(healthy.integrationMs, 2 * MIN);
    assert.equal(healthy.integrationShare, 0.2);
    assert.equal(healthy.integrationHealth, 'healthy');

    const poor = buildPhaseReport({ phase, run, filesChanged: new Map(), merge: { merged: [], conflicts: [], durationMs: 6.7 * MIN } }).metrics;
    assert.ok(Math.abs(poor.integrationShare! - 0.67) < 1e-9);
    assert.equal(poor.integrationHealth, 'poor');

    const elevated = buildPhaseReport({ phase, run, filesChanged: new Map(), validation: [step('test-command', 3 * MIN)] }).metrics;
    assert.equal(elevated.integrationHealth, 'elevated');

    const none = buildPhaseReport({ phase, run, filesChanged: new Map() }).metrics;
    assert.equal(none.integrationMs, null);
    assert.equal(none.integrationShare, null);
    assert.equal(none.integrationHealth, null);
  });

  test('conflicts per integration point, with N(N-1)/2 points', () => {
    const run = runOf(phase, { catalog: [0, 10], cart: [0, 10], search: [0, 10] });
    const merge = {
      merged: ['catalog'],
      conflicts: [
        { module: 'cart', with: ['catalog'], file: 'src/types.ts' },
        { module: 'cart', with: ['catalog'], file: 'src/types.ts' }, // a second range of the same file
        { module: 'search', with: ['catalog'], file: 'src/index.ts' },
      ],
      durationMs: 1000,
    };
    const m = buildPhaseReport({ phase, run, merge, filesChanged: new Map() }).metrics;
    assert.equal(m.integrationPoints, 3);
    assert.equal(m.conflicts, 2);
    assert.equal(m.conflictingPairs, 2);
    assert.equal(m.conflictsPerPoint, 2 / 3);

    for (const [n, points] of [[1, 0], [2, 1], [5, 10], [10, 45]] as const) {
      const p = phaseWith(Array.from({ length: n }, (_, i) => `m${i}`));
      assert.equal(buildPhaseReport({ phase: p, run: runOf(p, {}), filesChanged: new Map() }).metrics.integrationPoints, points);
    }
  });

  test('every attempt counts: a retried module\'s first attempt is module time, and may start the wall time', () => {
    const run = runOf(phase, { catalog: [6, 10], cart: [1, 10], search: null }, (m) =>
      m.id === 'catalog'
        ? {
            attempts: 2,
            attemptsLog: [
              { attempt: 1, startedAt: iso(0), finishedAt: iso(4 * MIN), outcome: 'failed' },
              { attempt: 2, startedAt: iso(6 * MIN), finishedAt: iso(10 * MIN), outcome: 'complete' },
            ],
          }
        : {},
    );
    const m = buildPhaseReport({ phase, run, filesChanged: new Map() }).metrics;
    assert.equal(m.moduleTimeMs, 17 * MIN);
    assert.equal(m.wallTimeMs, 10 * MIN);
    assert.equal(m.speedup, 1.7);
  });

  test('integration is the whole merge and validation when their times are recorded (attribution included)', () => {
    const run = runOf(phase, { catalog: [0, 10], cart: [0, 10], search: [0, 10] });
    const m = buildPhaseReport({
      phase, run, filesChanged: new Map(),
      merge: { merged: [], conflicts: [], durationMs: 0.5 * MIN, validateMs: 1.5 * MIN },
      validation: [step('test-command', 1 * MIN)],
    }).metrics;
    assert.equal(m.integrationMs, 2 * MIN);
    assert.equal(m.integrationShare, 0.2);
  });

  test('modules that have not finished count neither toward wall time nor module time', () => {
    const run = runOf(phase, { catalog: [0, 10], cart: null, search: null }, (m) => (m.id === 'cart' ? { state: 'running', startedAt: iso(0) } : {}));
    const m = buildPhaseReport({ phase, run, filesChanged: new Map() }).metrics;
    assert.equal(m.wallTimeMs, 10 * MIN);
    assert.equal(m.moduleTimeMs, 10 * MIN);
    assert.equal(m.speedup, 1);

    const idle = buildPhaseReport({ phase, run: runOf(phase, {}), filesChanged: new Map() }).metrics;
    assert.equal(idle.wallTimeMs, null);
    assert.equal(idle.speedup, null);
    assert.equal(idle.conflictsPerPoint, 0);
  });
});

describe('buildPhaseReport', () => {
  const phase = phaseWith(['catalog', 'cart']);
  const run = runOf(phase, { catalog: [0, 10], cart: [0, 12] }, (m) => (m.id === 'cart' ? { attempts: 2, state: 'complete-unverified' } : {}));
  const input: PhaseReportInput = {
    phase,
    run,
    merge: { merged: ['catalog'], conflicts: [{ module: 'cart', with: ['catalog'], file: 'src/shared|types.ts' }], durationMs: 2000 },
    validation: [
      step('expected-files', 5, [finding({ source: 'expected-files', file: 'src/cart/index.ts', message: 'src/cart/index.ts does not exist', module: 'cart' })]),
      step('test-command', 4000, [
        finding({ file: 'src/catalog/list.ts', line: 3, column: 5, message: 'error boom | with a pipe', module: 'catalog' }),
        finding({ message: '"npm test" exited with 1' }),
      ], { exitCode: 1, outputTail: 'FAIL src/catalog/list.test.ts\n```\nboom' }),
      step('todo-scan', 20, [finding({ source: 'todo-scan', severity: 'warning', file: 'src/catalog/list.ts', line: 9, column: 4, message: 'TODO in an added line: // TODO', module: 'catalog' })]),
    ],
    filesChanged: new Map([['catalog', 4], ['cart', 2]]),
  };

  test('per module: state, attempts, duration, files, conflicts and findings', () => {
    const report = buildPhaseReport(input);
    const [catalog, cart] = report.modules;
    assert.deepEqual(
      { id: catalog.id, state: catalog.state, attempts: catalog.attempts, durationMs: catalog.durationMs, filesChanged: catalog.filesChanged, merged: catalog.merged },
      { id: 'catalog', state: 'complete', attempts: 1, durationMs: 10 * MIN, filesChanged: 4, merged: true },
    );
    assert.deepEqual(catalog.conflicts, [{ with: ['cart'], file: 'src/shared|types.ts' }]);
    assert.deepEqual(catalog.findings.map((f) => f.source), ['test-command', 'todo-scan']);
    assert.equal(cart.attempts, 2);
    assert.equal(cart.state, 'complete-unverified');
    assert.equal(cart.merged, false);
    assert.deepEqual(cart.conflicts, [{ with: ['catalog'], file: 'src/shared|types.ts' }]);
    assert.deepEqual(cart.findings.map((f) => f.message), ['src/cart/index.ts does not exist']);
    assert.deepEqual(report.unattributed.map((f) => f.message), ['"npm test" exited with 1']);
    assert.deepEqual(report.totals, { errors: 3, warnings: 1, infos: 0 });
    assert.deepEqual(report.validation?.map((v) => [v.kind, v.outcome, v.errors, v.warnings]), [
      ['expected-files', 'failed', 1, 0],
      ['test-command', 'failed', 2, 0],
      ['todo-scan', 'passed', 0, 1],
    ]);
  });

  test('the JSON form is the report object itself', () => {
    const report = buildPhaseReport(input);
    assert.deepEqual(JSON.parse(JSON.stringify(report)), report);
  });

  test('Markdown: title, tables, conflicts, validation and metrics', () => {
    const md = renderReportMarkdown(buildPhaseReport(input));
    assert.match(md, /^# Phase 1: Storefront — report\n/);
    assert.match(md, /\| Modules \| 2 \(2 complete\) \|/);
    assert.match(md, /\| catalog \| complete \| 1 \| 10 min 0 s \| 4 \| 1 \| 1 \| 1 \|/);
    assert.match(md, /\| cart \| complete-unverified \| 2 \| 12 min 0 s \| 2 \| 1 \| 1 \| 0 \|/);
    assert.match(md, /## Conflicts\n\n- `src\/shared\|types.ts`: cart with catalog\n/);
    assert.match(md, /### Test command `npm test`\n\nfailed, exit code 1, 4\.0 s, 2 error\(s\), 0 warning\(s\)/);
    // The tail holds a ``` line, so its fence is longer.
    assert.match(md, /\n````text\nFAIL src\/catalog\/list.test.ts\n```\nboom\n````\n/);
    assert.match(md, /### Findings for catalog\n\n- \*\*error\*\* `src\/catalog\/list.ts:3:5` error boom \| with a pipe — catalog\n/);
    assert.match(md, /### Other findings\n\n- \*\*error\*\* "npm test" exited with 1\n/);
    assert.match(md, /\| Speedup \| 1\.83× \(22 min 0 s of module time in 12 min 0 s\) \|/);
    assert.match(md, /\| Integration share \| 1% \(6\.0 s\) \| Healthy/);
    assert.match(md, /\| Conflicts per integration point \| 1\.00 \(1 over 1\) \| 1 of 1 module pair\(s\) conflicted/);
  });

  test('Markdown links the phase\'s timeline when one was written', () => {
    const report = buildPhaseReport(input);
    assert.match(renderReportMarkdown(report, { timeline: 'timeline-phase-1.svg' }), /\| Speedup \| 1\.83× \|\n\n!\[Timeline of phase 1\]\(timeline-phase-1\.svg\)\n\n## Modules/);
    assert.doesNotMatch(renderReportMarkdown(report), /Timeline/);
  });

  test('a test command that was not run is neither passed nor failed', () => {
    const skipped = step('test-command', 0, [finding({ severity: 'warning', message: 'The test commands were not run: the repository is not trusted.' })], { exitCode: null });
    const report = buildPhaseReport({ phase, run, filesChanged: new Map(), validation: [skipped] });
    assert.equal(report.validation?.[0].outcome, 'not-run');
    assert.equal(report.validation?.[0].passed, false);
    assert.match(renderReportMarkdown(report), /### Test command `npm test`\n\nnot run, 1 warning\(s\)\n/);
  });

  test('Markdown before merging and validating', () => {
    const md = renderReportMarkdown(buildPhaseReport({ phase, run: runOf(phase, {}), filesChanged: new Map() }));
    assert.match(md, /\| Merged \| not yet \|/);
    assert.match(md, /## Validation\n\nNot validated yet\./);
    assert.match(md, /\| Speedup \| — /);
    assert.match(md, /Not measured: the phase has not been merged and validated yet\./);
    assert.doesNotMatch(md, /## Conflicts/);
  });
});

describe('agent usage in reports', () => {
  test('formats what is known and adds up the modules', async () => {
    const { formatUsage, phaseUsage } = await import('../../src/core/report/usage');
    assert.equal(formatUsage({ turns: 1, inputTokens: 35_200, outputTokens: 950, costUsd: 0.4213 }), '1 turn · 35.2k tokens in · 950 out · $0.42');
    assert.equal(formatUsage({ inputTokens: 10 }), '10 tokens in');
    assert.equal(formatUsage(null), '');
    const run = { modules: [{ usage: { turns: 2, costUsd: 0.5 } }, { usage: null }, { usage: { turns: 3, inputTokens: 7 } }] } as unknown as import('../../src/core/run/model').PhaseRun;
    assert.deepEqual(phaseUsage(run), { turns: 5, costUsd: 0.5, inputTokens: 7 });
    assert.equal(phaseUsage({ modules: [{}] } as unknown as import('../../src/core/run/model').PhaseRun), null);
  });
});

describe('discoveries in reports', () => {
  const phase = phaseWith(['catalog', 'cart']);
  const d = (over: Partial<import('../../src/core/discoveries/discovery').Discovery>): import('../../src/core/discoveries/discovery').Discovery => ({
    phase: 1, phaseSlug: phase.slug, phaseName: 'Storefront', module: 'catalog', kind: 'discovery', at: iso(MIN), text: 'x', attempt: 1, runId: 'run-1', ...over,
  });

  test("the phase's discoveries are listed, in the JSON and the Markdown, agent text as plain text", () => {
    const discoveries = [
      d({ text: 'The search index is rebuilt lazily' }),
      d({ phase: 2, text: 'another phase' }),
      d({ module: 'cart', kind: 'spec-correction', at: iso(2 * MIN), text: 'The spec says floats;\n## prices are cents <b>really</b>', attempt: 2 }),
    ];
    const report = buildPhaseReport({ phase, run: runOf(phase, { catalog: [0, 3], cart: [0, 4] }), filesChanged: new Map(), discoveries });
    assert.deepEqual(report.discoveries, [
      { module: 'catalog', kind: 'discovery', at: iso(MIN), text: 'The search index is rebuilt lazily', attempt: 1 },
      { module: 'cart', kind: 'spec-correction', at: iso(2 * MIN), text: 'The spec says floats;\n## prices are cents <b>really</b>', attempt: 2 },
    ]);
    const md = renderReportMarkdown(report);
    assert.ok(md.includes('## Discoveries\n\n2 reported by the agents (1 spec correction(s)); every phase\'s are in DISCOVERIES.md.\n'));
    assert.ok(md.includes(`### Discovery · \`catalog\` · ${iso(MIN)}\n\n\`\`\`text\nThe search index is rebuilt lazily\n\`\`\``));
    assert.ok(md.includes(`### ⚠ Spec correction · \`cart\` · ${iso(2 * MIN)}\n\n\`\`\`text\nThe spec says floats;\n## prices are cents <b>really</b>\n\`\`\``));
    assert.ok(md.indexOf('## Discoveries') < md.indexOf('## Validation'));
  });

  test('no discoveries: no section, an empty list', () => {
    const report = buildPhaseReport({ phase, run: runOf(phase, {}), filesChanged: new Map() });
    assert.deepEqual(report.discoveries, []);
    assert.doesNotMatch(renderReportMarkdown(report), /## Discoveries/);
  });
});
