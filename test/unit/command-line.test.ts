import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseCommandLine, type CommandStep } from '../../src/core/validate/commandLine';

function steps(text: string): CommandStep[] {
  const r = parseCommandLine(text);
  if ('error' in r) assert.fail(`${JSON.stringify(text)} was rejected: ${r.error}`);
  return r.steps;
}

function argv(text: string): string[][] {
  return steps(text).map((s) => s.argv);
}

function rejected(text: string): string {
  const r = parseCommandLine(text);
  if (!('error' in r)) assert.fail(`${JSON.stringify(text)} was accepted as ${JSON.stringify(r.steps)}`);
  return r.error;
}

describe('parseCommandLine: accepted words', () => {
  const cases: [string, string[][]][] = [
    ['npm test', [['npm', 'test']]],
    ['  npm   run\tlint  ', [['npm', 'run', 'lint']]],
    ["node -e 'console.log(1 + 2)'", [['node', '-e', 'console.log(1 + 2)']]],
    ['echo "a b"  c', [['echo', 'a b', 'c']]],
    ['echo "say \\"hi\\""', [['echo', 'say "hi"']]],
    ['echo "back\\\\slash"', [['echo', 'back\\slash']]],
    ['echo "cost: \\$5"', [['echo', 'cost: $5']]],
    ['echo "tick \\` tock"', [['echo', 'tick ` tock']]],
    ['echo "keep \\n as is"', [['echo', 'keep \\n as is']]],
    ["echo 'single $HOME `x` \\ stays'", [['echo', 'single $HOME `x` \\ stays']]],
    ['echo a\\ b', [['echo', 'a b']]],
    ['echo \\$HOME \\* \\| \\;', [['echo', '$HOME', '*', '|', ';']]],
    ["echo ''", [['echo', '']]],
    ['echo ""', [['echo', '']]],
    ["echo a'b'\"c\"d", [['echo', 'abcd']]],
    ['echo $', [['echo', '$']]],
    ['echo "$"', [['echo', '$']]],
    ['echo "a$ b"', [['echo', 'a$ b']]],
    ['echo $&& b', [['echo', '$'], ['b']]],
    ['git diff HEAD~1', [['git', 'diff', 'HEAD~1']]],
    ["echo '~'", [['echo', '~']]],
    ['echo "*.ts" \'?\' "[x]"', [['echo', '*.ts', '?', '[x]']]],
    ['pytest "tests/test_a.py::test[1]"', [['pytest', 'tests/test_a.py::test[1]']]],
    ['npx tsc -p . --noEmit', [['npx', 'tsc', '-p', '.', '--noEmit']]],
    ['echo a=b', [['echo', 'a=b']]],
    ['echo é ✓ 日本', [['echo', 'é', '✓', '日本']]],
    ['"if" x', [['if', 'x']]],
    ["'cd' x", [['cd', 'x']]],
  ];
  for (const [text, expected] of cases) {
    test(text, () => assert.deepEqual(argv(text), expected));
  }
});

describe('parseCommandLine: && sequences and assignments', () => {
  test('&& separates steps, with or without spaces', () => {
    assert.deepEqual(argv('npm run build && npm test'), [['npm', 'run', 'build'], ['npm', 'test']]);
    assert.deepEqual(argv('a&&b&&c'), [['a'], ['b'], ['c']]);
  });

  test('quoted && is a word', () => {
    assert.deepEqual(argv("echo '&&' \"&&\" \\&\\&"), [['echo', '&&', '&&', '&&']]);
  });

  test('leading NAME=value words set variables for that step only', () => {
    assert.deepEqual(steps('CI=1 NODE_ENV=test npm test && npm run lint'), [
      { env: { CI: '1', NODE_ENV: 'test' }, argv: ['npm', 'test'] },
      { env: {}, argv: ['npm', 'run', 'lint'] },
    ]);
  });

  test('assignment values may be quoted or empty', () => {
    assert.deepEqual(steps('MSG="a b" EMPTY= X=\'$y\' node t.js'), [{ env: { MSG: 'a b', EMPTY: '', X: '$y' }, argv: ['node', 't.js'] }]);
  });

  test('only leading words are assignments; quoted or escaped names are not', () => {
    assert.deepEqual(steps('make A=1'), [{ env: {}, argv: ['make', 'A=1'] }]);
    assert.deepEqual(steps('"A=1" x'), [{ env: {}, argv: ['A=1', 'x'] }]);
    assert.deepEqual(steps('A\\=1 x'), [{ env: {}, argv: ['A=1', 'x'] }]);
    assert.deepEqual(steps('1A=1 x'), [{ env: {}, argv: ['1A=1', 'x'] }]);
  });
});

