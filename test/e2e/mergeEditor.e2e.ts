// Resolve in Merge Editor in the real workbench, on one phase of two modules (catalog and search,
// wave 1) that both add a line at the same place in src/shelves.js (the built-in git extension is
// off: the extension opens the merge editor on its own):
// 1. Merge & Validate merges catalog and stops on search's conflict: a merge-conflict problem on the
//    file in the integration worktree, and a "conflict: src/shelves.js" row under search in the tree
//    (still there after a window reload: read from the merge result on disk);
// 2. the problem's quick fix "Resolve in Merge Editor" (the tree row has it inline too) prepares the
//    merge there (MERGE_HEAD, markers) and opens VS Code's 3-way merge editor with the index's
//    stages as base and sides, the file as result;
// 3. the test accepts both sides with the merge editor's own actions, completes the merge (saved,
//    no marker left), reloads the window (the resolution is found in progress again) and runs
//    Commit Resolved Merge from the palette: search is merged on the integration branch and
//    Merge & Validate goes on and finishes clean (its test command passes on both lines).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { sampleRepo, STANDALONE_SEARCH_CONTRACT, storefrontReady } from './gitFixture';
import { withWorkbench } from './harness';
import { waitUntil } from './waitUntil';
import { applyQuickFix, clickDialogButton, expandTreeRow, readDialog, readInlineActions, showPhasesView, waitForTree } from './workbenchViews';

const PHASE = 'phase-1-storefront';
const READY = storefrontReady('Customers can browse and search books', ['catalog', 'search'], 'node check.mjs');
const SHELVES = 'export const shelves = [\n];\n';
/** Passes once both modules' shelves are in, with no conflict marker left. */
const CHECK = `import { readFileSync } from 'node:fs';
const file = 'src/shelves.js';
const text = readFileSync(file, 'utf8');
if (/^(<<<<<<<|=======|>>>>>>>)/m.test(text) || !text.includes("'catalog'") || !text.includes("'search'")) {
  console.log(\`\${file}:1: error: the shelves of catalog and search are not both there\`);
  process.exit(1);
}
console.log('ok');
`;

