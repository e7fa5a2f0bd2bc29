import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseContract } from '../../src/core/contract/parseContract';
import type { Pos } from '../../src/core/model';
import { FRONTMATTER, HEADINGS, MIXED, SEED } from './contractSamples';

/** 1-based position of the `nth` occurrence of `needle` (independent of the parser). */
function posOf(text: string, needle: string, nth = 1): Pos {
  let at = -1;
  for (let i = 0; i < nth; i++) {
    at = text.indexOf(needle, at + 1);
    assert.ok(at >= 0, `"${needle}" #${nth} not in the text`);
  }
  const before = text.slice(0, at).split(/\r\n|\r|\n/);
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

describe('parseContract: seed 001 markdown form', () => {
  const c = parseContract('contracts/catalog.md', SEED);

  test('reads the feature id from the paragraph after the numbered header', () => {
    assert.equal(c.form, 'markdown');
    assert.deepEqual(c.featureId, { value: 'feature-002-product-catalog', ...posOf(SEED, '`feature-002') });
    assert.deepEqual(c.fields.feature_id, { line: 3, column: 4 });
    assert.deepEqual(c.problems, []);
  });

  test('splits provides by category, one entry per code value at its backtick', () => {
    assert.deepEqual(c.fields.provides, { line: 7, column: 4 });
    assert.deepEqual(c.provides, [
      { category: 'api', value: 'GET /products', ...posOf(SEED, '`GET /products`') },
      { category: 'api', value: 'GET /products/{id}', ...posOf(SEED, '`GET /products/{id}`') },
      { category: 'api', value: 'PATCH /products/{id}/stock', ...posOf(SEED, '`PATCH /products') },
      { category: 'data model', value: 'Product', ...posOf(SEED, '`Product`') },
    ]);
  });

  test('reads dependency kinds, values and notes', () => {
    assert.deepEqual(c.dependsOn, [
      { kind: 'feature', value: 'feature-001-authentication', note: '(for user context)', line: 13, column: 1 },
      { kind: 'service', value: 'Shared Logging Service', note: '', line: 15, column: 1 },
    ]);
  });

  test('keeps each criterion whole, label included', () => {
    assert.deepEqual(c.acceptanceCriteria, [
      { value: 'Functionality: All endpoints implemented per spec.', line: 19, column: 1 },
      { value: 'Performance: `GET` requests < 100ms (p95).', line: 21, column: 1 },
      { value: 'Integration: Feature 3 can successfully call `PATCH` endpoint.', line: 23, column: 1 },
    ]);
    assert.equal(c.phase, null);
    assert.equal(c.module, null);
    assert.deepEqual(c.owns, []);
    assert.equal(c.fields.owns, undefined);
  });

  test('CRLF line endings give identical results', () => {
    assert.deepEqual(parseContract('contracts/catalog.md', SEED.replace(/\n/g, '\r\n')), c);
  });

  test('a BOM moves no column', () => {
    assert.deepEqual(parseContract('contracts/catalog.md', '\uFEFF' + SEED), c);
  });
});

describe('parseContract: frontmatter form', () => {
  const c = parseContract('contracts/cart.md', FRONTMATTER);

  test('records every key where it was written', () => {
    assert.equal(c.form, 'frontmatter');
    assert.deepEqual(c.problems, []);
    assert.deepEqual(c.fields, {
      feature_id: { line: 2, column: 1 },
      phase: { line: 3, column: 1 },
      module: { line: 4, column: 1 },
      provides: { line: 5, column: 1 },
      depends_on: { line: 10, column: 1 },
      acceptance_criteria: { line: 14, column: 1 },
      owns: { line: 17, column: 1 },
    });
  });

  test('reads scalar fields, with "Phase 2" as phase 2', () => {
    assert.deepEqual(c.featureId, { value: 'feature-003-cart', line: 2, column: 13 });
    assert.deepEqual(c.phase, { value: 2, line: 3, column: 8 });
    assert.deepEqual(c.module, { value: 'cart', line: 4, column: 9 });
  });

  test('reads provides as a map of categories to a list or a scalar', () => {
    assert.deepEqual(c.provides, [
      { category: 'api', value: 'GET /cart', ...posOf(FRONTMATTER, 'GET /cart') },
      { category: 'api', value: 'POST /cart/items', ...posOf(FRONTMATTER, 'POST /cart') },
      { category: 'files', value: 'src/cart/api.ts', line: 8, column: 7 },
      { category: 'data', value: 'Cart schema', line: 9, column: 9 },
    ]);
  });

  test('reads depends_on mixing strings and {kind: name} maps', () => {
    assert.deepEqual(c.dependsOn, [
      { kind: 'feature', value: 'feature-002-product-catalog', note: '', line: 11, column: 5 },
      { kind: 'service', value: 'Shared Logging', note: '', ...posOf(FRONTMATTER, '"Shared Logging"') },
      { kind: 'module', value: 'auth', note: 'for sessions', ...posOf(FRONTMATTER, 'auth,') },
    ]);
  });

  test('keeps a criterion that YAML read as a map whole', () => {
    assert.deepEqual(c.acceptanceCriteria, [
      { value: '`npm test` exits 0', line: 15, column: 5 },
      { value: 'Performance: GET /cart < 100ms', line: 16, column: 5 },
    ]);
    assert.deepEqual(c.owns, [{ value: 'src/cart/**', line: 18, column: 5 }]);
  });

  test('CRLF line endings give identical results', () => {
    assert.deepEqual(parseContract('contracts/cart.md', FRONTMATTER.replace(/\n/g, '\r\n')), c);
  });

  test('owns may be one string and phase a number', () => {
    const text = '---\nfeature_id: f\nphase: 3\nowns: src/a/**\n---\n';
    const d = parseContract('c.md', text);
    assert.deepEqual(d.phase, { value: 3, line: 3, column: 8 });
    assert.deepEqual(d.owns, [{ value: 'src/a/**', line: 4, column: 7 }]);
  });

  test('a plain list of provides has no category; numbers keep their spelling', () => {
    const d = parseContract('c.md', '---\nfeature_id: 002\nprovides:\n  - GET /a\n  - src/a.ts\n---\n');
    assert.equal(d.featureId?.value, '002');
    assert.deepEqual(d.provides.map((p) => [p.category, p.value]), [[null, 'GET /a'], [null, 'src/a.ts']]);
  });

  test('depends_on: [] is present and empty', () => {
    const d = parseContract('c.md', '---\nfeature_id: f\ndepends_on: []\n---\n');
    assert.deepEqual(d.fields.depends_on, { line: 3, column: 1 });
    assert.deepEqual(d.dependsOn, []);
    assert.deepEqual(d.problems, []);
  });

  test('depends_on as a map of kinds to lists', () => {
    const d = parseContract('c.md', '---\ndepends_on:\n  feature: [a, b]\n  external: Stripe API\n---\n');
    assert.deepEqual(d.dependsOn.map((x) => [x.kind, x.value, x.line, x.column]), [
      ['feature', 'a', 3, 13],
      ['feature', 'b', 3, 16],
      ['external', 'Stripe API', 4, 13],
    ]);
  });
});

describe('parseContract: problems', () => {
  test('malformed YAML reports the error line in file coordinates, on one line', () => {
    const text = '---\nfeature_id: f\nprovides: [a, b\ndepends_on: []\n---\n';
    const c = parseContract('contracts/x.md', text);
    assert.equal(c.problems.length >= 1, true);
    const p = c.problems[0];
    assert.equal(p.code, 'malformed-frontmatter');
    assert.equal(p.severity, 'error');
    assert.equal(p.file, 'contracts/x.md');
    assert.ok(p.line >= 3 && p.line <= 5, `line ${p.line}`);
    assert.ok(!p.message.includes('\n'));
    assert.ok(c.problems.every((q) => q.code === 'malformed-frontmatter'));
  });

  test('a YAML error is reported at its own line', () => {
    const c = parseContract('x.md', '---\nfeature_id: f\nfeature_id: g\n---\n');
    assert.deepEqual(c.problems.map((p) => [p.code, p.line]), [['malformed-frontmatter', 3]]);
  });

  test('an unterminated frontmatter is reported at line 1', () => {
    const c = parseContract('x.md', '---\nfeature_id: f\nprovides: [a]\n');
    assert.deepEqual(c.problems.map((p) => [p.code, p.line, p.column]), [['malformed-frontmatter', 1, 1]]);
  });

  test('a field of the wrong shape is reported at its key', () => {
    const c = parseContract('x.md', '---\nfeature_id: f\nacceptance_criteria: 42\nowns: {a: b}\n---\n');
    assert.deepEqual(c.problems.map((p) => [p.code, p.severity, p.line, p.column]), [
      ['malformed-field', 'error', 3, 1],
      ['malformed-field', 'error', 4, 1],
    ]);
    assert.deepEqual(c.fields.acceptance_criteria, { line: 3, column: 1 });
    assert.deepEqual(c.acceptanceCriteria, []);
  });

  test('a frontmatter that is not a mapping is malformed', () => {
    const c = parseContract('x.md', '---\n- a\n- b\n---\n');
    assert.deepEqual(c.problems.map((p) => [p.code, p.line]), [['malformed-frontmatter', 2]]);
  });

  test('missing fields leave no key in fields', () => {
    const c = parseContract('x.md', '## feature_id\n`f`\n');
    assert.deepEqual(Object.keys(c.fields), ['feature_id']);
    assert.equal(c.fields.provides, undefined);
    assert.equal(c.fields.depends_on, undefined);
    assert.equal(c.fields.acceptance_criteria, undefined);
  });

  test('an empty feature_id is present but null (the plan validator reports it)', () => {
    for (const text of ['## feature_id\n\n## provides\n- x\n', '---\nfeature_id:\n---\n']) {
      const c = parseContract('x.md', text);
      assert.equal(c.featureId, null);
      assert.deepEqual(c.fields.feature_id, { line: text.startsWith('---') ? 2 : 1, column: text.startsWith('---') ? 1 : 4 });
      assert.deepEqual(c.problems, []);
    }
  });

  test('an empty module or a phase without a number is reported at the key', () => {
    const c = parseContract('x.md', '---\nmodule:\nphase: soon\n---\n');
    assert.deepEqual(c.problems.map((p) => [p.code, p.severity, p.line]), [
      ['malformed-field', 'warning', 2],
      ['malformed-field', 'error', 3],
    ]);
  });

  test('an empty file is an empty contract', () => {
    for (const text of ['', '\n', '\uFEFF', '---', '---\n---\n']) {
      const c = parseContract('x.md', text);
      assert.deepEqual(c.fields, {});
      assert.equal(c.form, 'markdown');
    }
  });
});

describe('parseContract: markdown variants', () => {
  const c = parseContract('contracts/cart.md', HEADINGS);

  test('reads headings form', () => {
    assert.equal(c.form, 'markdown');
    assert.deepEqual(c.featureId, { value: 'feature-003-cart', ...posOf(HEADINGS, '`feature-003') });
    assert.deepEqual(c.fields.feature_id, { line: 3, column: 4 });
    assert.deepEqual(c.phase, { value: 2, ...posOf(HEADINGS, '2\n') });
    assert.deepEqual(c.problems, []);
  });

  test('a label-only line gives its category to the entries under it', () => {
    assert.deepEqual(c.provides, [
      { category: 'api', value: 'GET /cart', ...posOf(HEADINGS, '`GET /cart`') },
      { category: 'api', value: 'POST /cart/items', ...posOf(HEADINGS, '`POST') },
      { category: 'files', value: 'src/cart/api.ts', ...posOf(HEADINGS, '`src/cart/api.ts`') },
      { category: 'files', value: 'src/cart/model.ts', ...posOf(HEADINGS, '`src/cart/model.ts`') },
    ]);
  });

  test('several code values on one line are several dependencies', () => {
    assert.deepEqual(c.dependsOn, [
      { kind: 'feature', value: 'feature-001-auth', note: '', ...posOf(HEADINGS, '`feature-001') },
      { kind: 'feature', value: 'feature-002-catalog', note: '', ...posOf(HEADINGS, '`feature-002') },
      { kind: 'module', value: 'shared', note: '', ...posOf(HEADINGS, 'Module:') },
    ]);
  });

  test('checkboxes are stripped and continuation lines joined at the entry start', () => {
    assert.deepEqual(c.acceptanceCriteria, [
      { value: '`GET /cart` responds in < 100ms', ...posOf(HEADINGS, '`GET /cart` responds') },
      { value: 'Adding an unknown product returns 404 with a JSON error body', ...posOf(HEADINGS, 'Adding') },
    ]);
  });

  test('fenced code is skipped when looking for headers; unknown headings end a section', () => {
    assert.deepEqual(c.fields.owns, posOf(HEADINGS, 'Owns'));
    assert.deepEqual(c.owns, [{ value: 'src/cart/**', ...posOf(HEADINGS, '`src/cart/**`') }]);
    assert.ok(!c.acceptanceCriteria.some((a) => a.value.includes('not a')));
  });

  test('CRLF gives identical positions', () => {
    assert.deepEqual(parseContract('contracts/cart.md', HEADINGS.replace(/\n/g, '\r\n')), c);
  });

  test('bold and plain "key: value" headers carry their value on the same line', () => {
    const text = [
      '**feature_id:** `feature-002-catalog`',
      '**Provides**: `GET /products`',
      'depends_on: none',
      'acceptance_criteria:',
      '  - Returns 404 for unknown ids',
      '  - `npm test` exits 0',
      'phase: 2',
      'module: catalog',
    ].join('\n');
    const d = parseContract('x.md', text);
    assert.deepEqual(d.featureId, { value: 'feature-002-catalog', line: 1, column: 17 });
    assert.deepEqual(d.provides, [{ category: null, value: 'GET /products', line: 2, column: 15 }]);
    assert.deepEqual(d.fields.depends_on, { line: 3, column: 1 });
    assert.deepEqual(d.dependsOn, []);
    assert.deepEqual(d.acceptanceCriteria.map((a) => [a.value, a.line, a.column]), [
      ['Returns 404 for unknown ids', 5, 5],
      ['`npm test` exits 0', 6, 5],
    ]);
    assert.deepEqual(d.phase, { value: 2, line: 7, column: 8 });
    assert.deepEqual(d.module, { value: 'catalog', line: 8, column: 9 });
  });

  test('explicitly empty dependency lists', () => {
    for (const none of ['None', 'none', '-', 'n/a', '[]', '`none`']) {
      const d = parseContract('x.md', `## depends_on\n${none}\n\n## provides\n- a\n`);
      assert.deepEqual(d.fields.depends_on, { line: 1, column: 4 }, none);
      assert.deepEqual(d.dependsOn, [], none);
    }
    const inline = parseContract('x.md', '## depends_on: none\n');
    assert.deepEqual(inline.fields.depends_on, { line: 1, column: 4 });
    assert.deepEqual(inline.dependsOn, []);
  });

  test('bare dependency ids, with and without backticks', () => {
    const d = parseContract('x.md', '## Dependencies\n- feature-001-auth (sessions)\n- `feature-002`\n- a, b\n');
    assert.deepEqual(d.dependsOn.map((x) => [x.kind, x.value, x.note, x.line, x.column]), [
      ['feature', 'feature-001-auth', '(sessions)', 2, 3],
      ['feature', 'feature-002', '', 3, 3],
      ['feature', 'a', '', 4, 3],
      ['feature', 'b', '', 4, 6],
    ]);
  });

  test('setext headings and thematic breaks end sections', () => {
    const text = 'Acceptance criteria\n===\n- one\n\nNotes\n-----\n- not one\n\n## provides\n- x\n\n---\n\nafter the rule\n';
    const d = parseContract('x.md', text);
    assert.deepEqual(d.fields.acceptance_criteria, { line: 1, column: 1 });
    assert.deepEqual(d.acceptanceCriteria.map((a) => a.value), ['one']);
    assert.deepEqual(d.provides.map((p) => p.value), ['x']);
  });

  test('"# Feature: <title>" is a title; an explicit feature_id wins over a "Feature" heading', () => {
    const d = parseContract('x.md', '# Feature: Shopping cart\n\n## feature_id\n`feature-003-cart`\n');
    assert.equal(d.featureId?.value, 'feature-003-cart');
    const e = parseContract('x.md', '## Feature\n`f-1`\n\n## feature_id\n`f-2`\n');
    assert.deepEqual(e.featureId, { value: 'f-2', line: 5, column: 1 });
  });

  test('a tilde fence needs a closing fence at least as long; fenced lines are no entries', () => {
    const d = parseContract('x.md', '## owns\n- src/a/**\n~~~~\nsrc/b/**\n~~~\n## provides\n~~~~\n- src/c/**\n## provides\n- y\n');
    // Line 5 (~~~) is too short to close the fence; line 7 (~~~~) closes it.
    assert.deepEqual(d.owns, [
      { value: 'src/a/**', line: 2, column: 3 },
      { value: 'src/c/**', line: 8, column: 3 },
    ]);
    assert.deepEqual(d.fields.provides, { line: 9, column: 4 });
  });

  test('a contract written as one list of "- key: value" items', () => {
    const text = [
      '- feature_id: `feature-005-search`',
      '- provides:',
      '  - API: `GET /search`',
      '  - Files: src/search/index.ts, src/search/query.ts',
      '- depends_on:',
      '  - Feature: `feature-002-catalog` — for product data',
      '  - External: Elasticsearch 8 (hosted)',
      '- acceptance_criteria:',
      '  - Phase: 2 must be merged first',
      '- owns: `src/search/**`, `test/search/**`',
    ].join('\n');
    const d = parseContract('x.md', text);
    assert.deepEqual(d.featureId, { value: 'feature-005-search', line: 1, column: 15 });
    assert.deepEqual(d.provides.map((p) => [p.category, p.value, p.line, p.column]), [
      ['api', 'GET /search', 3, 10],
      ['files', 'src/search/index.ts', 4, 12],
      ['files', 'src/search/query.ts', 4, 33],
    ]);
    assert.deepEqual(d.dependsOn, [
      { kind: 'feature', value: 'feature-002-catalog', note: 'for product data', line: 6, column: 5 },
      { kind: 'external', value: 'Elasticsearch 8', note: '(hosted)', line: 7, column: 5 },
    ]);
    // An item inside a list section is an entry even when it starts with a field name.
    assert.deepEqual(d.acceptanceCriteria, [{ value: 'Phase: 2 must be merged first', line: 9, column: 5 }]);
    assert.equal(d.fields.phase, undefined);
    assert.deepEqual(d.owns.map((o) => [o.value, o.line, o.column]), [['src/search/**', 10, 9], ['test/search/**', 10, 26]]);
  });

  test('tabs: positions count a tab as one column', () => {
    const d = parseContract('x.md', '## acceptance_criteria\n\t-\tReturns 404\n');
    assert.deepEqual(d.acceptanceCriteria, [{ value: 'Returns 404', line: 2, column: 4 }]);
  });
});

describe('parseContract: mixed form', () => {
  const c = parseContract('contracts/checkout.md', MIXED);

  test('frontmatter fields win, body sections fill in the rest', () => {
    assert.equal(c.form, 'frontmatter');
    assert.deepEqual(c.featureId, { value: 'feature-004-checkout', line: 2, column: 13 });
    assert.deepEqual(c.fields.depends_on, { line: 3, column: 1 });
    assert.deepEqual(c.dependsOn, [{ kind: 'feature', value: 'feature-003-cart', note: '', line: 3, column: 14 }]);
    assert.deepEqual(c.fields.provides, posOf(MIXED, 'Provides'));
    assert.deepEqual(c.provides, [{ category: null, value: 'POST /checkout', line: 13, column: 3 }]);
    assert.deepEqual(c.acceptanceCriteria.map((a) => [a.value, a.line, a.column]), [
      ['`POST /checkout` returns 201 with an order id', 16, 4],
      ['Payment failures return 402', 17, 4],
    ]);
    assert.deepEqual(c.problems, []);
  });

  test('a frontmatter without contract fields leaves the markdown form', () => {
    const d = parseContract('x.md', '---\ntitle: x\n---\n## feature_id\n`f`\n');
    assert.equal(d.form, 'markdown');
    assert.deepEqual(d.featureId, { value: 'f', line: 5, column: 1 });
  });
});
