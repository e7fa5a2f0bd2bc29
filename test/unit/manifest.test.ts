// package.json and src/vscode/ids.ts must agree: a typo in either breaks a command silently.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { COMMAND, SETTING, SETTINGS_SECTION } from '../../src/vscode/ids';

const manifest = JSON.parse(readFileSync(path.join(__dirname, '../../package.json'), 'utf8'));

test('every command in ids.ts is contributed, and nothing else', () => {
  const contributed = manifest.contributes.commands.map((c: { command: string }) => c.command).sort();
  assert.deepEqual(contributed, Object.values(COMMAND).sort());
});

test('every setting in ids.ts is contributed, and nothing else', () => {
  const keys = Object.keys(manifest.contributes.configuration.properties).sort();
  assert.deepEqual(keys, Object.values(SETTING).map((k) => `${SETTINGS_SECTION}.${k}`).sort());
});

test('commands carry the Conductor category', () => {
  for (const c of manifest.contributes.commands) assert.equal(c.category, 'Conductor', c.command);
});

test('activation is never eager', () => {
  for (const e of manifest.activationEvents) assert.ok(e !== '*' && e !== 'onStartupFinished', e);
});

test('the extension declares limited support for untrusted workspaces', () => {
  assert.equal(manifest.capabilities.untrustedWorkspaces.supported, 'limited');
});
