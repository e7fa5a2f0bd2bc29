// Workspace Trust: in a restricted workspace "Conductor: Conduct Phase" refuses with a warning that
// it needs a trusted workspace, and nothing reaches the disk — no worktree, no branch, no .conductor.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { fixtureRepo } from './gitFixture';
import { withWorkbench } from './harness';
import { waitUntil } from './waitUntil';
import { readNotifications, showPhasesView, waitForTree } from './workbenchViews';

test('in a restricted workspace Conduct Phase refuses, and starts nothing', async (t) => {
  // Without the gate, trust is the only reason left to refuse.
  const repo = fixtureRepo('bookshop', (text) => text.replace('**Gate:** manual\n', ''));
  t.after(() => repo.remove());
  const branchesBefore = repo.git('branch', '--list', '--format=%(refname:short)');
  await withWorkbench({ name: 'trust', folder: repo.folder, trust: false, probe: true, ...repo.agent({ '*': [{ hang: true }] }) }, async (wb) => {
    // The trust prompt, when VS Code shows one, is a modal dialog: answer it "No".
    const dontTrust = wb.page.locator('.monaco-dialog-box').getByRole('button', { name: /No, I don't trust/ });
    await wb.page.addLocatorHandler(dontTrust, (button) => button.click());
    await wb.page.locator('.statusbar-item', { hasText: 'Restricted Mode' }).first().waitFor();
    await showPhasesView(wb.page);
    await waitForTree(wb.page, (rows) => rows.some((r) => r.label === 'Phase 2: Storefront'), 'the phases (specs are read in restricted mode)');
    await wb.screenshot('restricted');

    await wb.runCommand('Conductor: Conduct Phase');
    const notices = await waitUntil(
      'the trust warning',
      () => readNotifications(wb.page),
      (messages) => messages.some((m) => m.includes('needs a trusted workspace')),
      15_000,
    );
    assert.match(notices.find((m) => m.includes('needs a trusted workspace'))!, /"Conduct Phase" runs git and agent processes, so it needs a trusted workspace/);
    await wb.page.locator('.notifications-toasts').getByRole('button', { name: 'Manage Workspace Trust' }).waitFor({ timeout: 5_000 });
    await wb.screenshot('refused');

    assert.deepEqual(await wb.host('terminalsOpened'), [], 'no agent terminal');
    assert.deepEqual((await wb.host('runState')).phases, {}, 'no run recorded');
  });
  assert.equal(existsSync(repo.worktreeRoot), false, `no worktree folder ${repo.worktreeRoot}`);
  assert.equal(existsSync(path.join(repo.folder, '.conductor')), false, 'no .conductor folder (status, state, hook)');
  assert.equal(repo.git('branch', '--list', '--format=%(refname:short)'), branchesBefore, 'no new branch');
  assert.equal(repo.git('worktree', 'list').trim().split('\n').length, 1, 'only the main worktree');
});
