// The TextMate injection grammar: every regex compiles in JavaScript too (the grammar keeps to the
// syntax Oniguruma and JS share, plus a leading `(?i)`), and each rule matches what it should.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

interface Rule {
  match?: string;
  begin?: string;
  end?: string;
  name?: string;
  include?: string;
  patterns?: Rule[];
  captures?: Record<string, Rule>;
}

const root = path.join(__dirname, '../..');
const file = 'syntaxes/spec-conductor.injection.tmLanguage.json';
const grammar = JSON.parse(readFileSync(path.join(root, file), 'utf8')) as {
  scopeName: string;
  injectionSelector: string;
  patterns: Rule[];
  repository: Record<string, Rule>;
};

/** Oniguruma source -> JS RegExp: only a leading `(?i)` needs translating. */
function toJs(source: string): RegExp {
  const insensitive = source.startsWith('(?i)');
  return new RegExp(insensitive ? source.slice(4) : source, insensitive ? 'di' : 'd');
}

function rules(): [string, Rule][] {
  const out: [string, Rule][] = [];
  const walk = (where: string, r: Rule): void => {
    out.push([where, r]);
    r.patterns?.forEach((p, i) => walk(`${where}.patterns[${i}]`, p));
    for (const [k, c] of Object.entries(r.captures ?? {})) walk(`${where}.captures[${k}]`, c);
  };
  grammar.patterns.forEach((p, i) => walk(`patterns[${i}]`, p));
  for (const [name, r] of Object.entries(grammar.repository)) walk(name, r);
  return out;
}

/** The scopes one rule gives a line: [capture text, scope] for each participating named capture. */
function scopes(rule: string, line: string): [string, string][] | null {
  const r = grammar.repository[rule];
  const m = toJs(r.match!).exec(line);
  if (!m) return null;
  const out: [string, string][] = [];
  for (const [k, c] of Object.entries(r.captures ?? {})) {
    const text = m[Number(k)];
    if (text && c.name) out.push([text, c.name.split(' ').pop()!]);
  }
  return out;
}

