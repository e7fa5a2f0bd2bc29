// Conduct Plan in the real workbench: F1 → "Conductor: Conduct Plan", confirm the phases, and both
// phases run — the second on the first's validated result — with the conflict two agents plant in
// phase 1 sent back to the module that caused it (and shown in the Problems panel until then),
// resolved in its terminal on its second attempt.
// Then Show Discoveries opens what the reviews agent reported (before the run it said there was
// none), and "Roll Back to Before This Phase" on phase 2's row, after its confirmation, returns phase
// 2 to phase 1's checkpoint: pending again, its old integration tip kept on a backup ref.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { sampleRepo, type AgentPlan } from './gitFixture';
import { withWorkbench } from './harness';
import { waitUntil } from './waitUntil';
import { clickContextMenuItem, clickDialogButton, expandTreeRow, readDialog, readNotifications, showPhasesView, treeRow, waitForTree } from './workbenchViews';

const SHARED = 'export const shared = {\n  owner: "nobody",\n  version: 1,\n};\n';
const PHASE_2 = '\n### Phase 2: Reviews\n- Readers review the books they bought\n\n**Modules:** reviews\n**Depends on:** Phase 1\n';
const DISCOVERY = 'Reviews need the order id; the checkout API returns it as orderId';

function agentPlan(): AgentPlan {
  const steps = (id: string, extra: Record<string, unknown>[] = []): Record<string, unknown>[] => [
    { write: `src/${id}/index.js`, content: `export const ${id} = true;\n` },
    ...extra,
    { commit: `${id}: implemented` },
    { report: 'complete', summary: `${id} implemented`, files: [`src/${id}/index.js`] },
  ];
  const claimShared = (owner: string) => [{ write: 'src/shared.ts', content: SHARED.replace('"nobody"', `"${owner}"`) }];
  const resolved = [
    { expectPrompt: 'Resolving the conflict' },
    { write: 'src/shared.ts', content: SHARED.replace('"nobody"', '"search and cart"') },
    { commit: 'resolve the conflict on src/shared.ts' },
    { report: 'complete', summary: 'conflict resolved' },
  ];
  return {
    catalog: steps('catalog'),
    'search#1': steps('search', claimShared('search')),
    'cart#1': steps('cart', claimShared('cart')),
    'search#2': resolved,
    'cart#2': resolved,
    checkout: steps('checkout'),
    reviews: steps('reviews', [{ report: 'discovery', summary: DISCOVERY }]),
  };
}

