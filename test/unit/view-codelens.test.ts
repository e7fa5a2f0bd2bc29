// CodeLenses above the phase headings of READY.md.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { codeLensModels, type MergeOutcome } from '../../src/core/view/codeLens';
import { emptyState } from '../../src/core/run/model';
import { SpecWorkspace } from '../../src/core/specWorkspace';
import { readyMd } from '../support/specBuilder';
import { STOREFRONT, apply, at, completed, exited, finished, runOf, shopPlan, started, stateOf } from '../support/viewFixtures';

const none = new Set<string>();
const plan = shopPlan();
const approved = runOf(plan, 2, { approved: true });
const brief = (lenses: ReturnType<typeof codeLensModels>): [number, string, string][] => lenses.map((l) => [l.line, l.title, l.command]);
const merge = (over: Partial<MergeOutcome> = {}): MergeOutcome => ({ ok: true, validated: true, conflicts: [], skipped: [], finishedAt: at(100), ...over });

describe('codeLensModels', () => {
  test('no plan, no lenses', () => {
    assert.deepEqual(codeLensModels(null, emptyState(), none), []);
  });

  test('a phase not conducted: conduct it, with its module and wave counts (gated phases say so)', () => {
    const lenses = codeLensModels(plan, emptyState(), none);
    assert.deepEqual(brief(lenses), [
      [5, '▶ Conduct Phase 1 · 1 module in 1 wave', 'specConductor.conductPhase'],
      [8, '▶ Conduct Phase 2 (needs approval) · 4 modules in 3 waves', 'specConductor.conductPhase'],
    ]);
    assert.deepEqual(
      lenses.map((l) => l.line),
      plan.phases.map((p) => p.line),
    );
    assert.deepEqual(lenses[1].args, [{ phase: 2 }]);
  });

  test('the line is the heading even when the phase moves', () => {
    const ws = new SpecWorkspace();
    ws.setSpec('READY.md', ['# Intro', '', 'Some prose.', '', readyMd([{ number: 3, name: 'Later', modules: ['a', 'b'] }])].join('\n'));
    const lenses = codeLensModels(ws.plan(), emptyState(), none);
    assert.deepEqual(brief(lenses), [[9, '▶ Conduct Phase 3 · 2 modules in 1 wave', 'specConductor.conductPhase']]);
  });

  test('while running: progress (focusing the view), and Merge & Validate once something is done', () => {
    const running = apply(approved, started('catalog', 0));
    assert.deepEqual(brief(codeLensModels(plan, stateOf(running), new Set([STOREFRONT]))).slice(1), [
      [8, '$(sync~spin) 0/4 done', 'workbench.view.extension.specConductor'],
    ]);
    const some = apply(running, ...completed('search', 0, 10));
    const lenses = codeLensModels(plan, stateOf(some), new Set([STOREFRONT])).filter((l) => l.line === 8);
    assert.deepEqual(brief(lenses), [
      [8, '$(sync~spin) 1/4 done', 'workbench.view.extension.specConductor'],
      [8, 'Merge & Validate', 'specConductor.mergePhase'],
    ]);
    assert.deepEqual(lenses[0].args, []);
    assert.deepEqual(lenses[1].args, [{ phase: 2 }]);
  });

  test('idle after a run: conduct again, the outcome, and Merge & Validate', () => {
    const run = finished(apply(approved, ...completed('catalog', 0, 10), ...completed('search', 0, 10), started('cart', 10), exited('cart', 1, 20)), 'halted', 20);
    assert.deepEqual(brief(codeLensModels(plan, stateOf(run), none)).slice(1), [
      [8, '▶ Conduct Phase 2 · 4 modules in 3 waves', 'specConductor.conductPhase'],
      [8, '$(error) 2/4 done · 1 failed', 'workbench.view.extension.specConductor'],
      [8, 'Merge & Validate', 'specConductor.mergePhase'],
    ]);
  });

  test('after a merge: its verdict opens the report; a clean one needs no second merge', () => {
    const run = finished(apply(approved, ...['catalog', 'search', 'cart', 'checkout'].flatMap((id) => completed(id, 0, 10))), 'done', 10);
    const state = stateOf(run);
    const at8 = (m: MergeOutcome): [number, string, string][] =>
      brief(codeLensModels(plan, state, none, new Map([[STOREFRONT, m]]))).filter(([line, title]) => line === 8 && !title.startsWith('▶') && !title.startsWith('$('));
    assert.deepEqual(at8(merge()), [[8, 'Merge: ✓ validated', 'specConductor.showReport']]);
    const conflicts = [
      { module: 'cart', file: 'src/a.ts' },
      { module: 'cart', file: 'src/a.ts' },
      { module: 'checkout', file: 'src/b.ts' },
    ];
    assert.deepEqual(at8(merge({ ok: false, conflicts })), [
      [8, 'Merge & Validate', 'specConductor.mergePhase'],
      [8, 'Merge: 2 conflicts', 'specConductor.showReport'],
    ]);
    assert.deepEqual(at8(merge({ ok: false, conflicts: conflicts.slice(0, 1) }))[1], [8, 'Merge: 1 conflict', 'specConductor.showReport']);
    assert.deepEqual(at8(merge({ ok: false, validated: false }))[1], [8, 'Merge: ✗ validation failed', 'specConductor.showReport']);
    const report = codeLensModels(plan, state, none, new Map([[STOREFRONT, merge()]])).find((l) => l.command === 'specConductor.showReport');
    assert.deepEqual(report?.args, [{ phase: 2 }]);
  });

  test('a merge older than a module restart is not shown', () => {
    const retried = apply(approved, ...completed('catalog', 0, 10), started('search', 200));
    const lenses = codeLensModels(plan, stateOf(retried), new Set([STOREFRONT]), new Map([[STOREFRONT, merge({ finishedAt: at(100) })]]));
    assert.equal(lenses.some((l) => l.title.startsWith('Merge:')), false);
    assert.equal(lenses.some((l) => l.title === 'Merge & Validate'), true);
  });
});
