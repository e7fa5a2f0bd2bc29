// A window reload while agents run: the extension host that conducted is gone and its agents with
// it. After the reload the tree is rebuilt from .conductor/state.json, the modules whose agents are
// gone show as interrupted (not running), and "Conductor: Resume Phase" restarts them to the end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { ModuleRecord, RunStateFile } from '../../src/core/run/model';
import { sampleRepo } from './gitFixture';
import { withWorkbench } from './harness';
import { waitUntil } from './waitUntil';
import { clickDialogButton, readDialog, readStatusItem, showPhasesView, waitForTree, type TreeRow } from './workbenchViews';
import { alive } from '../support/processes';

const PHASE = 'phase-1-storefront';
const HANGING = ['search', 'cart'];

test('after a reload, modules whose agents are gone show as interrupted, and Resume Phase completes them', async (t) => {
  const repo = sampleRepo();
  t.after(() => repo.remove());
  const stateFile = path.join(repo.folder, '.conductor', 'state.json');
  const modulesOnDisk = (): ModuleRecord[] => (JSON.parse(readFileSync(stateFile, 'utf8')) as RunStateFile).phases[PHASE].modules;
  const byId = (modules: readonly ModuleRecord[], id: string): ModuleRecord => modules.find((m) => m.id === id)!;
  // Wave 2's agents hang on their first attempt; every other start (no entry) writes, commits and reports complete.
  const agent = repo.agent({ 'search#1': [{ hang: true }], 'cart#1': [{ hang: true }] });

  await withWorkbench({ name: 'reload', folder: repo.folder, trust: true, probe: true, ...agent }, async (wb) => {
    await showPhasesView(wb.page);
    await waitForTree(wb.page, (rows) => rows.some((r) => r.label === 'Phase 1: Storefront'), 'the phase');
    await wb.runCommand('Conductor: Conduct Phase');
    assert.deepEqual((await readDialog(wb.page)).buttons, ['Cancel', 'Conduct']);
    await clickDialogButton(wb.page, 'Conduct');

    await wb.waitForHost(
      'tree',
      (rows) => HANGING.every((m) => rows.some((r) => r.id === `module:${PHASE}/${m}` && r.contextValue === 'module-running')),
      'search and cart running',
      60_000,
    );
    // The attempt is saved before its agent is spawned (a crash in between must not start a second
    // one); its pid follows once the terminal's process exists.
    const pids = await waitUntil(
      "the hanging agents' pids, saved and alive",
      async () => HANGING.map((m) => byId(modulesOnDisk(), m).pid),
      (ids) => ids.every((pid) => pid !== null && alive(pid)),
      30_000,
    );
    assert.deepEqual((await wb.host('terminals')).filter((n) => n !== 'Agent: catalog').sort(), ['Agent: cart', 'Agent: search']);
    await wb.screenshot('agents-running');

    await wb.reload();
    await showPhasesView(wb.page);
    await wb.screenshot('reloaded');

    // The agents went down with the extension host that ran them, and nothing in this window follows them.
    await waitUntil('the hanging agents to be gone', async () => pids.filter((pid) => alive(pid!)), (live) => live.length === 0, 15_000);
    assert.deepEqual(await wb.host('terminals'), [], 'no agent terminal survives the reload');
    // The phase row is waited for too: VS Code may drop a row's redraw that crosses its fetch of the
    // rows after the reload, and the extension redraws it again (RedrawRetry) a moment later.
    const phaseRow = (rows: TreeRow[]): TreeRow | undefined => rows.find((r) => r.label === 'Phase 1: Storefront');
    const rows = await waitForTree(
      wb.page,
      (rows) => HANGING.every((m) => rows.some((r) => r.label === m && r.icon === 'debug-pause')) && /interrupted/.test(phaseRow(rows)?.description ?? ''),
      'search and cart interrupted',
    );
    await wb.screenshot('interrupted');
    assert.deepEqual(
      rows.filter((r) => r.level === 2).map((r) => [r.label, r.icon]),
      [['catalog', 'pass-filled'], ['search', 'debug-pause'], ['cart', 'debug-pause'], ['checkout', 'circle-outline']],
    );
    assert.match(phaseRow(rows)!.description, /^1\/4 complete · interrupted$/);
    const host = await wb.host('tree');
    assert.deepEqual(HANGING.map((m) => host.find((h) => h.id === `module:${PHASE}/${m}`)?.contextValue), ['module-failed', 'module-failed']);
    const shown = (await wb.host('runState')).phases[PHASE].modules;
    assert.deepEqual(HANGING.map((m) => byId(shown, m).state), ['interrupted', 'interrupted']);
    // No engine ran between the two windows: the file may still say "running" — the view must not.
    const onDisk = HANGING.map((m) => byId(modulesOnDisk(), m).state);
    t.diagnostic(`state.json after the reload says ${HANGING.map((m, i) => `${m} ${onDisk[i]}`).join(', ')}`);
    assert.ok(onDisk.every((s) => s === 'running' || s === 'interrupted'), `state.json: ${onDisk.join(', ')}`);
    assert.deepEqual(await waitUntil('the status bar item', () => readStatusItem(wb.page), (s) => s?.text.endsWith('2 interrupted') ?? false), {
      icons: ['debug-pause'],
      text: 'Phase 1 · 1/4 done · 2 interrupted',
    });
    assert.equal(await wb.host('statusBarText'), '$(debug-pause) Phase 1 · 1/4 done · 2 interrupted');

    await wb.runCommand('Conductor: Resume Phase');
    const preview = await readDialog(wb.page);
    await wb.screenshot('resume-preview');
    assert.equal(preview.message, 'Resume Phase 1: Storefront?');
    await clickDialogButton(wb.page, 'Resume');
    await wb.waitForHost('statusBarText', (text) => text === '$(pass) Phase 1 · 4/4 done', 'the phase complete after Resume', 90_000);
    await waitForTree(wb.page, (rows) => rows.filter((r) => r.level === 2).every((r) => r.icon === 'pass-filled'), 'every module complete');
    await wb.screenshot('resumed');

    const final = modulesOnDisk();
    assert.deepEqual(final.map((m) => [m.id, m.state]), ['catalog', 'search', 'cart', 'checkout'].map((m) => [m, 'complete']));
    assert.deepEqual(HANGING.map((m) => byId(final, m).attempts), [2, 2], 'the interrupted modules ran a second attempt');
    assert.deepEqual([...(await wb.host('terminalsOpened'))].sort(), ['Agent: cart', 'Agent: checkout', 'Agent: search']);
  });
});