test('Conduct Plan from the palette: both phases done, the conflict fixed in a fix round, each phase checkpointed', async (t) => {
  const repo = sampleRepo();
  t.after(() => repo.remove());
  repo.commit('A shared module and a second phase', {
    'src/shared.ts': SHARED,
    'READY.md': readFileSync(path.join(repo.folder, 'READY.md'), 'utf8') + PHASE_2,
  });
  const agent = repo.agent(agentPlan());
  const head = repo.git('rev-parse', 'HEAD').trim();

  await withWorkbench({ name: 'plan', folder: repo.folder, trust: true, probe: true, ...agent }, async (wb) => {
    await showPhasesView(wb.page);
    await waitForTree(wb.page, (rows) => rows.some((r) => r.label === 'Phase 2: Reviews'), 'both phases');

    // Nothing reported yet: Show Discoveries says so, natively.
    await wb.runCommand('Conductor: Show Discoveries');
    await waitUntil('the no-discoveries notification', () => readNotifications(wb.page), (n) => n.some((m) => /no discoveries yet/.test(m)), 15_000);
    await wb.screenshot('no-discoveries');

    await wb.runCommand('Conductor: Conduct Plan');
    const preview = await readDialog(wb.page);
    await wb.screenshot('preview');
    assert.equal(preview.message, 'Conduct phases 1–2?');
    assert.match(preview.detail, /Phase 1: Storefront — pending\n {2}wave 1: catalog\n {2}wave 2: search, cart\n {2}wave 3: checkout\nPhase 2: Reviews — pending\n {2}wave 1: reviews/);
    assert.match(preview.detail, /2 fix round\(s\) per phase/);
    await clickDialogButton(wb.page, 'Conduct Plan');
    // Phase 1's first merge conflicts: the conflict is in the Problems panel (on src/shared.ts in the
    // integration worktree) until the fix round's merge replaces it — seconds, an agent's whole turn.
    const conflictShown = wb.waitForHost('allDiagnostics', (ds) => ds.some((d) => d.code === 'merge-conflict' && d.file.endsWith('src/shared.ts')), 'the merge conflict in the Problems panel', 240_000);

    const stateFile = path.join(repo.folder, '.conductor', 'state.json');
    type State = { phases: Record<string, { progress?: { state: string; checkpoint: string | null; fixRound: number }; modules: { id: string; attempts: number; baseCommit: string | null }[] }> };
    const state = await waitUntil(
      'both phases done',
      async (): Promise<State | null> => {
        try {
          return JSON.parse(readFileSync(stateFile, 'utf8')) as State;
        } catch {
          return null;
        }
      },
      (s) => s !== null && ['phase-1-storefront', 'phase-2-reviews'].every((p) => s.phases[p]?.progress?.state === 'done'),
      240_000,
    );
    await wb.screenshot('done');
    const [conflict] = (await conflictShown).filter((d) => d.code === 'merge-conflict');
    assert.match(conflict.message, /^Merge conflict \(content\) merging module (search|cart)\b/);
    await wb.waitForHost('allDiagnostics', (ds) => !ds.some((d) => d.code === 'merge-conflict'), 'the conflict gone with the merge that fixed it');
    const p1 = state!.phases['phase-1-storefront'];
    assert.equal(p1.progress?.fixRound, 1);
    // The module that conflicted (whichever of search and cart merged second) is on attempt 2.
    assert.deepEqual(p1.modules.filter((m) => m.attempts === 2).length, 1);
    const cp1 = repo.git('rev-parse', 'refs/conductor/checkpoints/phase-1^{commit}').trim();
    assert.equal(state!.phases['phase-2-reviews'].modules[0].baseCommit, cp1, 'phase 2 started from phase 1\'s checkpoint');
    assert.match(repo.git('show', `${cp1}:src/shared.ts`), /"search and cart"/);
    repo.git('rev-parse', 'refs/conductor/checkpoints/phase-2^{commit}');
    // The user's checkout did not move.
    assert.equal(repo.git('rev-parse', 'HEAD').trim(), head);
    await waitUntil('the done notification', () => readNotifications(wb.page), (n) => n.some((m) => /phases 1, 2 done — merged, validated and checkpointed/.test(m)), 30_000);
    await waitForTree(wb.page, (rows) => rows.some((r) => r.label === 'Phase 2: Reviews' && /done · checkpoint/.test(r.description)), 'phase 2 done with its checkpoint');
    // Wide enough for the phases' descriptions in the screenshots.
    await treeRow(wb.page, 'Phase 1: Storefront').click();
    for (let i = 0; i < 4; i++) await wb.runCommand('Increase Current View Size');
    await expandTreeRow(wb.page, 'Phase 2: Reviews');
    await wb.screenshot('tree-done');

    // The discovery under its module, and in DISCOVERIES.md beside READY.md.
    await expandTreeRow(wb.page, 'reviews');
    await waitForTree(wb.page, (rows) => rows.some((r) => r.label.startsWith('discovery: Reviews need the order id')), 'the discovery under reviews');
    await wb.runCommand('Conductor: Show Discoveries');
    await wb.waitForHost('editorTabs', (tabs) => tabs.some((x) => x.active && x.label === 'DISCOVERIES.md'), 'DISCOVERIES.md open');
    assert.match(readFileSync(path.join(repo.folder, 'DISCOVERIES.md'), 'utf8'), new RegExp(DISCOVERY));
    await wb.screenshot('show-discoveries');

    // Roll back phase 2 from its row: the confirmation says what it resets, then it is pending at phase 1's checkpoint.
    const tip2 = repo.git('rev-parse', 'conductor/integration/phase-2-reviews').trim();
    assert.notEqual(tip2, cp1);
    await clickContextMenuItem(wb.page, 'Phase 2: Reviews', 'Roll Back to Before This Phase');
    const confirm = await readDialog(wb.page);
    await wb.screenshot('rollback-confirm');
    assert.equal(confirm.message, 'Roll back phase 2 (Reviews)?');
    assert.match(confirm.detail, new RegExp(`Integration branches reset to phase 1's checkpoint refs/conductor/checkpoints/phase-1 \\(${cp1.slice(0, 8)}\\):\n {2}conductor/integration/phase-2-reviews \\(phase 2: Reviews\\)`));
    assert.match(confirm.detail, /kept under refs\/conductor\/backup\/\d{8}T\d{6}Z\//);
    assert.match(confirm.detail, /Phase 2 goes back to pending/);
    assert.match(confirm.detail, /Your checkout \(its branch and files\) is not touched\./);
    await clickDialogButton(wb.page, 'Roll Back');
    await waitUntil('phase 2 gone from state.json', async () => JSON.parse(readFileSync(stateFile, 'utf8')) as State, (s) => !s.phases['phase-2-reviews'] && s.phases['phase-1-storefront']?.progress?.state === 'done', 30_000);
    await waitForTree(wb.page, (rows) => rows.some((r) => r.label === 'Phase 2: Reviews' && !/done/.test(r.description)), 'phase 2 pending again');
    await waitUntil('the rolled-back notification', () => readNotifications(wb.page), (n) => n.some((m) => /phase\(s\) 2 rolled back to refs\/conductor\/checkpoints\/phase-1; they are pending again/.test(m)), 15_000);
    await wb.screenshot('rolled-back');
    assert.equal(repo.git('rev-parse', 'conductor/integration/phase-2-reviews').trim(), cp1, 'phase 2\'s integration branch is at phase 1\'s checkpoint');
    const backups = repo.git('for-each-ref', '--format=%(refname) %(objectname)', 'refs/conductor/backup').trim().split('\n');
    assert.ok(backups.some((b) => b.endsWith(`/heads/conductor/integration/phase-2-reviews ${tip2}`)), backups.join('\n'));
    assert.equal(repo.git('for-each-ref', 'refs/conductor/checkpoints/phase-2').trim(), '', 'phase 2\'s checkpoint moved to the backup');
    assert.equal(repo.git('rev-parse', 'HEAD').trim(), head, 'the checkout did not move');
  });
});
