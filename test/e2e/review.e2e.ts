// Review Changes and Send to Agent in the real workbench, on one phase of two modules (catalog and
// search, wave 1) whose Test Command fails on a line catalog wrote:
// 1. after the phase is conducted, catalog's "Review Changes" (its row's inline action) opens the
//    multi-file diff editor on exactly catalog's files: the one it committed and the one it left
//    uncommitted in its worktree; "Review Phase Changes" after Merge & Validate shows the integration result;
// 2. Merge & Validate puts the failing test on src/catalog/index.js:1 in the Problems panel; its quick
//    fix "Send to Agent: catalog" starts catalog's attempt 2 in its terminal, with the finding in its
//    prompt; it fixes the line, and Merge & Validate again clears the problem.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { RunStateFile } from '../../src/core/run/model';
import { sampleRepo, STANDALONE_SEARCH_CONTRACT, storefrontReady } from './gitFixture';
import { withWorkbench } from './harness';
import { waitUntil } from './waitUntil';
import { goToLine, openFile } from './workbenchUi';
import { applyQuickFix, clickDialogButton, clickInlineAction, readDialog, readMultiDiffFiles, showPhasesView, waitForTree } from './workbenchViews';

const PHASE = 'phase-1-storefront';
const READY = storefrontReady('Customers can browse and search books', ['catalog', 'search'], 'node check.mjs');
/** The phase's test: fails, at file:line, while catalog exports BROKEN. */
const CHECK = `import { readFileSync } from 'node:fs';
const file = 'src/catalog/index.js';
if (readFileSync(file, 'utf8').includes('BROKEN')) {
  console.log(\`\${file}:1: error: catalog exports BROKEN instead of its books\`);
  process.exit(1);
}
console.log('ok');
`;
const FINDING = 'catalog exports BROKEN instead of its books';

