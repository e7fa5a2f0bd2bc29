// The simple-subset frontmatter reader must give exactly what yaml gives: every field, value,
// position and problem. Whatever it declines goes to yaml, so only equality is checked here.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseFrontmatter } from '../../src/core/contract/frontmatter';
import { parseSimpleYaml } from '../../src/core/contract/simpleYaml';
import { contractText } from '../../bench/generate';
import { FRONTMATTER, MIXED } from './contractSamples';

/** The YAML lines between the `---` fences, as parseContract cuts them. */
function yamlLines(text: string): string[] {
  const lines = text.split(/\r\n|\r|\n/);
  const close = lines.findIndex((l, i) => i > 0 && /^(?:---|\.\.\.)[ \t]*$/.test(l));
  return lines.slice(1, close);
}

function assertSame(lines: string[]): void {
  const fast = parseFrontmatter('c.md', lines, 2);
  const full = parseFrontmatter('c.md', lines, 2, { fast: false });
  assert.deepStrictEqual(fast, full, lines.join('\n'));
}

// Mostly well-formed maps and lists (so the fast path reads most of them), salted with values and
// indentation it must decline or get exactly right.
const key = fc.constantFrom('feature_id', 'phase', 'module', 'provides', 'depends_on', 'acceptance_criteria', 'owns', 'api', 'files', 'feature', 'note', 'Depends On', 'null', 'a');
const goodValue = fc.constantFrom('x', 'a b', 'feature-a', 'GET /x', 'src/**', '002', '2', '"q"', "'s'", '"a: b"', '[a, b]', '[]', '[ a ,  "b" ]', 'a:b', 'x  ', 'caf\u00e9');
const badValue = fc.constantFrom(
  '', '1.5', '-1', '~', 'null', 'true', 'yes', '"', "'it''s'", '[a,]', '[a, [b]]', '[a: b]', '{a: b}', 'a: b', 'x:', 'a #c', '|', '>', '&a x', '*a', '!t x',
  '@x', '`x`', '.x', '+1', '- a', '-a', '? a', '%x', '\u00a0x', 'x\u3000', '"a\\"b"',
);
const value = fc.oneof({ weight: 12, arbitrary: goodValue }, { weight: 1, arbitrary: badValue });
const indent = fc.constantFrom(0, 1, 2, 2, 4);
const block: fc.Arbitrary<string[]> = fc.tuple(key, fc.nat({ max: 3 }), indent, fc.uniqueArray(fc.tuple(key, value), { minLength: 1, maxLength: 4, selector: ([k]) => k })).map(([k, kind, n, items]) => {
  if (kind === 0) return [`${k}: ${items[0][1]}`];
  if (kind === 1) return [`${k}:`];
  if (kind === 2) return [`${k}:`, ...items.map(([, v]) => `${' '.repeat(n)}- ${v}`)];
  return [`${k}:`, ...items.map(([ik, v]) => `${' '.repeat(n || 2)}${ik}: ${v}`)];
});
const frontmatterLike = fc
  .tuple(fc.uniqueArray(block, { minLength: 1, maxLength: 6, selector: (b) => b[0].split(':')[0] }), fc.option(fc.tuple(fc.nat(), indent, value), { freq: 3 }))
  .map(([blocks, stray]) => {
    const lines = blocks.flat();
    if (stray) lines.splice(stray[0] % (lines.length + 1), 0, `${' '.repeat(stray[1])}${stray[2]}`);
    return lines;
  });

const PLAIN = [contractText(2, 2, 4), contractText(3, 2, 5, 200), contractText(1, 4, 4)].map(yamlLines);

