// The Phases tree after a Merge & Validate that stopped on a conflict: the phase says so, and the
// module that could not be merged has a row per conflicting file with Resolve in Merge Editor and
// Send to Agent (package.json's menus on the `conflict` context value).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { phaseNodes, type TreeContext } from '../../src/core/view/phaseTree';
import { parsePhaseConflicts, type PhaseConflicts } from '../../src/core/view/conflictNodes';
import { COMMAND, TREE_ITEM } from '../../src/vscode/ids';
import { STOREFRONT, T0, apply, completed, runOf, shopPlan, stateOf } from '../support/viewFixtures';

const plan = shopPlan();
const run = apply(runOf(plan, 2, { approved: true }), ...completed('catalog', 0, 10), ...completed('search', 0, 12), ...completed('cart', 11, 20));
const merge: PhaseConflicts = {
  integrationBranch: `conductor/integration/${STOREFRONT}`,
  integrationWorktree: `/r.worktrees/integration/${STOREFRONT}/`,
  conflicts: [
    { module: 'cart', with: ['search'], file: 'src/shared.ts', startLine: 3, endLine: 4 },
    { module: 'cart', with: ['search'], file: 'src/shared.ts', startLine: 9, endLine: 9 },
    { module: 'cart', with: [], file: 'README.md', startLine: 1, endLine: 1 },
  ],
};
const ctx = (merges?: ReadonlyMap<string, PhaseConflicts>): TreeContext => ({ active: new Set(), terminals: new Set(), now: T0, merges });

describe('a phase whose merge stopped on a conflict', () => {
  const nodes = phaseNodes(plan, stateOf(run), ctx(new Map([[STOREFRONT, merge]])));
  const storefront = nodes.find((p) => p.phase === 2)!;
  const cart = storefront.children.find((m) => m.module === 'cart')!;

  test('the phase says it, the module has one row per file, first among its details', () => {
    assert.equal(storefront.description, '3/4 complete · merge conflict · interrupted');
    const rows = cart.children.filter((c) => c.kind === 'conflict');
    assert.deepEqual(
      rows.map((c) => [c.id, c.label, c.description, c.contextValue, c.icon?.id, c.phase, c.module]),
      [
        [`conflict:${STOREFRONT}/cart/src/shared.ts`, 'conflict: src/shared.ts', 'with search', TREE_ITEM.conflict, 'git-merge', 2, 'cart'],
        [`conflict:${STOREFRONT}/cart/README.md`, 'conflict: README.md', undefined, TREE_ITEM.conflict, 'git-merge', 2, 'cart'],
      ],
    );
    assert.equal(cart.children[0].kind, 'conflict');
    assert.equal(storefront.children.find((m) => m.module === 'search')!.children.some((c) => c.kind === 'conflict'), false);
  });

  test('a row carries Send to Agent\'s findings (one per range) and opens its file in the integration worktree', () => {
    const row = cart.children[0];
    assert.ok(row.kind === 'conflict');
    assert.deepEqual(row.findings.map((f) => [f.source, f.file, f.line]), [['conflict', 'src/shared.ts', 3], ['conflict', 'src/shared.ts', 9]]);
    assert.match(row.findings[0].message, /conductor\/integration\/phase-2-storefront conflicts with search \(lines 3-4\)/);
    assert.deepEqual(row.command?.args, [`/r.worktrees/integration/${STOREFRONT}/src/shared.ts`]);
    assert.match(row.tooltip, /lines 3–4, 9–9 in cart's version/);
  });

  test('without a merge result, or a clean one, no conflict rows and no word of it', () => {
    for (const merges of [undefined, new Map([[STOREFRONT, { ...merge, conflicts: [] }]])]) {
      const p = phaseNodes(plan, stateOf(run), ctx(merges)).find((x) => x.phase === 2)!;
      assert.doesNotMatch(p.description ?? '', /conflict/);
      assert.equal(p.children.flatMap((m) => m.children).some((c) => c.kind === 'conflict'), false);
    }
  });

  test('package.json gives conflict rows Resolve in Merge Editor and Send to Agent inline', () => {
    const manifest = JSON.parse(readFileSync(path.join(__dirname, '../../package.json'), 'utf8')) as { contributes: { menus: Record<string, { command: string; when?: string; group?: string }[]> } };
    const inline = manifest.contributes.menus['view/item/context'].filter((e) => e.when?.includes(`viewItem == ${TREE_ITEM.conflict}`) && e.group?.startsWith('inline'));
    assert.deepEqual(inline.map((e) => e.command), [COMMAND.resolveInMergeEditor, COMMAND.sendToAgent]);
  });
});

describe('a merge result recorded by another process (.conductor/merge/<phase>.json)', () => {
  test('parsePhaseConflicts keeps what the tree needs from a MergeResult', () => {
    const written = JSON.stringify({ phase: 2, ...merge, integrationCommit: 'abc', merged: ['catalog'], conflicts: merge.conflicts.map((c) => ({ ...c, kind: 'content', theirsStartLine: 1, theirsEndLine: 1 })) });
    assert.deepEqual(parsePhaseConflicts(written), merge);
  });

  test('anything else is no record: not JSON, a field missing or of another type', () => {
    for (const text of ['', '{', 'null', '[]', JSON.stringify({ ...merge, integrationBranch: 1 }), JSON.stringify({ ...merge, conflicts: [{ ...merge.conflicts[0], with: [3] }] }), JSON.stringify({ ...merge, conflicts: [{ ...merge.conflicts[0], startLine: '3' }] }), JSON.stringify({ integrationBranch: 'b', conflicts: [] })]) {
      assert.equal(parsePhaseConflicts(text), null, text);
    }
  });
});
