import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_FINDINGS_PER_COMMAND, parseToolOutput, repoRelative, stripAnsi, type Finding } from '../../src/core/validate/findings';

const ROOT = '/work/.conductor/worktrees/integration/phase-2-storefront';
const ctx = { cwd: ROOT, worktreeRoot: ROOT };

function at(f: Finding): string {
  return `${f.file}:${f.line}:${f.column} ${f.severity}`;
}

describe('parseToolOutput', () => {
  test('tsc (plain)', () => {
    const out = [
      "src/cart/index.ts(12,7): error TS2322: Type 'string' is not assignable to type 'number'.",
      "src/catalog/index.ts(3,10): error TS2305: Module '\"../types\"' has no exported member 'Price'.",
      '',
      'Found 2 errors in 2 files.',
      '',
      'Errors  Files',
      '     1  src/cart/index.ts:12',
      '     1  src/catalog/index.ts:3',
    ].join('\n');
    const findings = parseToolOutput(out, ctx);
    assert.deepEqual(findings.map(at), ['src/cart/index.ts:12:7 error', 'src/catalog/index.ts:3:10 error']);
    assert.equal(findings[0].message, "TS2322: Type 'string' is not assignable to type 'number'.");
    assert.equal(findings[0].source, 'test-command');
    assert.equal(findings[0].module, null);
  });

  test('tsc --pretty, colours included', () => {
    const out = [
      '\u001b[96msrc/cart/index.ts\u001b[0m:\u001b[93m12\u001b[0m:\u001b[93m7\u001b[0m - \u001b[91merror\u001b[0m\u001b[90m TS2322: \u001b[0mType \'string\' is not assignable to type \'number\'.',
      '',
      '\u001b[7m12\u001b[0m   const total: number = "0";',
      '\u001b[7m  \u001b[0m \u001b[91m      ~~~~~\u001b[0m',
    ].join('\n');
    const [f, ...rest] = parseToolOutput(out, ctx);
    assert.equal(rest.length, 0);
    assert.equal(at(f), 'src/cart/index.ts:12:7 error');
    assert.equal(f.message, "TS2322: Type 'string' is not assignable to type 'number'.");
  });

  test('eslint -f unix (absolute paths inside the worktree become relative)', () => {
    const out = [
      `${ROOT}/src/cart/index.ts:4:7: 'unused' is assigned a value but never used. [Error/@typescript-eslint/no-unused-vars]`,
      `${ROOT}/src/cart/index.ts:9:1: Unexpected console statement. [Warning/no-console]`,
      `${ROOT}/src/search/query.ts:1:1: Parsing error: Unexpected token [Error]`,
      '',
      '3 problems',
    ].join('\n');
    const findings = parseToolOutput(out, ctx);
    assert.deepEqual(findings.map(at), [
      'src/cart/index.ts:4:7 error',
      'src/cart/index.ts:9:1 warning',
      'src/search/query.ts:1:1 error',
    ]);
    assert.equal(findings[0].message, "'unused' is assigned a value but never used. (@typescript-eslint/no-unused-vars)");
    assert.equal(findings[2].message, 'Parsing error: Unexpected token');
  });

  test('eslint -f compact', () => {
    const out = [
      `${ROOT}/src/cart/index.ts: line 4, col 7, Error - 'unused' is assigned a value but never used. (@typescript-eslint/no-unused-vars)`,
      `${ROOT}/src/cart/index.ts: line 9, col 1, Warning - Unexpected console statement. (no-console)`,
      '',
      '2 problems',
    ].join('\n');
    const findings = parseToolOutput(out, ctx);
    assert.deepEqual(findings.map(at), ['src/cart/index.ts:4:7 error', 'src/cart/index.ts:9:1 warning']);
    assert.equal(findings[1].message, 'Unexpected console statement. (no-console)');
  });

  test('eslint stylish (the default format), coloured', () => {
    const out = [
      '',
      `\u001b[4m${ROOT}/src/cart/index.ts\u001b[24m`,
      "  \u001b[2m4:7\u001b[22m  \u001b[31merror\u001b[39m  'unused' is assigned a value but never used  \u001b[2m@typescript-eslint/no-unused-vars\u001b[22m",
      '  \u001b[2m9:1\u001b[22m  \u001b[33mwarning\u001b[39m  Unexpected console statement  \u001b[2mno-console\u001b[22m',
      '',
      `${ROOT}/src/search/query.ts`,
      '  1:1  error  Parsing error: Unexpected token',
      '',
      '\u001b[31m\u001b[1m✖ 3 problems (2 errors, 1 warning)\u001b[22m\u001b[39m',
    ].join('\n');
    const findings = parseToolOutput(out, ctx);
    assert.deepEqual(findings.map(at), [
      'src/cart/index.ts:4:7 error',
      'src/cart/index.ts:9:1 warning',
      'src/search/query.ts:1:1 error',
    ]);
    assert.equal(findings[0].message, "'unused' is assigned a value but never used (@typescript-eslint/no-unused-vars)");
    assert.equal(findings[2].message, 'Parsing error: Unexpected token');
  });

  test('generic path:line:col and path:line, with severities', () => {
    const out = [
      'src/a.ts:3:5: error boom',
      'lib/x.c:10:2: warning: unused variable ‘y’ [-Wunused-variable]',
      'lib/x.c:12:1: note: declared here',
      'tests/test_cart.py:41: AssertionError',
      'pkg/cart/cart.go:7:2: undefined: Price',
      'src/b.ts:1:1: warning unused thing',
      'src/b.ts:2:1: Error handling is missing',
    ].join('\n');
    const findings = parseToolOutput(out, ctx);
    assert.deepEqual(findings.map((f) => `${at(f)} ${f.message}`), [
      'src/a.ts:3:5 error error boom',
      'lib/x.c:10:2 warning unused variable ‘y’ [-Wunused-variable]',
      'lib/x.c:12:1 info declared here',
      'tests/test_cart.py:41:null error AssertionError',
      'pkg/cart/cart.go:7:2 error undefined: Price',
      'src/b.ts:1:1 warning warning unused thing',
      'src/b.ts:2:1 error Error handling is missing',
    ]);
  });

  test('lines that only look like positions are not findings', () => {
    const out = [
      '12:30:45: server started',
      '10.0.0.1:8080: connection refused',
      'localhost:3000: listening',
      'https://example.com:443: ok',
      '    at Object.<anonymous> (/work/x/src/a.ts:3:5)',
      '    at /work/x/src/a.ts:3:5',
      'Error: boom',
      '✓ src/a.test.ts (3 tests) 12ms',
      `${ROOT}/src/a.ts:3:5`,
      'Tests: 1 failed, 2 passed, 3 total',
    ].join('\n');
    assert.deepEqual(parseToolOutput(out, ctx), []);
  });

  test('paths relative to a sub-folder cwd, outside the worktree, and with ./ and ..', () => {
    const sub = { cwd: `${ROOT}/packages/web`, worktreeRoot: ROOT };
    const out = [
      'src/app.ts(1,1): error TS1005: x',
      './src/b.ts:2:3: error y',
      '../shared/c.ts:4:5: error z',
      '../../../../elsewhere/d.ts:6:7: error w',
      '/usr/lib/node_modules/x/index.d.ts:8:9: error v',
    ].join('\n');
    assert.deepEqual(parseToolOutput(out, sub).map((f) => f.file), [
      'packages/web/src/app.ts',
      'packages/web/src/b.ts',
      'packages/shared/c.ts',
      '/work/.conductor/worktrees/elsewhere/d.ts',
      '/usr/lib/node_modules/x/index.d.ts',
    ]);
  });

  test('duplicates are dropped and CRLF output is read', () => {
    const line = "src/a.ts(1,2): error TS2304: Cannot find name 'x'.";
    const findings = parseToolOutput(`${line}\r\n${line}\r\n${line.replace('(1,2)', '(1,3)')}\r\n`, ctx);
    assert.deepEqual(findings.map(at), ['src/a.ts:1:2 error', 'src/a.ts:1:3 error']);
  });

  test(`at most ${MAX_FINDINGS_PER_COMMAND} findings, then a note with the count`, () => {
    const out = Array.from({ length: MAX_FINDINGS_PER_COMMAND + 25 }, (_, i) => `src/a.ts:${i + 1}:1: error e${i}`).join('\n');
    const findings = parseToolOutput(out, ctx);
    assert.equal(findings.length, MAX_FINDINGS_PER_COMMAND + 1);
    const note = findings[findings.length - 1];
    assert.equal(note.severity, 'info');
    assert.equal(note.file, null);
    assert.match(note.message, /^25 more findings not listed/);
  });

  test('empty and huge lines', () => {
    assert.deepEqual(parseToolOutput('', ctx), []);
    assert.deepEqual(parseToolOutput(`src/a.ts:1:1: error ${'x'.repeat(10_000)}`, ctx), []);
  });
});