test('a conflict resolved in the merge editor and committed lets Merge & Validate finish clean', async (t) => {
  const repo = sampleRepo();
  t.after(() => repo.remove());
  repo.git('rm', '-q', 'contracts/cart.md', 'contracts/checkout.md');
  repo.commit('Two modules adding a shelf at the same place', { 'READY.md': READY, 'contracts/search.md': STANDALONE_SEARCH_CONTRACT, 'check.mjs': CHECK, 'src/shelves.js': SHELVES });
  const shelf = (module: string) => [
    { write: 'src/shelves.js', content: `export const shelves = [\n  '${module}',\n];\n` },
    { commit: `${module}: its shelf` },
    { report: 'complete', summary: `${module} shelved`, files: ['src/shelves.js'] },
  ];
  const agent = repo.agent({ catalog: shelf('catalog'), search: shelf('search') });

  await withWorkbench({ name: 'merge-editor', folder: repo.folder, trust: true, probe: true, ...agent }, async (wb) => {
    const integration = path.join(repo.worktreeRoot, 'integration', PHASE);
    const result = path.join(integration, 'src', 'shelves.js');
    const branch = `conductor/integration/${PHASE}`;
    const conflicts = async () => (await wb.host('allDiagnostics')).filter((d) => d.code === 'merge-conflict');

    await showPhasesView(wb.page);
    await waitForTree(wb.page, (rows) => rows.some((r) => r.label === 'Phase 1: Storefront'), 'the phase');
    await wb.runCommand('Conductor: Conduct Phase');
    assert.equal((await readDialog(wb.page)).message, 'Conduct Phase 1: Storefront?');
    await clickDialogButton(wb.page, 'Conduct');
    await wb.waitForHost('tree', (rows) => ['catalog', 'search'].every((m) => rows.some((r) => r.id === `module:${PHASE}/${m}` && r.contextValue === 'module-done')), 'both modules complete', 120_000);

    // 1. Merge & Validate: catalog merged, search's conflict on the file in the integration worktree.
    await wb.runCommand('Conductor: Merge & Validate Phase');
    const shown = await waitUntil('the merge conflict', conflicts, (list) => list.length > 0, 120_000);
    assert.deepEqual(
      shown.map(({ file, line, severity }) => ({ file, line, severity })),
      [{ file: result, line: 2, severity: 'error' }],
    );
    assert.match(shown[0].message, /^Merge conflict \(content\) merging module search with catalog: /);
    await wb.waitForProblems((rows) => rows.some((r) => r.code === 'merge-conflict'), 'the conflict in the Problems panel');
    await wb.screenshot('merge-conflict-problem');

    const tree = await wb.waitForHost('tree', (rows) => rows.some((r) => r.id === `conflict:${PHASE}/search/src/shelves.js`), 'the conflict row');
    assert.deepEqual(
      tree.filter((r) => r.contextValue === 'conflict').map((r) => [r.parentId, r.label, r.description]),
      [[`module:${PHASE}/search`, 'conflict: src/shelves.js', 'with catalog']],
    );
    assert.match(tree.find((r) => r.id === `phase:${PHASE}`)?.description ?? '', /merge conflict/);

    // After a window reload the row is still there, read from the merge result on disk; Merge & Validate again brings the problem back.
    await wb.reload();
    await wb.waitForHost('tree', (rows) => rows.some((r) => r.id === `conflict:${PHASE}/search/src/shelves.js`), 'the conflict row after a reload', 60_000);
    assert.deepEqual(await conflicts(), []);
    await wb.runCommand('Conductor: Merge & Validate Phase');
    await waitUntil('the merge conflict again', conflicts, (list) => list.length === 1 && list[0].file === result, 120_000);
    await wb.waitForProblems((rows) => rows.some((r) => r.code === 'merge-conflict'), 'the conflict in the Problems panel again');
    await showPhasesView(wb.page);
    await expandTreeRow(wb.page, 'search');
    await waitForTree(wb.page, (rows) => rows.some((r) => r.label === 'conflict: src/shelves.js'), 'the conflict row shown');
    assert.deepEqual(await readInlineActions(wb.page, 'conflict: src/shelves.js'), ['Resolve in Merge Editor', 'Send to Agent']);
    await wb.screenshot('conflict-in-tree');

    // 2. Resolve in Merge Editor, the problem's quick fix (Ctrl+. on it, in the integration worktree's file,
    //    opened from the Problems panel): the merge in progress, the merge editor on the file.
    await wb.page.locator('.markers-panel .monaco-list-row', { hasText: 'Merge conflict (content)' }).first().dblclick();
    await wb.page.locator('.editor-group-container.active .tab.active', { hasText: 'shelves.js' }).waitFor({ timeout: 15_000 });
    await wb.page.locator('.editor-group-container.active .monaco-editor.focused').waitFor({ timeout: 15_000 });
    await wb.goToLine(2);
    const offered = await applyQuickFix(wb.page, /^Resolve in Merge Editor: search$/, () => wb.screenshot('quick-fixes'));
    assert.deepEqual(offered.filter((x) => /search/.test(x)).sort(), ['Resolve in Merge Editor: search', 'Send to Agent: search']);
    const tabs = await wb.waitForHost('editorTabs', (all) => all.some((x) => x.merge !== null), 'the merge editor', 60_000);
    const merge = tabs.find((x) => x.merge !== null)!.merge!;
    assert.equal(merge.result, `file://${result}`);
    // Each side is the index's stage blob of the file, read through the extension's own scheme.
    const stages = [merge.base, merge.input1, merge.input2].map((side) => decodeURIComponent(side));
    const blobs = stages.map((side) => /^conductor-stage:(\/[^?]+)\?blob=([0-9a-f]{40})$/.exec(side));
    assert.deepEqual(blobs.map((m) => m?.[1]), [result, result, result], stages.join(' | '));
    assert.deepEqual(blobs.map((m) => repo.git('cat-file', 'blob', m![2])), [SHELVES, "export const shelves = [\n  'catalog',\n];\n", "export const shelves = [\n  'search',\n];\n"]);
    assert.equal(execFileSync('git', ['rev-parse', 'MERGE_HEAD'], { cwd: integration, encoding: 'utf8' }).trim(), repo.git('rev-parse', `conductor/${PHASE}/search`).trim(), 'search\'s merge is in progress in the integration worktree');
    assert.match(readFileSync(result, 'utf8'), /^<<<<<<< HEAD\n {2}'catalog',\n=======\n {2}'search',\n>>>>>>> /m);
    const editor = wb.page.locator('.merge-editor');
    await editor.waitFor({ timeout: 30_000 });
    // The diagnostics moved to the conflict block in the file (markers included: lines 2–6).
    await waitUntil('the conflict block\'s diagnostic', conflicts, (list) => list.length === 1 && list[0].file === result && list[0].line === 2 && /resolve it \(Resolve in Merge Editor\)/.test(list[0].message));
    await wb.screenshot('merge-editor');

    // 3. Accept both sides with the merge editor's own action: Integration's line, then search's after it.
    // One action, then wait for it to be applied (its lens goes): a second click right after a first
    // could land on a lens the editor was redrawing, and Complete Merge would save half the result.
    const actions = editor.locator('.merge-editor-conflict-actions a[role="button"]');
    const combine = actions.filter({ hasText: /^Accept Combination \(Integration First\)$/ });
    await combine.first().click({ timeout: 30_000 });
    await waitUntil('the combination applied', () => combine.count(), (n) => n === 0, 30_000);
    await wb.screenshot('both-sides-accepted');
    await wb.runCommand('Merge Editor: Complete Merge');
    // Complete Merge saves the result; the file may pass through the merge editor's reset (the base) first.
    const both = "export const shelves = [\n  'catalog',\n  'search',\n];\n";
    const resolved = await waitUntil('the resolution saved', async () => readFileSync(result, 'utf8'), (text) => text === both, 30_000);
    assert.equal(resolved, both);
    await waitUntil('the block\'s diagnostic gone', conflicts, (list) => list.length === 0);
    await wb.screenshot('merge-completed');

    // A reload before committing: the resolution is found in progress in the integration worktree, so
    // Commit Resolved Merge is still offered in the palette (its `when` needs specConductor.resolving).
    // The extension looks for it once activated; a palette opened before that lists what it offered then.
    await wb.reload();
    await showPhasesView(wb.page);
    const commitFromPalette = (): Promise<boolean> =>
      wb.runCommand('Conductor: Commit Resolved Merge').then(
        () => true,
        async () => {
          await wb.page.keyboard.press('Escape');
          return false;
        },
      );
    await waitUntil('Commit Resolved Merge offered after the reload', commitFromPalette, (ran) => ran, 60_000);
    await waitUntil('search merged on the integration branch', async () => repo.git('log', '--format=%s', branch), (log) => /^conductor: merge search \(feature-002-search, contracts\/search\.md\)$/m.test(log), 60_000);
    assert.equal(repo.git('rev-list', '--parents', '-1', `${branch}^{/merge search}`).trim().split(' ').length, 3, 'a merge commit');
    // Merge & Validate goes on by itself: both merged, the test passes, nothing left to show.
    await wb.waitForHost('tree', (rows) => !rows.some((r) => r.contextValue === 'conflict') && !/merge conflict/.test(rows.find((r) => r.id === `phase:${PHASE}`)?.description ?? ''), 'the conflict row gone', 120_000);
    const report = JSON.parse(readFileSync(path.join(repo.folder, '.conductor', 'merge', `${PHASE}.json`), 'utf8')) as { merged: string[]; ok: boolean; conflicts: unknown[] };
    assert.deepEqual([report.merged, report.ok, report.conflicts], [['catalog', 'search'], true, []]);
    await wb.waitForProblems((rows) => !rows.some((r) => r.code === 'merge-conflict' || r.code === 'test-command'), 'no conflict, no failing test');
    assert.deepEqual(await conflicts(), []);
    await wb.screenshot('merge-validate-clean');
  });
});
