// loadSpecFiles: what reaches the model, and in which order. `afterSpec` comes between the plan file
// and the search for contracts, so a front end can show phases before the contracts are found.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SpecSource } from '../../src/core/ports';
import { loadSpecFiles } from '../../src/core/spec/loadSpecFiles';
import type { SpecModel } from '../../src/core/specModel';

/** Files in memory; logs each call so the order can be checked. */
function source(files: Record<string, string>, calls: string[]): SpecSource {
  return {
    readText: async (p) => {
      calls.push(`read ${p}`);
      return files[p] ?? null;
    },
    findFiles: async (globs) => {
      calls.push(`find ${globs.join(',')}`);
      return Object.keys(files).filter((p) => p.startsWith('contracts/')).sort();
    },
  };
}

function model(calls: string[]): SpecModel {
  return {
    setSpec: (p) => calls.push(`setSpec ${p}`),
    clearSpec: (p) => calls.push(`clearSpec ${p}`),
    setContract: (p) => calls.push(`setContract ${p}`),
    retainContracts: (ps) => calls.push(`retain ${[...ps].join(',')}`),
  };
}

test('afterSpec runs once the plan file is in the model and before contracts are searched for', async () => {
  const calls: string[] = [];
  const files = { 'READY.md': '# plan\n', 'contracts/a.md': 'a', 'contracts/b.md': 'b' };
  await loadSpecFiles(source(files, calls), { contractGlobs: ['contracts/*.md'] }, model(calls), () => calls.push('afterSpec'));
  assert.deepEqual(calls, [
    'read READY.md',
    'setSpec READY.md',
    'afterSpec',
    'find contracts/*.md',
    'read contracts/a.md',
    'read contracts/b.md',
    'setContract contracts/a.md',
    'setContract contracts/b.md',
    'retain contracts/a.md,contracts/b.md',
  ]);
});

test('without a plan file afterSpec still runs, after the model was told there is none', async () => {
  const calls: string[] = [];
  await loadSpecFiles(source({}, calls), { contractGlobs: ['contracts/*.md'] }, model(calls), () => calls.push('afterSpec'));
  const at = calls.indexOf('afterSpec');
  assert.ok(calls.slice(0, at).some((c) => c.startsWith('clearSpec')), calls.join('\n'));
  assert.ok(calls.slice(at).some((c) => c.startsWith('find')), calls.join('\n'));
});
