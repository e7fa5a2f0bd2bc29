// Conducting a phase in the real workbench, as a user does: F1 → "Conductor: Conduct Phase", pick the
// phase, confirm the preview. One terminal and one worktree per module, every module complete in the
// tree and the status bar; then "Conductor: Merge & Validate Phase" puts the conflict two agents of
// the same wave planted on one line of src/shared.ts into the Problems panel, on the file in the
// integration worktree.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { sampleRepo, type AgentPlan } from './gitFixture';
import { withWorkbench } from './harness';
import { waitUntil } from './waitUntil';
import {
  clickDialogButton,
  pickQuickItem,
  readDialog,
  readStatusItem,
  readTerminalTabs,
  showPhasesView,
  treeRow,
  waitForTree,
} from './workbenchViews';

const PHASE = 'phase-1-storefront';
const MODULES = ['catalog', 'search', 'cart', 'checkout'];
const SHARED = 'export const shared = {\n  owner: "nobody",\n  version: 1,\n};\n';
const CONFLICT_LINE = 2;
/** A second phase, so Conduct Phase asks which one. */
const PHASE_2 = '\n### Phase 2: Reviews\n- Readers review the books they bought\n\n**Modules:** reviews\n**Depends on:** Phase 1\n';

/** Each agent takes a few seconds (so its terminal can be seen), writes its module, commits and reports. search and cart (wave 2) both rewrite line 2 of src/shared.ts. */
function agentPlan(): AgentPlan {
  const steps = (id: string, extra: Record<string, unknown>[] = []): Record<string, unknown>[] => [
    { sleep: 3000 },
    { write: `src/${id}/index.js`, content: `export const ${id} = true;\n` },
    ...extra,
    { commit: `${id}: implemented` },
    { report: 'complete', summary: `${id} implemented`, files: [`src/${id}/index.js`] },
  ];
  const claimShared = (id: string) => [{ write: 'src/shared.ts', content: SHARED.replace('"nobody"', `"${id}"`) }];
  return { catalog: steps('catalog'), search: steps('search', claimShared('search')), cart: steps('cart', claimShared('cart')), checkout: steps('checkout') };
}

