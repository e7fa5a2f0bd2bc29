// The timeline picture: one bar per attempt, grouped by phase then wave, coloured by outcome, fix
// rounds outlined, merge and validation per phase; well-formed whatever the specs name things, and
// the same bytes for the same run.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createPhaseRun } from '../../src/core/run/createRun';
import type { ModuleRecord, PhaseRun } from '../../src/core/run/model';
import type { PlanPhaseInput, RecordedMerge } from '../../src/core/report/planReport';
import { buildTimeline, segmentsOf, type TimelineInput } from '../../src/core/report/timeline';
import { OUTCOME_COLOURS, renderTimelineSvg } from '../../src/core/report/timelineSvg';
import { contractFor, planOf, readyMd } from '../support/specBuilder';
import { decodeEntities, descendants, parseXml, type XmlElement } from '../support/xmlCheck';

const T0 = Date.parse('2025-03-01T10:00:00.000Z');
const MIN = 60_000;
const iso = (minutes: number): string => new Date(T0 + minutes * MIN).toISOString();

const plan = planOf(readyMd([{ number: 1, name: 'Core', modules: ['catalog', 'search', 'cart'] }, { number: 2, name: 'Checkout', modules: ['checkout'] }]), {
  'contracts/catalog.md': contractFor('catalog'),
  'contracts/search.md': contractFor('search'),
  'contracts/cart.md': contractFor('cart', ['catalog']),
  'contracts/checkout.md': contractFor('checkout'),
});

function runOf(number: number, patch: Record<string, Partial<ModuleRecord>>): PhaseRun {
  const phase = plan.phases.find((p) => p.number === number)!;
  const run = createPhaseRun(phase, { runId: `r${number}`, baseCommit: 'b', now: iso(0), worktreeRoot: '/wt', agent: 'x', maxParallel: 4, retries: 1 });
  run.modules = run.modules.map((m) => ({ ...m, ...patch[m.id] }));
  return run;
}

const phaseInput = (number: number, run: PhaseRun | null, merge: RecordedMerge | null = null): PlanPhaseInput => ({
  number, name: plan.phases[number - 1].name, slug: plan.phases[number - 1].slug, plannedModules: plan.phases[number - 1].modules.length, run, merge,
});

// catalog: failed, then complete, then a fix round; search: record times only (no log); cart: running.
const core = runOf(1, {
  catalog: {
    state: 'complete', attempts: 3, attemptsLog: [
      { attempt: 1, startedAt: iso(0), finishedAt: iso(3), outcome: 'failed' },
      { attempt: 2, startedAt: iso(4), finishedAt: iso(9), outcome: 'complete' },
      { attempt: 3, startedAt: iso(14), finishedAt: iso(16), outcome: 'complete', fix: true },
    ],
  },
  search: { state: 'interrupted', attempts: 1, startedAt: iso(1), finishedAt: iso(7) },
  cart: { state: 'running', attempts: 1, attemptsLog: [{ attempt: 1, startedAt: iso(9), finishedAt: null, outcome: 'running' }] },
});
const coreMerge: RecordedMerge = { merged: ['catalog'], conflicts: [], mergeMs: 0.5 * MIN, validateMs: 1.5 * MIN, finishedAt: iso(13) };
const input: TimelineInput = { now: iso(18), phases: [phaseInput(1, core, coreMerge), phaseInput(2, runOf(2, {}))] };

const svgOf = (i: TimelineInput, title?: string): XmlElement => parseXml(renderTimelineSvg(buildTimeline(i), title));
const byClass = (root: XmlElement, cls: string): XmlElement[] => descendants(root).filter((e) => (e.attrs.class ?? '').split(' ').includes(cls));
const num = (e: XmlElement, attr: string): number => Number(e.attrs[attr]);

