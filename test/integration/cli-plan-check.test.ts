// `conductor plan` and `conductor check` as a user runs them: a real process in a real folder.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { conductor } from '../support/runTs';

const fixture = path.join(__dirname, '../fixtures/bookshop');

describe('conductor plan / check', () => {
  let root: string;
  before(() => {
    root = mkdtempSync(path.join(tmpdir(), 'conductor-cli-'));
    cpSync(fixture, root, { recursive: true });
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  test('plan --json prints exactly one JSON object with the documented shape', async () => {
    const r = await conductor(root, 'plan', '--json');
    assert.equal(r.code, 0, r.stderr);
    const plan = JSON.parse(r.stdout);
    assert.equal(plan.spec, 'READY.md');
    const storefront = plan.phases[1];
    assert.deepEqual(
      Object.keys(storefront).sort(),
      ['dependsOn', 'expectedFiles', 'gate', 'goals', 'gotchas', 'line', 'modules', 'name', 'number', 'slug', 'successCriteria', 'testCommands', 'lintCommands', 'checkCommands', 'waves'].sort(),
    );
    assert.deepEqual([storefront.number, storefront.name, storefront.line, storefront.gate, storefront.dependsOn], [2, 'Storefront', 24, 'manual', [1]]);
    assert.deepEqual(storefront.waves, [['catalog'], ['search', 'cart'], ['checkout']]);
    assert.deepEqual(storefront.modules[3], {
      id: 'checkout',
      contract: 'contracts/checkout.md',
      featureId: 'feature-004-checkout',
      dependsOn: ['cart', 'search'],
      line: 27,
      goals: ['Turn a cart into an order'],
      agent: null,
      maxTurns: null,
      contextPath: null,
      tags: [],
    });
    assert.deepEqual(plan.problems, [
      {
        file: 'contracts/cart.md',
        line: 20,
        column: 3,
        severity: 'warning',
        code: 'vague-criterion',
        message: plan.problems[0].message,
      },
    ]);
  });

  test('plan prints a readable tree', async () => {
    const r = await conductor(root, 'plan');
    assert.equal(r.code, 0);
    assert.match(r.stdout, /Phase 2: Storefront {2}\[gate: manual; after phase 1\]/);
    assert.match(r.stdout, /wave 3\n {4}checkout — feature-004-checkout \(contracts\/checkout.md\) {2}← cart, search/);
  });

  test('check prints file:line:column lines and exits 0 on warnings only', async () => {
    const r = await conductor(root, 'check');
    assert.equal(r.code, 0);
    assert.equal(r.stdout.trim(), 'contracts/cart.md:20:3: warning vague-criterion: ' + r.stdout.trim().split(': ').slice(2).join(': '));
  });

  test('check exits 1 on an error, and --json lists it', async () => {
    const broken = mkdtempSync(path.join(tmpdir(), 'conductor-cli-'));
    try {
      cpSync(fixture, broken, { recursive: true });
      writeFileSync(path.join(broken, 'contracts/search.md'), '---\nfeature_id: feature-002-search\nprovides: [x]\ndepends_on:\n  - feature-001-catalgo\nacceptance_criteria: ["`x` returns 1"]\n---\n');
      const text = await conductor(broken, 'check');
      assert.equal(text.code, 1);
      assert.match(text.stdout, /^contracts\/search\.md:5:5: error unknown-dependency: .*Did you mean "feature-001-catalog"\?$/m);
      const json = await conductor(broken, 'check', '--json');
      assert.equal(json.code, 1);
      const parsed = JSON.parse(json.stdout);
      assert.equal(parsed.errors, 1);
      assert.deepEqual(parsed.problems.find((p: { code: string }) => p.code === 'unknown-dependency').line, 5);
    } finally {
      rmSync(broken, { recursive: true, force: true });
    }
  });

  test('--spec and --root select the plan; a missing plan is reported, not thrown', async () => {
    const r = await conductor(tmpdir(), 'check', '--root', root, '--spec', path.join(root, 'nope.md'));
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^nope\.md:1:1: error no-phases: The plan file nope\.md does not exist\.$/m);
  });

  test('usage errors exit 2 with one line, never a stack trace', async () => {
    for (const args of [['frobnicate'], ['plan', '--bogus'], ['check', 'extra'], []]) {
      const r = await conductor(root, ...args);
      assert.equal(r.code, 2, args.join(' '));
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    }
  });

  test('--help lists the commands', async () => {
    const r = await conductor(root, '--help');
    assert.equal(r.code, 0);
    assert.match(r.stdout, /plan\s+show the phases/);
    assert.match(r.stdout, /check\s+validate/);
  });
});

test('check on a contract whose frontmatter nests a list 3000 deep: a malformed-frontmatter problem at its file and line, no stack overflow', async () => {
  const root = mkdtempSync(path.join(tmpdir(), 'conductor-cli-'));
  try {
    cpSync(fixture, root, { recursive: true });
    const deep = Array.from({ length: 3000 }, (_, i) => `${'  '.repeat(i + 1)}-`).join('\n');
    writeFileSync(path.join(root, 'contracts/deep.md'), `---\nfeature_id: feature-900-deep\nprovides: [x]\ndepends_on: []\nacceptance_criteria:\n  - returns 200\nowns:\n${deep} x\n---\n`);
    const r = await conductor(root, 'check');
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /^contracts\/deep\.md:71:\d+: error malformed-frontmatter: The frontmatter nests lists or maps more than 64 levels deep here/m);
    assert.doesNotMatch(r.stdout + r.stderr, /call stack/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
