import { test } from 'node:test';
import assert from 'node:assert/strict';
import { plainLines, plainText } from '../../src/core/view/plainText';

test('plainText removes escape sequences and control characters, keeps text and tabs', () => {
  const cases: [string, string][] = [
    ['\x1b[1;31mred\x1b[0m', 'red'],
    ['\x1b]0;title\x07after', 'after'],
    ['\x1b]8;;https://x.invalid\x1b\\link\x1b]8;;\x1b\\', 'link'],
    ['\x1b[2J\x1b[Hcleared', 'cleared'],
    ['\x1bPq#0;2;0;0;0\x1b\\sixel gone', 'sixel gone'],
    ['\x9b31mc1', 'c1'],
    ['a\rb\x08c\x07d\x00e', 'abcde'],
    ['keep\ttab', 'keep\ttab'],
    ['\u202Eevil\u2066x\u2069', 'evilx'],
    ['café ✔ 漢字', 'café ✔ 漢字'],
    ['unterminated \x1b[', 'unterminated '],
    ['lone \x1b', 'lone '],
  ];
  for (const [input, want] of cases) assert.equal(plainText(input), want, JSON.stringify(input));
});

test('plainLines keeps line breaks (of every kind, as \\n) and removes the rest; trailing blank lines go', () => {
  assert.equal(plainLines('a\r\nb\rc\u2028d\u2029e\nf'), 'a\nb\nc\nd\ne\nf');
  assert.equal(plainLines('\x1b[31mred\x1b[0m\n\u202Eevil\x00\n\n  \n'), 'red\nevil');
  assert.equal(plainLines('  indented\n\tkept'), '  indented\n\tkept');
});
