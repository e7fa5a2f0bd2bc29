// The Phases view (activity bar "Spec Conductor"): the rows VS Code renders are the extension's tree
// model, phases with their modules and details; without a READY.md the welcome view offers to
// create one, and creating it fills the tree.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { E2eTreeItem } from '../../src/vscode/e2eHook';
import { fixtureRepo } from './gitFixture';
import { withWorkbench, type Workbench } from './harness';
import { waitUntil } from './waitUntil';
import { clickWelcomeButton, expandTreeRow, readStatusItem, readTree, readWelcome, showPhasesView, waitForTree, type TreeRow } from './workbenchViews';

/** The host's rows VS Code renders: items whose ancestors are all expanded in the DOM. */
function renderedHostRows(host: E2eTreeItem[], dom: TreeRow[]): TreeRow[] {
  const expanded = new Set(dom.filter((r) => r.expanded).map((r) => `${r.level}:${r.label}`));
  const byId = new Map(host.map((h) => [h.id, h]));
  const visible = (h: E2eTreeItem): boolean => {
    const parent = h.parentId === null ? undefined : byId.get(h.parentId);
    return !parent || (expanded.has(`${parent.depth + 1}:${parent.label}`) && visible(parent));
  };
  const hasChildren = new Set(host.map((h) => h.parentId));
  return host.filter(visible).map((h) => ({
    level: h.depth + 1,
    label: h.label,
    description: h.description,
    icon: h.icon,
    expanded: hasChildren.has(h.id) ? expanded.has(`${h.depth + 1}:${h.label}`) : null,
  }));
}

async function assertDomMatchesHost(wb: Workbench, step: string): Promise<TreeRow[]> {
  // The view redraws after a short throttle: compare once both agree, then fail with both if they never do.
  const { dom, host } = await waitUntil(
    `the rendered Phases tree to match the extension's tree model (${step})`,
    async () => {
      const dom = await readTree(wb.page);
      return { dom, host: renderedHostRows(await wb.host('tree'), dom) };
    },
    ({ dom, host }) => JSON.stringify(dom) === JSON.stringify(host),
  ).catch(async (e: Error) => {
    await wb.screenshot(`mismatch-${step}`);
    throw e;
  });
  assert.deepEqual(dom, host);
  return dom;
}

test('the Phases view shows the phases and their modules, as the extension models them', async (t) => {
  const repo = fixtureRepo('bookshop');
  t.after(() => repo.remove());
  await withWorkbench({ name: 'tree', folder: repo.folder, trust: true, probe: true }, async (wb) => {
    await showPhasesView(wb.page);
    await waitForTree(wb.page, (rows) => rows.some((r) => r.label === 'Phase 2: Storefront'), 'both phases');
    await wb.screenshot('phases');

    // Phase 1 is the next to conduct, so it starts expanded; the gated Phase 2 starts collapsed.
    const initial = await assertDomMatchesHost(wb, 'initial');
    assert.deepEqual(initial, [
      { level: 1, label: 'Phase 1: Foundation', description: '0/1 complete', icon: 'circle-outline', expanded: true },
      { level: 2, label: 'foundation', description: 'wave 1', icon: 'circle-outline', expanded: null },
      { level: 1, label: 'Phase 2: Storefront', description: '0/4 complete · gate', icon: 'circle-outline', expanded: false },
    ]);

    await expandTreeRow(wb.page, 'Phase 2: Storefront');
    await expandTreeRow(wb.page, 'cart');
    await wb.screenshot('storefront-expanded');
    const expanded = await assertDomMatchesHost(wb, 'expanded');
    assert.deepEqual(
      expanded.filter((r) => r.level >= 2).map((r) => [r.level, r.label, r.description]),
      [
        [2, 'foundation', 'wave 1'],
        [2, 'catalog', 'wave 1'],
        [2, 'search', 'wave 2'],
        [2, 'cart', 'wave 2'],
        [3, 'contract: contracts/cart.md', ''],
        [2, 'checkout', 'wave 3'],
      ],
    );
    const host = await wb.host('tree');
    assert.equal(host.find((h) => h.id === 'phase:phase-2-storefront')?.contextValue, 'phase-gated', 'the gated phase offers Approve Gate');
    assert.deepEqual(host.filter((h) => h.depth === 1).map((h) => h.contextValue), Array(5).fill('module'));

    assert.deepEqual(await readStatusItem(wb.page), { icons: ['circle-outline'], text: '2 phases · 5 modules' });
    assert.equal(await wb.host('statusBarText'), '$(circle-outline) 2 phases · 5 modules');
  });
});

test('without a READY.md the view welcomes with "Create READY.md", which fills the tree', async (t) => {
  const parent = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'sc-e2e-empty-')));
  t.after(() => rmSync(parent, { recursive: true, force: true }));
  const folder = path.join(parent, 'empty');
  mkdirSync(folder);
  writeFileSync(path.join(folder, 'README.md'), '# Nothing planned yet\n');

  await withWorkbench({ name: 'welcome', folder, trust: true, probe: true }, async (wb) => {
    // Opening the view activates the extension (nothing in the folder does).
    const welcome = await waitUntil('the welcome view', () => readWelcome(wb.page), (w) => w.buttons.length > 0);
    await wb.screenshot('welcome');
    assert.match(welcome.text, /No READY\.md in this workspace yet/);
    assert.deepEqual(welcome.buttons, ['Create READY.md', 'Open the walkthrough']);
    assert.deepEqual(await wb.host('tree'), []);
    assert.equal(await wb.host('statusBarText'), '');
    assert.equal(await readStatusItem(wb.page), null);

    // The first (empty) plan is in: from here only the file watchers can tell the extension about new files.
    await wb.waitForHost('diagnostics', (ds) => ds.some((d) => d.code === 'no-phases'), 'the first, empty plan');
    await clickWelcomeButton(wb.page, 'Create READY.md');
    await waitUntil('READY.md on disk', async () => existsSync(path.join(folder, 'READY.md')), Boolean);
    const rows = await waitForTree(wb.page, (rows) => rows.some((r) => r.label === 'Phase 2: Storefront'), 'the template phases');
    await wb.screenshot('created');
    assert.deepEqual(rows.filter((r) => r.level === 1).map((r) => r.label), ['Phase 1: Foundation', 'Phase 2: Storefront']);
    assert.deepEqual((await readWelcome(wb.page)).buttons, [], 'the welcome view is gone');
    await assertDomMatchesHost(wb, 'created');

    // A contract written by another program (not the editor) is validated too.
    mkdirSync(path.join(folder, 'contracts'), { recursive: true });
    writeFileSync(path.join(folder, 'contracts', 'search.md'), '---\nfeature_id: feature-002-search\nmodule: search\nphase: 2\ndepends_on: [feature-404-missing]\nacceptance_criteria:\n  - GET /search?q=x returns the matching books as JSON\n---\n');
    const unknown = await wb.waitForHost('diagnostics', (ds) => ds.some((d) => d.file === 'contracts/search.md' && d.code === 'unknown-dependency'), 'the unknown dependency of a contract written on disk');
    assert.ok(unknown.some((d) => d.file === 'contracts/search.md' && /feature-404-missing/.test(d.message)));
  });
});
