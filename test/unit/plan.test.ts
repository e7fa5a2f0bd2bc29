import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SpecWorkspace } from '../../src/core/specWorkspace';
import { contractFor, planOf, problemsOf, readyMd, yamlContract } from '../support/specBuilder';

const shop = readyMd([
  { number: 1, name: 'Base' },
  { number: 2, name: 'Shop', modules: ['catalog', 'search', 'cart', 'checkout'] },
]);

describe('waves', () => {
  test('depends_on between modules of a phase gives waves', () => {
    const plan = planOf(shop, {
      'contracts/catalog.md': contractFor('catalog'),
      'contracts/search.md': contractFor('search'),
      'contracts/cart.md': contractFor('cart', ['feature-catalog']),
      'contracts/checkout.md': contractFor('checkout', ['cart', 'feature-search']),
    });
    assert.deepEqual(plan.problems, []);
    assert.deepEqual(plan.phases[1].waves, [['catalog', 'search'], ['cart'], ['checkout']]);
    assert.deepEqual(plan.phases[1].modules.map((m) => [m.id, m.featureId, m.contract?.file, m.dependsOn]), [
      ['catalog', 'feature-catalog', 'contracts/catalog.md', []],
      ['search', 'feature-search', 'contracts/search.md', []],
      ['cart', 'feature-cart', 'contracts/cart.md', ['catalog']],
      ['checkout', 'feature-checkout', 'contracts/checkout.md', ['cart', 'search']],
    ]);
  });

  test('phases depend on the previous one by default, or on what "Depends on" says', () => {
    const plan = planOf(
      readyMd([
        { number: 1, name: 'A' },
        { number: 2, name: 'B' },
        { number: 3, name: 'C', extra: ['Depends on: Phase 1'] },
      ]),
      {},
    );
    assert.deepEqual(plan.phases.map((p) => p.dependsOn), [[], [1], [1]]);
  });

  test('a dependency on a module of an earlier phase is satisfied by phase order', () => {
    const plan = planOf(readyMd([{ number: 1, name: 'A', modules: ['db'] }, { number: 2, name: 'B', modules: ['api'] }]), {
      'contracts/db.md': contractFor('db'),
      'contracts/api.md': contractFor('api', ['db']),
    });
    assert.deepEqual(plan.problems, []);
    assert.deepEqual(plan.phases[1].waves, [['api']]);
    assert.deepEqual(plan.phases[1].modules[0].dependsOn, ['db']);
  });

  test('a dependency on a later phase is a dependency-order error at the entry', () => {
    const plan = planOf(readyMd([{ number: 1, name: 'A', modules: ['db'] }, { number: 2, name: 'B', modules: ['api'] }]), {
      'contracts/db.md': contractFor('db', ['feature-api']),
      'contracts/api.md': contractFor('api'),
    });
    assert.deepEqual(problemsOf(plan), [['contracts/db.md', 6, 5, 'dependency-order']]);
  });
});

