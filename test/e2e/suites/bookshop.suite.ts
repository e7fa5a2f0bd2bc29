// Runs inside code-server's extension host on a copy of test/fixtures/bookshop (see harness.ts,
// option `suite`). EXPECT_TRUSTED tells whether the workspace was opened trusted.
import assert from 'node:assert/strict';
import type { E2eSuite } from '../../../src/vscode/e2eHook';
import { waitFor } from './waitFor';

export const EXPECT_TRUSTED = 'SPEC_CONDUCTOR_E2E_EXPECT_TRUSTED';

export const tests: E2eSuite['tests'] = {
  'the workspace trust is what the harness asked for': ({ vscode }) => {
    assert.equal(vscode.workspace.isTrusted, process.env[EXPECT_TRUSTED] === 'true');
  },

  'the extension is active and every command it contributes is registered': async ({ vscode }) => {
    const extension = vscode.extensions.getExtension('spec-conductor.spec-conductor');
    assert.equal(extension?.isActive, true);
    const contributed: { command: string }[] = extension.packageJSON.contributes.commands;
    const registered = new Set(await vscode.commands.getCommands(true));
    assert.deepEqual(contributed.map((c) => c.command).filter((id) => !registered.has(id)), [], 'contributed but not registered');
  },

  'the only diagnostic is the vague criterion of contracts/cart.md': async (api) => {
    const diagnostics = await waitFor(() => (api.diagnostics().length > 0 ? api.diagnostics() : null), 'diagnostics');
    assert.deepEqual(
      diagnostics.map(({ file, line, column, severity, code }) => ({ file, line, column, severity, code })),
      [{ file: 'contracts/cart.md', line: 20, column: 3, severity: 'warning', code: 'vague-criterion' }],
    );
    assert.match(diagnostics[0].message, /"The cart should be nice" has nothing measurable/);
  },
};