describe('stripAnsi and repoRelative', () => {
  test('strips colours, cursor moves and hyperlinks', () => {
    assert.equal(stripAnsi('\u001b[1;31mred\u001b[0m \u001b[2K\u001b[1Gx \u001b]8;;file:///a\u0007link\u001b]8;;\u0007'), 'red x link');
  });

  test('maps paths against the root', () => {
    assert.equal(repoRelative(`${ROOT}/a/b.ts`, ctx), 'a/b.ts');
    assert.equal(repoRelative(`${ROOT}//a/./c/../b.ts`, ctx), 'a/b.ts');
    assert.equal(repoRelative(`${ROOT}-other/a.ts`, ctx), `${ROOT}-other/a.ts`);
    assert.equal(repoRelative('a.ts', { cwd: `${ROOT}/sub/`, worktreeRoot: `${ROOT}/` }), 'sub/a.ts');
  });
});

describe('parseToolOutput: Python tracebacks', () => {
  test('one finding per traceback, at the innermost frame inside the repository, with the exception', () => {
    const out = [
      'Traceback (most recent call last):',
      `  File "${ROOT}/app/main.py", line 10, in <module>`,
      '    run()',
      '  File "app/prices.py", line 4, in run',
      '    parse("x")',
      '    ^^^^^^^^^^',
      '  File "/usr/lib/python3.12/decimal.py", line 300, in parse',
      '    raise ValueError(text)',
      'ValueError: bad price: x',
      'after the traceback',
    ].join('\n');
    const findings = parseToolOutput(out, ctx);
    assert.deepEqual(findings.map((f) => [f.file, f.line, f.column, f.severity, f.message]), [['app/prices.py', 4, null, 'error', 'ValueError: bad price: x (in run)']]);
  });

  test('a SyntaxError report, and a traceback cut short at the end of the output', () => {
    const syntax = ['  File "app/x.py", line 3', '    def f(', '         ^', "SyntaxError: '(' was never closed"].join('\n');
    assert.deepEqual(parseToolOutput(syntax, ctx).map((f) => [f.file, f.line, f.message]), [['app/x.py', 3, "SyntaxError: '(' was never closed"]]);
    const cut = ['Traceback (most recent call last):', '  File "app/y.py", line 7, in go', '    go()'].join('\n');
    assert.deepEqual(parseToolOutput(cut, ctx).map((f) => [f.file, f.line, f.message]), [['app/y.py', 7, 'Python traceback (in go)']]);
  });

  test('frames only outside the repository: the innermost one, unattributable (absolute)', () => {
    const out = ['Traceback (most recent call last):', '  File "/usr/lib/python3.12/runpy.py", line 88, in _run_code', 'KeyboardInterrupt'].join('\n');
    assert.deepEqual(parseToolOutput(out, ctx).map((f) => [f.file, f.message]), [['/usr/lib/python3.12/runpy.py', 'KeyboardInterrupt (in _run_code)']]);
  });

  test('output after a traceback is still read by the other formats', () => {
    const out = ['  File "app/z.py", line 2, in f', 'src/a.ts(1,2): error TS1005: x'].join('\n');
    assert.deepEqual(parseToolOutput(out, ctx).map((f) => [f.file, f.line, f.message]), [['app/z.py', 2, 'Python traceback (in f)'], ['src/a.ts', 1, 'TS1005: x']]);
  });
});

test('findings carry the kind of command that printed them', () => {
  const [f] = parseToolOutput('src/a.ts(1,2): error TS1005: x', ctx, 'check-command');
  assert.equal(f.source, 'check-command');
});