describe('contract problems', () => {
  test('missing-field for each absent field, at line 1 or the feature_id', () => {
    const plan = planOf(shop, { 'contracts/catalog.md': yamlContract({ featureId: 'feature-catalog' }) });
    const missing = plan.problems.filter((p) => p.code === 'missing-field');
    assert.deepEqual(missing.map((p) => [p.line, p.data?.field]), [
      [2, 'provides'],
      [2, 'depends_on'],
      [2, 'acceptance_criteria'],
    ]);
  });

  test('an empty list is missing, except depends_on: []', () => {
    const plan = planOf(shop, {
      'contracts/catalog.md': yamlContract({ featureId: 'f', provides: [], dependsOn: [], criteria: ['`x` is 1'] }),
    });
    assert.deepEqual(problemsOf(plan, 'missing-field'), [['contracts/catalog.md', 3, 1, 'missing-field']]);
  });

  test('unknown-dependency at the entry, with the closest feature as suggestion', () => {
    const plan = planOf(shop, {
      'contracts/catalog.md': contractFor('catalog'),
      'contracts/cart.md': contractFor('cart', ['feature-catalgo']),
    });
    const [p] = plan.problems.filter((x) => x.code === 'unknown-dependency');
    assert.deepEqual([p.file, p.line, p.column, p.severity, p.data?.suggestion], ['contracts/cart.md', 6, 5, 'error', 'feature-catalog']);
    assert.match(p.message, /Did you mean "feature-catalog"/);
  });

  test('dependencies on services outside the plan are not checked', () => {
    const plan = planOf(shop, {
      'contracts/catalog.md': '---\nfeature_id: f\nprovides: [x]\ndepends_on:\n  - service: Shared Logging\nacceptance_criteria: ["`x` returns 1"]\n---\n',
    });
    assert.deepEqual(problemsOf(plan).filter(([, , , c]) => c !== 'missing-contract'), []);
  });

  test('dependency-cycle on each contract in the cycle, naming it', () => {
    const plan = planOf(shop, {
      'contracts/catalog.md': contractFor('catalog', ['feature-checkout']),
      'contracts/cart.md': contractFor('cart', ['feature-catalog']),
      'contracts/checkout.md': contractFor('checkout', ['feature-cart']),
      'contracts/search.md': contractFor('search'),
    });
    const cycle = plan.problems.filter((p) => p.code === 'dependency-cycle');
    assert.deepEqual(cycle.map((p) => [p.file, p.line]), [
      ['contracts/cart.md', 6],
      ['contracts/catalog.md', 6],
      ['contracts/checkout.md', 6],
    ]);
    assert.equal(cycle[1].message, 'Dependency cycle: feature-catalog → feature-checkout → feature-cart → feature-catalog.');
    // The cycle still shows in the waves, as a last wave.
    assert.deepEqual(plan.phases[1].waves, [['search'], ['catalog', 'cart', 'checkout']]);
  });

  test('a contract that depends on itself is a cycle', () => {
    const plan = planOf(shop, { 'contracts/catalog.md': contractFor('catalog', ['catalog']) });
    assert.deepEqual(problemsOf(plan, 'dependency-cycle'), [['contracts/catalog.md', 6, 5, 'dependency-cycle']]);
  });

  test('duplicate-feature-id on both contracts', () => {
    const plan = planOf(shop, {
      'contracts/catalog.md': contractFor('catalog'),
      'contracts/search.md': contractFor('search', [], { featureId: 'feature-catalog' }),
    });
    assert.deepEqual(problemsOf(plan, 'duplicate-feature-id'), [
      ['contracts/catalog.md', 2, 13, 'duplicate-feature-id'],
      ['contracts/search.md', 2, 13, 'duplicate-feature-id'],
    ]);
  });

  test('malformed-frontmatter at the YAML error line', () => {
    const plan = planOf(shop, { 'contracts/catalog.md': '---\nfeature_id: x\nprovides: [a, b\ndepends_on: []\n---\n' });
    const [p] = plan.problems.filter((x) => x.code === 'malformed-frontmatter');
    assert.equal(p.severity, 'error');
    assert.ok(p.line >= 3 && p.line <= 5, `line ${p.line}`);
  });

  test('vague-criterion is a warning at the criterion', () => {
    const plan = planOf(shop, {
      'contracts/catalog.md': contractFor('catalog', [], { criteria: ['`GET /x` returns 200', 'The API should be fast'] }),
    });
    assert.deepEqual(problemsOf(plan, 'vague-criterion'), [['contracts/catalog.md', 8, 5, 'vague-criterion']]);
    assert.equal(plan.problems.find((p) => p.code === 'vague-criterion')!.severity, 'warning');
  });

  test('ownership-overlap between two modules of one phase, on both', () => {
    const plan = planOf(shop, {
      'contracts/cart.md': contractFor('cart', [], { owns: ['src/cart/**'] }),
      'contracts/checkout.md': contractFor('checkout', [], { owns: ['src/checkout/**', 'src/cart/total.ts'] }),
      'contracts/search.md': contractFor('search', [], { owns: ['src/search/**'] }),
    });
    assert.deepEqual(problemsOf(plan, 'ownership-overlap'), [
      ['contracts/cart.md', 9, 5, 'ownership-overlap'],
      ['contracts/checkout.md', 10, 5, 'ownership-overlap'],
    ]);
  });

  test('missing-contract for named modules only, at the module name in READY.md', () => {
    const plan = planOf(shop, {});
    assert.deepEqual(problemsOf(plan, 'missing-contract').map(([, l, c]) => [l, c]), [
      [10, 14],
      [10, 23],
      [10, 31],
      [10, 37],
    ]);
  });
});

describe('contract assignment', () => {
  test('module field, then file stem or folder, then feature_id', () => {
    const plan = planOf(shop, {
      'contracts/anything.md': contractFor('x', [], { module: 'catalog', featureId: 'feature-x' }),
      'src/search/contract.md': contractFor('search'),
      'contracts/feature-003-cart.md': contractFor('cart', [], { featureId: 'feature-003-cart' }),
      'contracts/notes.md': contractFor('checkout', [], { featureId: 'checkout' }),
    });
    assert.deepEqual(plan.phases[1].modules.map((m) => m.contract?.file), [
      'contracts/anything.md',
      'src/search/contract.md',
      'contracts/feature-003-cart.md',
      'contracts/notes.md',
    ]);
  });

  test('a module field naming no module is a warning; a second contract for a module too', () => {
    const plan = planOf(shop, {
      'contracts/a.md': contractFor('a', [], { module: 'nope' }),
      'contracts/cart.md': contractFor('cart'),
      'contracts/z.md': contractFor('z', [], { module: 'cart' }),
    });
    assert.deepEqual(problemsOf(plan).filter(([, , , c]) => c !== 'missing-contract'), [
      ['contracts/a.md', 3, 9, 'unknown-module'],
      ['contracts/z.md', 2, 13, 'duplicate-contract'],
    ]);
  });

  test('the phase field narrows the module to that phase', () => {
    const ready = readyMd([{ number: 1, name: 'A', modules: ['api'] }, { number: 2, name: 'B', modules: ['api'] }]);
    const plan = planOf(ready, { 'contracts/api.md': contractFor('api', [], { phase: 2 }) });
    assert.deepEqual(plan.phases.map((p) => p.modules[0].contract?.file ?? null), [null, 'contracts/api.md']);
  });

  test('no plan file is a no-phases error', () => {
    const plan = new SpecWorkspace().plan();
    assert.deepEqual(plan.problems.map((p) => p.code), ['no-phases']);
  });
});