describe('simple frontmatter subset', () => {
  test('takes the plain frontmatter contracts are written in', () => {
    for (const lines of PLAIN) assert.notEqual(parseSimpleYaml(lines), null, lines.join('\n'));
    assert.notEqual(parseSimpleYaml(['feature_id: x', 'depends_on:', '- a', '- "b"', "owns: ['src/**', c]", 'phase: 002', 'empty:']), null);
  });

  test('leaves anything it does not fully read to yaml', () => {
    for (const lines of [
      ['a: 1 # comment'],
      ['a: |', '  text'],
      ['a: b', '  continued'],
      ['a: "x\\"y"'],
      ['a: {b: c}'],
      ['a: &x b'],
      ['a: b', 'a: c'],
      ['- a'],
      ['\ta: b'],
      ['a: null'],
      ['a: 1.5'],
      ['a: [b, [c]]'],
      ['a:', '  - b: c'],
      [''],
    ]) assert.equal(parseSimpleYaml(lines), null, lines.join('\n'));
  });

  test('gives what yaml gives on the samples and generated contracts', () => {
    for (const lines of [...PLAIN, yamlLines(FRONTMATTER), yamlLines(MIXED)]) assertSame(lines);
  });

  test('gives what yaml gives on hand-picked edge cases', () => {
    for (const lines of [
      ['feature_id: x', 'depends_on:', '- a', '- b', 'phase: 2'],
      ['feature_id:   x   ', 'phase: 002', 'module:', 'owns: []', 'provides: [ a ,b,  c ]'],
      ['provides:', '    api:', '      - GET /x', '    files: [src/**]', 'depends_on: [feature-a, "feature-b"]'],
      ['depends_on: feature-a (for data), feature-b', 'acceptance_criteria: "one"'],
      ['depends_on:', '  feature: x', '  note: for y'],
      ['acceptance_criteria:', '  perf: fast', 'phase: x'],
      ['phase: 123456789012345', 'module: 7'],
      ['feature_id: a', '  - b'],
      ['feature_id: a', ' b: c'],
      ['provides:', '  api:', '    - a', '   - b'],
      ['provides:', '  - a', ' - b'],
      ['feature_id: a:b', 'module: GET http://x/y'],
      ['Feature ID: f', 'Depends On: [a]', 'feature: Title'],
      ['feature: Title', 'feature_id: f'],
      ['feature_id: caf\u00e9 \u2014 \u00e9t\u00e9'],
      ['feature_id: a\u00a0'],
      ['a: b', '', '   ', 'feature_id: x'],
    ]) assertSame(lines);
  });

  test('finds the same too-deep nesting, or none, near the limit', () => {
    const maps = (depth: number, step: number): string[] => Array.from({ length: depth }, (_, i) => `${' '.repeat(i * step)}k${i}:`);
    for (const depth of [40, 63, 64, 65, 66, 70]) {
      assertSame(maps(depth, 1));
      assertSame(['feature_id: x', ...maps(depth, 1).map((l) => ` ${l}`)]);
      assertSame(maps(Math.ceil(depth / 2), 2));
      assertSame([`feature_id: x${'['.repeat(depth)}`, 'phase: 2']);
      assertSame([`feature_id: x${'{'.repeat(depth - 3)}`, 'owns: [a, b]', `module: m${'['.repeat(2)}`]);
      assertSame(['owns:', `${' '.repeat(depth)}- a`]);
    }
    assert.notEqual(parseSimpleYaml(maps(60, 1)), null, 'shallow enough to read');
    assert.equal(parseSimpleYaml(maps(200, 1)), null, 'too deep to read: yaml decides');
  });

  test('gives what yaml gives on random YAML-like frontmatter', () => {
    fc.assert(fc.property(frontmatterLike, (lines) => assertSame(lines)), { numRuns: 1500 });
  });

  test('gives what yaml gives on mutated generated contracts', () => {
    const base = yamlLines(contractText(2, 2, 4));
    const edit = fc.tuple(fc.nat(), fc.nat(), fc.constantFrom('', ' ', '  ', '-', '- ', ':', ': ', '"', "'", '[', ']', ',', '#', 'x', '0', '\t'));
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 4 }), (edits) => {
        const lines = [...base];
        for (const [i, j, s] of edits) {
          const k = i % lines.length;
          const at = j % (lines[k].length + 1);
          lines[k] = lines[k].slice(0, at) + s + lines[k].slice(at);
        }
        assertSame(lines);
      }),
      { numRuns: 1000 },
    );
  });
});