describe('timeline SVG', () => {
  test('one bar per attempt, coloured by its outcome; a fix round is outlined; a running one reaches now', () => {
    const svg = svgOf(input);
    const bars = byClass(svg, 'attempt');
    assert.equal(bars.length, 5);
    const catalog = bars.filter((b) => b.attrs.class.includes('complete') || b.attrs.class.includes('failed')).slice(0, 3);
    assert.deepEqual(catalog.map((b) => [b.attrs['data-attempt'], b.attrs.fill]), [['1', OUTCOME_COLOURS.failed], ['2', OUTCOME_COLOURS.complete], ['3', OUTCOME_COLOURS.complete]]);
    assert.ok(num(catalog[1], 'x') > num(catalog[0], 'x') + num(catalog[0], 'width'), 'attempts in time order');
    assert.deepEqual(byClass(svg, 'fix').map((b) => [b.attrs['data-attempt'], b.attrs['stroke-dasharray']]), [['3', '3 2']]);
    assert.match(decodeEntities(byClass(svg, 'fix')[0].children[0].text), /^catalog — attempt 3 \(fix round\): complete, 10:14:00 UTC to 10:16:00 UTC \(2 min 0 s\)$/);
    const [running] = byClass(svg, 'open');
    assert.equal(running.attrs.fill, OUTCOME_COLOURS.running);
    assert.match(running.children[0].text, /still running \(9 min 0 s\)/);
    // Without a log, the record's own times make the bar.
    assert.equal(byClass(svg, 'interrupted').length, 1);
  });

  test('rows grouped by phase, then wave; merge then validation per phase', () => {
    const svg = svgOf(input);
    const phases = byClass(svg, 'phase');
    assert.deepEqual(phases.map((p) => p.attrs['data-phase']), ['1', '2']);
    const waves = byClass(phases[0], 'wave');
    assert.deepEqual(waves.map((w) => [w.attrs['data-wave'], byClass(w, 'module').map((m) => m.attrs['data-module'])]), [['1', ['catalog', 'search']], ['2', ['cart']]]);
    const [merge] = byClass(phases[0], 'merge');
    const [validate] = byClass(phases[0], 'validate');
    assert.ok(Math.abs(num(merge, 'x') + num(merge, 'width') - num(validate, 'x')) < 0.2, 'the validation follows the merge');
    assert.ok(num(validate, 'width') > num(merge, 'width'));
    // Phase 2 has not run: its module row says so, and it has no integration bars.
    assert.equal(byClass(phases[1], 'attempt').length, 0);
    assert.match(JSON.stringify(phases[1]), /pending/);
    assert.match(JSON.stringify(phases[1]), /not merged yet/);
  });

  test('the same run gives the same bytes', () => {
    const a = renderTimelineSvg(buildTimeline(input));
    const b = renderTimelineSvg(buildTimeline(structuredClone(input)));
    assert.equal(a, b);
  });

  test('hostile names are escaped: no markup from a spec, control characters dropped, still well-formed', () => {
    const hostile = `<script>alert("x")</script>&amp;' \u0001\ud800]]>`;
    const run = runOf(1, { catalog: { id: hostile, state: 'complete', attempts: 1, startedAt: iso(0), finishedAt: iso(2) } });
    const i: TimelineInput = { now: iso(5), phases: [{ ...phaseInput(1, run), name: `"><svg onload="x">${hostile}` }] };
    const svg = svgOf(i, hostile);
    const names = new Set(descendants(svg).map((e) => e.name));
    assert.deepEqual([...names].sort(), ['g', 'line', 'rect', 'svg', 'text', 'title']);
    const [row] = byClass(svg, 'module');
    assert.equal(decodeEntities(row.attrs['data-module']), `<script>alert("x")</script>&amp;' ]]>`);
  });

  test('any phase name or module id gives a well-formed picture of known elements only', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (name, id) => {
        const run = runOf(1, { catalog: { id, state: 'failed', attempts: 1, startedAt: iso(0), finishedAt: iso(1) } });
        const svg = svgOf({ now: iso(2), phases: [{ ...phaseInput(1, run), name }] }, name);
        for (const e of descendants(svg)) assert.ok(['svg', 'title', 'rect', 'text', 'g', 'line'].includes(e.name), e.name);
      }),
      { numRuns: 100 },
    );
  });

  test('a long idle stretch is cut out of the axis; everything stays inside the picture', () => {
    const first = runOf(1, { catalog: { state: 'complete', attempts: 1, startedAt: iso(0), finishedAt: iso(9) } });
    const later = runOf(2, { checkout: { state: 'complete', attempts: 1, startedAt: iso(300), finishedAt: iso(310) } });
    const svg = svgOf({ now: iso(320), phases: [phaseInput(1, first, coreMerge), phaseInput(2, later)] });
    assert.equal(byClass(svg, 'break').length, 1);
    const width = num(svg, 'width');
    for (const r of descendants(svg).filter((e) => e.name === 'rect')) assert.ok(num(r, 'x') >= 0 && num(r, 'x') + num(r, 'width') <= width, JSON.stringify(r.attrs));
    // Minutes apart stay to scale.
    assert.equal(segmentsOf([{ start: 0, end: 10 * MIN }, { start: 11 * MIN, end: 20 * MIN }]).length, 1);
    assert.equal(segmentsOf([{ start: 0, end: 10 * MIN }, { start: 300 * MIN, end: 310 * MIN }]).length, 2);
  });

  test('an attempt of no length (its start failed) is still drawn; nothing conducted is said so', () => {
    const failed = runOf(1, { catalog: { state: 'failed', attempts: 1, attemptsLog: [{ attempt: 1, startedAt: iso(1), finishedAt: iso(1), outcome: 'failed' }] } });
    const [bar] = byClass(svgOf({ now: iso(2), phases: [phaseInput(1, failed)] }), 'attempt');
    assert.ok(num(bar, 'width') >= 2);
    const empty = svgOf({ now: iso(0), phases: [phaseInput(1, null)] });
    assert.equal(byClass(empty, 'attempt').length, 0);
    assert.match(JSON.stringify(empty), /Nothing has been conducted yet/);
  });
});
