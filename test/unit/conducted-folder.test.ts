// The folder a multi-root window conducts: the first with a plan file, on real folders.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { conductedFolder } from '../../src/vscode/conductedFolder';

const root = mkdtempSync(path.join(os.tmpdir(), 'sc-folders-'));
after(() => rmSync(root, { recursive: true, force: true }));

function folder(name: string, files: string[], index: number, scheme = 'file') {
  const dir = path.join(root, name);
  for (const f of files) {
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    writeFileSync(path.join(dir, f), '# plan\n');
  }
  mkdirSync(dir, { recursive: true });
  return { name, index, uri: { scheme, fsPath: dir } as unknown as import('vscode').Uri };
}

const none = () => '';

test('the first folder that has a plan file, whatever its place', () => {
  const docs = folder('docs', [], 0);
  const app = folder('app', ['READY.md'], 1);
  const lib = folder('lib', ['READY.md'], 2);
  assert.equal(conductedFolder([docs, app, lib], none)?.name, 'app');
});

test('the other conventional names count too', () => {
  assert.equal(conductedFolder([folder('a', [], 0), folder('b', ['.prelude/READY.md'], 1)], none)?.name, 'b');
  assert.equal(conductedFolder([folder('c', [], 0), folder('d', ['tasks.csv'], 1)], none)?.name, 'd');
});

test('a configured plan file is the one looked for', () => {
  const plain = folder('plain', ['READY.md'], 0);
  const custom = folder('custom', ['plans/PLAN.md'], 1);
  assert.equal(conductedFolder([plain, custom], (f) => (f.name === 'plain' ? 'plans/PLAN.md' : 'plans/PLAN.md'))?.name, 'custom');
});

test('without any plan, the first folder; without folders, none', () => {
  assert.equal(conductedFolder([folder('x', [], 0), folder('y', [], 1)], none)?.name, 'x');
  assert.equal(conductedFolder([], none), undefined);
});

test('folders that are not on this machine are not looked into', () => {
  const remote = folder('remote', ['READY.md'], 0, 'vscode-vfs');
  const local = folder('local', ['READY.md'], 1);
  assert.equal(conductedFolder([remote, local], none)?.name, 'local');
});