describe('the injection grammar', () => {
  test('is the one package.json contributes, injected into markdown outside comments and code blocks', () => {
    const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
    const contributed = manifest.contributes.grammars.find((g: { path: string }) => path.normalize(g.path) === file);
    assert.equal(contributed.scopeName, grammar.scopeName);
    assert.equal(grammar.scopeName, 'markdown.spec-conductor.injection');
    assert.match(grammar.injectionSelector, /^L:text\.html\.markdown -comment\b/);
    // In frontmatter only inside YAML keys, so the YAML grammar still sees (and structures) every key.
    assert.match(grammar.injectionSelector, /-meta\.embedded\.block\.frontmatter, L:meta\.embedded\.block\.frontmatter meta\.map\.key\.yaml$/);
  });

  test('every regex compiles in JS and uses only the shared subset', () => {
    for (const [where, r] of rules()) {
      for (const source of [r.match, r.begin, r.end]) {
        if (source === undefined) continue;
        assert.doesNotThrow(() => toJs(source), where);
        // Oniguruma-only syntax JS would read differently or reject.
        assert.doesNotMatch(source.replace(/^\(\?i\)/, ''), /\(\?[imx-]|\\[AGhHzZ]|\(\?<[a-z]|[*+?]\+/i, `${where}: ${source}`);
      }
    }
  });

  test('every local include names a repository rule', () => {
    for (const [where, r] of rules()) {
      if (r.include?.startsWith('#')) assert.ok(grammar.repository[r.include.slice(1)], `${where}: ${r.include}`);
    }
  });

  test('phase headings: `Phase N` a keyword, the name an entity', () => {
    assert.deepEqual(scopes('phase-heading', '### Phase 2: Storefront'), [
      ['###', 'punctuation.definition.heading.markdown'],
      ['Phase 2', 'keyword.control.phase.spec-conductor'],
      [':', 'punctuation.separator.phase.spec-conductor'],
      ['Storefront', 'entity.name.type.phase.spec-conductor'],
    ]);
    assert.deepEqual(scopes('phase-heading', '### phase 10 — Checkout & payments ##')?.slice(1), [
      ['phase 10', 'keyword.control.phase.spec-conductor'],
      ['—', 'punctuation.separator.phase.spec-conductor'],
      ['Checkout & payments', 'entity.name.type.phase.spec-conductor'],
    ]);
    assert.equal(scopes('phase-heading', 'Phase 2: not a heading'), null);
    assert.equal(scopes('phase-heading', '### Phases overview'), null);
    assert.equal(scopes('phase-heading', '    ### Phase 1: indented code'), null);
  });

  test('contract fields as headings, numbered items and keys', () => {
    const field = 'keyword.other.contract-field.spec-conductor';
    assert.deepEqual(scopes('contract-heading', '## feature_id')?.[1], ['feature_id', field]);
    assert.deepEqual(scopes('contract-heading', '## Acceptance Criteria')?.[1], ['Acceptance Criteria', field]);
    assert.deepEqual(scopes('contract-heading', '### `depends_on`:')?.slice(1), [
      ['`', 'punctuation.definition.field.spec-conductor'],
      ['depends_on', field],
      [':', 'punctuation.separator.key-value.spec-conductor'],
    ]);
    assert.equal(scopes('contract-heading', '## Provides and more'), null);
    assert.deepEqual(scopes('contract-numbered', '1. `feature_id`'), [
      ['1.', 'punctuation.definition.list.begin.markdown'],
      ['`', 'punctuation.definition.field.spec-conductor'],
      ['feature_id', field],
    ]);
    assert.deepEqual(scopes('contract-numbered', "2. 'provides'")?.[2], ['provides', field]);
    assert.equal(scopes('contract-numbered', '3. `depends_on` is explained below'), null);
    assert.equal(scopes('contract-numbered', "1. `feature_id'"), null, 'mismatched quotes');
    for (const key of ['feature_id', 'provides', 'depends_on', 'acceptance_criteria', 'owns']) {
      assert.deepEqual(scopes('contract-key', `${key}: x`)?.[0], [key, field], key);
    }
    assert.deepEqual(scopes('contract-key', '  provides:')?.[0], ['provides', field], 'nested, value on the next lines');
    assert.equal(scopes('contract-key', 'provides:x'), null);
    assert.equal(scopes('contract-key', 'It provides: nothing'), null);
  });

  test('labels: Modules, Depends on, Gate: manual — plain and bold', () => {
    const label = 'keyword.other.label.spec-conductor';
    assert.deepEqual(scopes('label-line', 'Modules: catalog, search')?.[0], ['Modules', label]);
    assert.deepEqual(scopes('depends-line', 'Depends on: Phase 1')?.[0], ['Depends on', label]);
    assert.deepEqual(scopes('gate-line', 'Gate: manual'), [
      ['Gate', label],
      [':', 'punctuation.separator.key-value.spec-conductor'],
      ['manual', 'constant.language.gate.spec-conductor'],
    ]);
    assert.deepEqual(scopes('gate-line', 'Gate: automatic')?.length, 2, 'only `manual` is a value');
    assert.deepEqual(scopes('bold-label', '**Modules:** catalog, search')?.slice(0, 2), [
      ['**', 'punctuation.definition.bold.markdown'],
      ['Modules', label],
    ]);
    assert.deepEqual(scopes('bold-label', '__Modules__: a')?.[1], ['Modules', label]);
    assert.deepEqual(scopes('bold-label', '**Feature ID:** `feature-003-cart`')?.[1], ['Feature ID', label]);
    assert.deepEqual(scopes('bold-gate', '**Gate:** manual')?.pop(), ['manual', 'constant.language.gate.spec-conductor']);
    assert.deepEqual(scopes('bold-depends', '**Depends on:** Phase 1, Phase 2')?.[1], ['Depends on', label]);
    assert.equal(scopes('bold-label', '**Modules** are great'), null, 'bold without a colon is emphasis');
    assert.equal(scopes('bold-label', '**Modules:__ a'), null, 'mismatched bold markers');
    assert.equal(scopes('label-line', 'The modules: a, b'), null);
  });

  test('Phase N inside a Depends on value is a keyword', () => {
    const phaseRef = toJs(grammar.repository['phase-reference'].match!);
    const value = toJs(grammar.repository['depends-line'].match!).exec('Depends on: Phase 1 and phase 12')![3];
    assert.deepEqual([...value.matchAll(new RegExp(phaseRef.source, 'gi'))].map((m) => m[0]), ['Phase 1', 'phase 12']);
    const patterns = grammar.repository['depends-line'].captures!['3'].patterns!.map((p) => p.include);
    assert.deepEqual(patterns, ['#phase-reference', 'text.html.markdown#inline']);
  });
});
