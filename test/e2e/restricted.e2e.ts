// Restricted mode: without --disable-workspace-trust the folder is not trusted (and if VS Code asks,
// we say no); the extension's "limited" support still validates the specs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { assertSuitePassed, copyFixture, withWorkbench } from './harness';
import { EXPECT_TRUSTED } from './suites/bookshop.suite';

test('in restricted mode the specs are still validated', async (t) => {
  const fixture = copyFixture('bookshop');
  t.after(() => fixture.remove());
  await withWorkbench(
    { name: 'restricted', folder: fixture.folder, trust: false, suite: path.join(__dirname, 'suites', 'bookshop.suite.ts'), env: { [EXPECT_TRUSTED]: 'false' } },
    async (wb) => {
      // The trust prompt, when VS Code shows one, is a modal dialog: answer it "No".
      const dontTrust = wb.page.locator('.monaco-dialog-box').getByRole('button', { name: /No, I don't trust/ });
      await wb.page.addLocatorHandler(dontTrust, (button) => button.click());
      await wb.page.locator('.statusbar-item', { hasText: 'Restricted Mode' }).first().waitFor();
      await wb.screenshot('restricted-mode');

      const rows = await wb.waitForProblems((rows) => rows.some((r) => r.code === 'vague-criterion'), 'the vague-criterion warning');
      await wb.screenshot('problems');
      const warning = rows.find((r) => r.code === 'vague-criterion')!;
      assert.deepEqual({ file: warning.file, line: warning.line, severity: warning.severity }, { file: 'contracts/cart.md', line: 20, severity: 'warning' });

      assertSuitePassed(await wb.suiteReport());
    },
  );
});
