// The templates "Create READY.md" copies must be valid specs that show every part of the format.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { SpecWorkspace } from '../../src/core/specWorkspace';

const read = (name: string): string => readFileSync(path.join(__dirname, '../../media/templates', name), 'utf8');

test('the READY.md and contract templates plan cleanly and use every part of the format', () => {
  const ws = new SpecWorkspace();
  ws.setSpec('READY.md', read('READY.md'));
  ws.setContract('contracts/cart.md', read('contract.md'));
  const plan = ws.plan();
  // Only the contracts the user has yet to write are missing.
  assert.deepEqual(
    plan.problems.map((p) => [p.code, p.message.slice(0, 16)]),
    [
      ['missing-contract', 'Module "catalog"'],
      ['missing-contract', 'Module "search" '],
    ],
  );
  assert.equal(plan.phases.length, 2);
  for (const phase of plan.phases) {
    for (const part of ['goals', 'successCriteria', 'gotchas', 'expectedFiles', 'testCommands'] as const) {
      assert.ok(phase[part].length > 0, `Phase ${phase.number} has ${part}`);
    }
  }
  const storefront = plan.phases[1];
  assert.deepEqual(storefront.checkCommands.map((c) => c.value), ['npx tsc --noEmit']);
  assert.deepEqual([storefront.gate, storefront.dependsOn, storefront.waves], ['manual', [1], [['catalog', 'search'], ['cart']]]);
  const contract = plan.contracts[0];
  assert.deepEqual(contract.problems, []);
  assert.deepEqual(Object.keys(contract.fields).sort(), ['acceptance_criteria', 'depends_on', 'feature_id', 'module', 'owns', 'phase', 'provides']);
});
