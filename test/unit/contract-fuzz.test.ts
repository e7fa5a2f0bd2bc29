import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseContract } from '../../src/core/contract/parseContract';
import type { Contract, Pos } from '../../src/core/model';
import { FRONTMATTER, HEADINGS, MIXED, SEED } from './contractSamples';

const SAMPLES = [SEED, FRONTMATTER, HEADINGS, MIXED];
const RUNS = 300;

function lineCount(text: string): number {
  return text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/).length;
}

function positions(c: Contract): [string, Pos][] {
  const all: [string, Pos][] = [];
  for (const [key, pos] of Object.entries(c.fields)) if (pos) all.push([`fields.${key}`, pos]);
  if (c.featureId) all.push(['featureId', c.featureId]);
  if (c.phase) all.push(['phase', c.phase]);
  if (c.module) all.push(['module', c.module]);
  for (const [name, list] of [['provides', c.provides], ['dependsOn', c.dependsOn], ['acceptanceCriteria', c.acceptanceCriteria], ['owns', c.owns]] as const) {
    list.forEach((p, i) => all.push([`${name}[${i}]`, p]));
  }
  c.problems.forEach((p, i) => {
    all.push([`problems[${i}]`, p]);
    if (p.endLine !== undefined) all.push([`problems[${i}].end`, { line: p.endLine, column: p.endColumn ?? 1 }]);
  });
  return all;
}

/** Parses and checks the invariants every input must keep. */
function check(text: string): Contract {
  const c = parseContract('contracts/fuzz.md', text);
  const lines = lineCount(text);
  for (const [what, pos] of positions(c)) {
    assert.ok(Number.isInteger(pos.line) && pos.line >= 1 && pos.line <= lines, `${what}: line ${pos.line} of ${lines}`);
    assert.ok(Number.isInteger(pos.column) && pos.column >= 1, `${what}: column ${pos.column}`);
  }
  for (const p of c.problems) {
    assert.equal(p.file, 'contracts/fuzz.md');
    assert.ok(p.code === 'malformed-frontmatter' || p.code === 'malformed-field', p.code);
    assert.ok(!p.message.includes('\n'), p.message);
  }
  return c;
}

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((n) => String.fromCharCode(n));
const noise = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  loneSurrogate,
  fc.constantFrom('---', '...', '```', '~~~~', '\t', '  - ', ': [', '{', '"', "'", '`', '**', '#', '1. ', '<!--', '-->', '\r', '\r\n', '\uFEFF', 'feature_id:', '## depends_on', 'provides: {api: [', '&a', '*a', '!!binary', '? '),
);

type Mutation = (lines: string[]) => void;
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.nat().map((i): Mutation => (l) => void (l.length > 0 && l.splice(i % l.length, 1))),
  fc.nat().map((i): Mutation => (l) => void (l.length > 0 && l.splice(i % l.length, 0, l[i % l.length]))),
  fc.tuple(fc.nat(), noise).map(([i, s]): Mutation => (l) => void l.splice(i % (l.length + 1), 0, s)),
  fc.tuple(fc.nat(), fc.nat(), noise).map(([i, j, s]): Mutation => (l) => {
    if (l.length === 0) return;
    const k = i % l.length;
    const at = j % (l[k].length + 1);
    l[k] = l[k].slice(0, at) + s + l[k].slice(at);
  }),
  fc.tuple(fc.nat(), fc.nat()).map(([i, j]): Mutation => (l) => {
    if (l.length === 0) return;
    const k = i % l.length;
    l[k] = l[k].slice(0, j % (l[k].length + 1));
  }),
  fc.nat().map((i): Mutation => (l) => void (l.length > 0 && (l[i % l.length] = l[i % l.length].replace(/^ +/, '\t')))),
);

const mutated = fc
  .tuple(fc.constantFrom(...SAMPLES), fc.array(mutation, { minLength: 1, maxLength: 8 }), fc.boolean())
  .map(([sample, mutations, crlf]) => {
    const lines = sample.split('\n');
    for (const m of mutations) m(lines);
    return lines.join(crlf ? '\r\n' : '\n');
  });

describe('parseContract never throws and keeps positions in the file', () => {
  test('random text', () => {
    fc.assert(fc.property(fc.array(noise, { maxLength: 30 }).map((parts) => parts.join('')), (text) => void check(text)), { numRuns: RUNS });
  });

  test('mutated valid contracts', () => {
    fc.assert(fc.property(mutated, (text) => void check(text)), { numRuns: RUNS });
  });

  test('random lines under a frontmatter', () => {
    const yamlish = fc.array(fc.oneof(noise, fc.constantFrom('feature_id: x', 'provides:', '  - a', '  api: [b]', 'depends_on: [', 'phase: two', 'owns: {')), { maxLength: 12 });
    fc.assert(fc.property(yamlish, fc.boolean(), (lines, closed) => {
      void check(['---', ...lines, ...(closed ? ['---'] : []), '## provides', '- y'].join('\n'));
    }), { numRuns: RUNS });
  });

  test('CRLF never moves a position', () => {
    const lfOnly = mutated.map((t) => t.replace(/\r/g, ''));
    fc.assert(fc.property(lfOnly, (text) => {
      assert.deepEqual(check(text.replace(/\n/g, '\r\n')), check(text));
    }), { numRuns: RUNS });
  });
});
