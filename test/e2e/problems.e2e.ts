// The bookshop fixture in a trusted workspace: the Problems panel shows the vague criterion, the
// "Validate Specs" command runs from the palette, and the in-host suite sees the same diagnostics.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertSuitePassed, copyFixture, withWorkbench, type ProblemRow } from './harness';
import { EXPECT_TRUSTED } from './suites/bookshop.suite';
import * as path from 'node:path';

const vagueCart = (r: ProblemRow): boolean => r.file === 'contracts/cart.md' && r.code === 'vague-criterion';

test('the Problems panel shows the vague criterion of contracts/cart.md at line 20', async (t) => {
  const fixture = copyFixture('bookshop');
  t.after(() => fixture.remove());
  await withWorkbench(
    { name: 'problems', folder: fixture.folder, trust: true, suite: path.join(__dirname, 'suites', 'bookshop.suite.ts'), env: { [EXPECT_TRUSTED]: 'true' } },
    async (wb) => {
      await wb.screenshot('workbench');
      const rows = await wb.waitForProblems((rows) => rows.some(vagueCart), 'the vague-criterion warning of contracts/cart.md');
      await wb.screenshot('problems');
      assert.deepEqual(
        rows.filter((r) => r.source === 'Spec Conductor').map(({ file, severity, code, line, column }) => ({ file, severity, code, line, column })),
        [{ file: 'contracts/cart.md', severity: 'warning', code: 'vague-criterion', line: 20, column: 3 }],
      );
      assert.match(rows.find(vagueCart)!.message, /"The cart should be nice" has nothing measurable/);

      await wb.runCommand('Conductor: Validate Specs');
      await wb.waitForProblems((rows) => rows.some(vagueCart), 'the warning again after "Validate Specs"');
      await wb.screenshot('after-validate-command');

      assertSuitePassed(await wb.suiteReport());
    },
  );
});