describe('parseCommandLine: what needs a shell is refused', () => {
  const cases: [string, RegExp][] = [
    ['npm test | tee out.txt', /pipe "\|"/],
    ['npm test || true', /"\|\|"/],
    ['npm test; npm run lint', /";"/],
    ['npm start &', /background "&"/],
    ['npm test & npm run lint', /background "&"/],
    ['npm test > out.txt', /redirection ">"/],
    ['npm test 2>&1', /redirection ">"/],
    ['node t.js < in.txt', /redirection "<"/],
    ['echo $(touch /tmp/x)', /command substitution "\$\("/],
    ['echo "$(touch /tmp/x)"', /command substitution "\$\("/],
    ['echo `touch /tmp/x`', /backticks/],
    ['echo "`touch /tmp/x`"', /backticks/],
    ['echo $HOME', /variable expansion "\$H/],
    ['echo "$HOME"', /variable expansion "\$H/],
    ['echo ${HOME}', /variable expansion "\$\{"/],
    ['echo "${HOME}"', /variable expansion "\$\{"/],
    ['echo $1 $? $$', /variable expansion/],
    ["echo $'\\x41'", /quoting "\$'"/],
    ['rm -rf *', /glob character "\*"/],
    ['ls src/*.ts', /glob character "\*"/],
    ['ls a?.ts', /glob character "\?"/],
    ['ls [ab].ts', /glob character "\["/],
    ['cat ~/.npmrc', /home directory "~"/],
    ['X=~/bin node t.js', /home directory "~"/],
    ['X=a:~/bin node t.js', /home directory "~"/],
    ['make PREFIX=~/x', /home directory "~"/],
    ['(npm test)', /subshell "\("/],
    ['{ npm test; }', /brace/],
    ['echo a{b,c}', /brace/],
    ['npm test # comment', /comment "#"/],
    ['npm test\nrm -rf /', /line break/],
    ['npm test \\\nrun', /line continuation/],
    ['cd sub && npm test', /shell builtin "cd"/],
    ['export A=1 && npm test', /shell builtin "export"/],
    ['eval "rm -rf /"', /shell builtin "eval"/],
    ['source env.sh && npm test', /shell builtin "source"/],
    ['if true; then x; fi', /keyword "if"|";"/],
    ['for f in a b', /keyword "for"/],
    ['! npm test', /keyword "!"/],
    ['A=1', /setting a variable without running a command/],
  ];
  for (const [text, pattern] of cases) {
    test(JSON.stringify(text), () => {
      const error = rejected(text);
      assert.match(error, pattern);
    });
  }

  test('the message says what to do instead, and where', () => {
    assert.equal(
      rejected('npm test | tee out.txt'),
      'a pipe "|" at column 10 needs a shell; put it in a script (e.g. npm run …) and call that',
    );
  });

  test('malformed input is explained', () => {
    assert.match(rejected(''), /empty/);
    assert.match(rejected('   \t '), /empty/);
    assert.match(rejected('&& npm test'), /no command before it/);
    assert.match(rejected('npm test &&'), /ends with "&&"/);
    assert.match(rejected('a && && b'), /no command before it/);
    assert.match(rejected("echo 'open"), /single quote at column 6 is never closed/);
    assert.match(rejected('echo "open'), /double quote at column 6 is never closed/);
    assert.match(rejected('echo "a\\"'), /never closed/);
    assert.match(rejected('echo \\'), /ends with a backslash/);
    assert.match(rejected('echo a\u0000b'), /control character U\+0000/);
    assert.match(rejected('echo \u001b[31m'), /control character U\+001B/);
  });
});

describe('parseCommandLine: properties', () => {
  // A word made safe by single quotes comes back exactly, whatever it holds.
  const anyText = fc.string({ unit: 'grapheme', maxLength: 30 }).filter((s) => !s.includes("'") && !/[\u0000-\u001f\u007f]/.test(s));

  test('single-quoted words round-trip', () => {
    fc.assert(fc.property(fc.array(anyText, { minLength: 1, maxLength: 5 }), (words) => {
      const text = ['prog', ...words.map((w) => `'${w}'`)].join(' ');
      assert.deepEqual(argv(text), [['prog', ...words]]);
    }));
  });

  test('never throws, and every accepted step has a program', () => {
    const alphabet = fc.constantFrom(...'ab =&|;<>$(){}`\'"\\*?[~#!\n\t:/.-_'.split(''));
    fc.assert(fc.property(fc.array(alphabet, { maxLength: 40 }).map((cs) => cs.join('')), (text) => {
      const r = parseCommandLine(text);
      if ('steps' in r) {
        assert.ok(r.steps.length > 0);
        for (const s of r.steps) assert.ok(s.argv.length > 0);
      } else {
        assert.equal(typeof r.error, 'string');
      }
    }), { numRuns: 2000 });
  });

  test('nothing a shell would expand survives unquoted', () => {
    const alphabet = fc.constantFrom(...'ab $`|;&><*?('.split(''));
    fc.assert(fc.property(fc.array(alphabet, { minLength: 1, maxLength: 20 }).map((cs) => cs.join('')), (text) => {
      const r = parseCommandLine(text);
      if ('steps' in r) {
        // Only letters, spaces, && and a literal dollar (before a space, && or the end) can have
        // been accepted: `$&&` is a dollar sign and an operator to a shell too.
        assert.match(text, /^(?:[ab ]|&&|\$(?= |&&|$))*$/);
      }
    }), { numRuns: 2000 });
  });
});
