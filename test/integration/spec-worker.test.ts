// The extension parses in a worker thread (dist/specWorker.js): its plans must equal the in-process
// planner's, in the order the texts were sent.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { SpecWorkspace } from '../../src/core/specWorkspace';
import { WorkerSpecModel } from '../../src/vscode/workerSpecModel';

const dist = path.join(__dirname, '../../dist');
const fixture = path.join(__dirname, '../fixtures/bookshop');
const model = new WorkerSpecModel(dist);
after(() => model.dispose());

test('the worker plans exactly what the in-process planner plans, after every change', async () => {
  assert.ok(existsSync(path.join(dist, 'specWorker.js')), 'run "npm run build" first (npm test does)');
  const local = new SpecWorkspace();
  const ready = readFileSync(path.join(fixture, 'READY.md'), 'utf8');
  for (const m of [model, local]) {
    m.setSpec('READY.md', ready);
    for (const f of readdirSync(path.join(fixture, 'contracts'))) m.setContract(`contracts/${f}`, readFileSync(path.join(fixture, 'contracts', f), 'utf8'));
  }
  assert.deepEqual(await model.plan(), JSON.parse(JSON.stringify(local.plan())));

  // Edits are applied in order: a plan asked right after them sees all of them.
  for (const m of [model, local]) {
    m.setContract('contracts/cart.md', '---\nfeature_id: feature-003-cart\nprovides: [x]\ndepends_on: [nope]\nacceptance_criteria: ["`x` is 1"]\n---\n');
    m.retainContracts(['contracts/cart.md', 'contracts/catalog.md']);
  }
  const [remote, inProcess] = [await model.plan(), JSON.parse(JSON.stringify(local.plan()))];
  assert.deepEqual(remote, inProcess);
  assert.ok(remote.problems.some((p) => p.code === 'unknown-dependency'));
  assert.equal(remote.contracts.length, 2);
});