test('Review Changes shows a module\'s files in the multi-diff editor; Send to Agent sends a failing test back to its module', async (t) => {
  const repo = sampleRepo();
  t.after(() => repo.remove());
  repo.git('rm', '-q', 'contracts/cart.md', 'contracts/checkout.md');
  repo.commit('Two modules, a check that fails on catalog\'s line', {
    'READY.md': READY,
    'contracts/search.md': STANDALONE_SEARCH_CONTRACT,
    'check.mjs': CHECK,
    'src/catalog/index.js': 'export const catalog = null;\n',
  });
  const agent = repo.agent({
    'catalog#1': [
      { write: 'src/catalog/index.js', content: 'export const catalog = "BROKEN";\n' },
      { commit: 'catalog: implemented' },
      // Left uncommitted in its worktree: Review Changes shows it too.
      { write: 'src/catalog/NOTES.md', content: 'catalog notes\n' },
      { report: 'complete', summary: 'catalog implemented', files: ['src/catalog/index.js'] },
    ],
    'catalog#2': [
      { expectPrompt: FINDING },
      { write: 'src/catalog/index.js', content: 'export const catalog = ["Dune"];\n' },
      { commit: 'catalog: export the books' },
      { report: 'complete', summary: 'catalog fixed', files: ['src/catalog/index.js'] },
    ],
    search: [
      { write: 'src/search/index.js', content: 'export const search = true;\n' },
      { commit: 'search: implemented' },
      { report: 'complete', summary: 'search implemented', files: ['src/search/index.js'] },
    ],
  });

  await withWorkbench({ name: 'review', folder: repo.folder, trust: true, probe: true, ...agent }, async (wb) => {
    const catalogWorktree = path.join(repo.worktreeRoot, PHASE, 'catalog');
    const moduleState = async (id: string) => ((await wb.host('runState')) as RunStateFile).phases[PHASE]?.modules.find((m) => m.id === id);

    await showPhasesView(wb.page);
    await waitForTree(wb.page, (rows) => rows.some((r) => r.label === 'Phase 1: Storefront'), 'the phase');
    await wb.runCommand('Conductor: Conduct Phase');
    assert.equal((await readDialog(wb.page)).message, 'Conduct Phase 1: Storefront?');
    await clickDialogButton(wb.page, 'Conduct');
    await wb.waitForHost('tree', (rows) => ['catalog', 'search'].every((m) => rows.some((r) => r.id === `module:${PHASE}/${m}` && r.contextValue === 'module-done')), 'both modules complete');
    await waitForTree(wb.page, (rows) => rows.filter((r) => r.level === 2 && r.icon === 'pass-filled').length === 2, 'both module rows complete');
    await wb.screenshot('conducted');

    // 1. Review Changes on catalog's row: its committed file and its uncommitted one, nothing of search's.
    await clickInlineAction(wb.page, 'catalog', 'Review Changes');
    // The editor adds the file count to the title; files outside the workspace folder are labelled by their absolute folder.
    const tabs = await wb.waitForHost('editorTabs', (all) => all.some((x) => x.active && x.label === 'catalog (Phase 1): changes (2 files)'), 'the multi-diff editor');
    const review = tabs.find((x) => x.active)!;
    // The tab's input lists the files with both sides (the added one has no left side, so it is not a text diff there):
    // the base read from git on the left, the worktree's file on the right.
    const worktreeUri = (rel: string) => `file://${path.join(catalogWorktree, rel)}`;
    assert.deepEqual(
      review.textDiffs?.map((d) => [d.original?.replace(/\?.*/, '') ?? null, d.modified]),
      [[worktreeUri('src/catalog/index.js').replace(/^file:\/\//, 'conductor-git:'), worktreeUri('src/catalog/index.js')]],
    );
    const listed = await waitUntil('the diff editor\'s files', () => readMultiDiffFiles(wb.page), (files) => files.length === 2);
    await wb.screenshot('review-changes');
    assert.deepEqual(listed, [
      { name: 'NOTES.md', folder: path.join(catalogWorktree, 'src', 'catalog') },
      { name: 'index.js', folder: path.join(catalogWorktree, 'src', 'catalog') },
    ]);

    // 2. Merge & Validate: the failing test on catalog's line.
    await wb.runCommand('Conductor: Merge & Validate Phase');
    const problems = await wb.waitForProblems((rows) => rows.some((r) => r.code === 'test-command'), 'the failing test');
    const failing = problems.filter((r) => r.code === 'test-command');
    assert.deepEqual(failing.map(({ file, line, severity }) => ({ file, line, severity })), [{ file: 'src/catalog/index.js', line: 1, severity: 'error' }]);
    assert.match(failing[0].message, new RegExp(`${FINDING} \\(module catalog\\) — node check\\.mjs`));
    await wb.screenshot('failing-test');

    await wb.runCommand('Conductor: Review Phase Changes');
    await wb.waitForHost('editorTabs', (all) => all.some((x) => x.active && x.label === 'Phase 1: Storefront — integration result (2 files)'), 'the integration result\'s diff');
    // The module's diff editor may still be shown for a moment: wait for the new one's files.
    const merged = await waitUntil('the integration result\'s files', () => readMultiDiffFiles(wb.page), (files) => files.length === 2 && files.every((f) => !f.folder.startsWith('/')));
    assert.deepEqual(merged, [
      { name: 'index.js', folder: 'src/catalog' },
      { name: 'index.js', folder: 'src/search' },
    ]);
    await wb.screenshot('review-phase-changes');

    // Send to Agent from the problem's line in the editor.
    await openFile(wb.page, 'src/catalog/index.js');
    await goToLine(wb.page, 1);
    const offered = await applyQuickFix(wb.page, /Send to Agent: catalog/, () => wb.screenshot('send-to-agent'));
    assert.ok(offered.some((x) => /Send to Agent: catalog/.test(x)), offered.join(' | '));

    await waitUntil('catalog\'s attempt 2 started', () => moduleState('catalog'), (m) => (m?.attempts ?? 0) >= 2, 30_000);
    await waitUntil('catalog\'s terminal opened again', () => wb.host('terminalsOpened'), (names) => names.filter((n) => n === 'Agent: catalog').length === 2, 30_000);
    const prompt = readFileSync(path.join(repo.folder, '.conductor', 'prompts', PHASE, 'catalog.md'), 'utf8');
    assert.match(prompt, new RegExp(FINDING));
    assert.match(prompt, /src\/catalog\/index\.js/);
    const done = await waitUntil('catalog complete again', () => moduleState('catalog'), (m) => m?.state === 'complete', 60_000);
    assert.equal(done?.attempts, 2);
    assert.equal((await moduleState('search'))?.attempts, 1, 'search was not sent back');
    await wb.screenshot('attempt-2-done');

    await wb.runCommand('Conductor: Merge & Validate Phase');
    await wb.waitForProblems((rows) => !rows.some((r) => r.code === 'test-command'), 'the failing test gone');
    await wb.screenshot('problem-cleared');
  });
});