test('Conduct Phase from the palette: a terminal and a worktree per module, all complete; Merge & Validate shows the planted conflict', async (t) => {
  const repo = sampleRepo();
  t.after(() => repo.remove());
  repo.commit('A shared module and a second phase', {
    'src/shared.ts': SHARED,
    'READY.md': readFileSync(path.join(repo.folder, 'READY.md'), 'utf8') + PHASE_2,
  });
  const agent = repo.agent(agentPlan(), {
    // Show the tab list even for one terminal, and keep the panel open between waves.
    'terminal.integrated.tabs.hideCondition': 'never',
    'terminal.integrated.hideOnLastClosed': false,
  });

  await withWorkbench({ name: 'conduct', folder: repo.folder, trust: true, probe: true, ...agent }, async (wb) => {
    await showPhasesView(wb.page);
    await waitForTree(wb.page, (rows) => rows.some((r) => r.label === 'Phase 2: Reviews'), 'both phases');
    await wb.screenshot('planned');

    await wb.runCommand('Conductor: Conduct Phase');
    await wb.screenshot('pick-phase');
    await pickQuickItem(wb.page, /^Phase 1: Storefront/);
    const preview = await readDialog(wb.page);
    await wb.screenshot('preview');
    assert.equal(preview.message, 'Conduct Phase 1: Storefront?');
    assert.match(preview.detail, /Wave 1: catalog\nWave 2: search, cart\nWave 3: checkout/);
    assert.match(preview.detail, /Agent: node \S+scripted-agent\.mjs/);
    assert.deepEqual(preview.buttons, ['Cancel', 'Conduct']);
    await clickDialogButton(wb.page, 'Conduct');

    await wb.waitForHost('tree', (rows) => rows.some((r) => r.id === `module:${PHASE}/catalog` && r.contextValue === 'module-running'), 'catalog running');
    await wb.screenshot('catalog-running');

    // Agents come and go wave by wave: collect every terminal tab seen until the phase is done.
    const tabsSeen = new Set<string>();
    let wave2Shot = false;
    await waitUntil(
      'every module complete (status bar "4/4 done")',
      async () => {
        const tabs = await readTerminalTabs(wb.page);
        tabs.forEach((name) => tabsSeen.add(name));
        if (tabs.length === 0) {
          // Clicking a running module focuses its terminal: the panel opens on the agents' tabs (and stays open).
          const running = (await wb.host('tree')).find((r) => r.parentId === `phase:${PHASE}` && r.contextValue === 'module-running');
          if (running) await treeRow(wb.page, running.label).click({ timeout: 5_000 }).catch(() => undefined);
        }
        if (!wave2Shot && tabs.includes('Agent: search') && tabs.includes('Agent: cart')) {
          wave2Shot = true;
          await wb.screenshot('wave-2-terminals');
        }
        return { status: await wb.host('statusBarText'), tabs };
      },
      ({ status }) => status.includes('4/4 done'),
      120_000,
    );
    await wb.screenshot('complete');

    const names = MODULES.map((m) => `Agent: ${m}`);
    assert.deepEqual([...(await wb.host('terminalsOpened'))].sort(), [...names].sort(), 'one terminal per module, each opened once');
    assert.deepEqual(names.filter((n) => !tabsSeen.has(n)), [], `terminal tabs seen: ${[...tabsSeen].join(', ')}`);

    const worktrees = repo.git('worktree', 'list', '--porcelain');
    for (const m of MODULES) {
      const dir = path.join(repo.worktreeRoot, PHASE, m);
      assert.ok(existsSync(path.join(dir, 'src', m, 'index.js')), `${dir} holds the module's work`);
      assert.match(worktrees, new RegExp(`worktree ${dir}\\nHEAD \\w+\\nbranch refs/heads/conductor/${PHASE}/${m}\\n`));
    }

    // The phase is `running` until its conductor has finished (late commits checked, state saved) — a moment after the last module.
    const rows = await waitForTree(
      wb.page,
      (rows) => MODULES.every((m) => rows.some((r) => r.label === m && r.icon === 'pass-filled')) && !/running/.test(rows.find((r) => r.label === 'Phase 1: Storefront')?.description ?? ''),
      'every module complete and the phase no longer running',
    );
    assert.equal(rows.find((r) => r.label === 'Phase 1: Storefront')?.description, '4/4 complete');
    const host = await wb.host('tree');
    assert.deepEqual(
      host.filter((h) => h.parentId === `phase:${PHASE}`).map((h) => [h.label, h.icon, h.contextValue]),
      MODULES.map((m) => [m, 'pass-filled', 'module-done']),
    );
    assert.deepEqual(await waitUntil('the status bar item', () => readStatusItem(wb.page), (s) => s?.text === 'Phase 1 · 4/4 done'), {
      icons: ['pass'],
      text: 'Phase 1 · 4/4 done',
    });
    assert.equal(await wb.host('statusBarText'), '$(pass) Phase 1 · 4/4 done');
    const state = JSON.parse(readFileSync(path.join(repo.folder, '.conductor', 'state.json'), 'utf8'));
    assert.deepEqual(state.phases[PHASE].modules.map((m: { id: string; state: string }) => [m.id, m.state]), MODULES.map((m) => [m, 'complete']));

    await wb.runCommand('Conductor: Merge & Validate Phase');
    await pickQuickItem(wb.page, /^Phase 1: Storefront/);
    const problems = await wb.waitForProblems((rows) => rows.some((r) => r.code === 'merge-conflict'), 'the merge conflict');
    await wb.screenshot('merge-conflict');
    const conflicts = problems.filter((r) => r.code === 'merge-conflict');
    assert.deepEqual(
      conflicts.map(({ line, severity, source }) => ({ line, severity, source })),
      [{ line: CONFLICT_LINE, severity: 'error', source: 'Spec Conductor' }],
    );
    assert.match(conflicts[0].message, /Merge conflict .*merging module (search|cart) with/);
    // On the file in the integration worktree, where the module is merged (not the checkout, which holds neither side).
    const inHost = (await wb.host('allDiagnostics')).filter((d) => d.code === 'merge-conflict');
    assert.deepEqual(inHost.map((d) => [d.file, d.line]), [[path.join(repo.worktreeRoot, 'integration', PHASE, 'src', 'shared.ts'), CONFLICT_LINE]]);
  });
});
