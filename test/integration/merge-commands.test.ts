// Check and Lint Commands in Merge & Validate, with real branches: run in the integration worktree
// with --trust, their `file:line` diagnostics become findings on the module that last changed that
// line; a failure that names no place is one finding on no module; passing commands find nothing.
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import type { TempRepo } from '../support/gitRepo';
import { conductorBin } from '../support/conductorBin';
import { conduct, done, merge, project, write } from '../support/mergeProject';

const repos: TempRepo[] = [];
after(() => repos.forEach((r) => r.cleanup()));

const SCRIPTS = {
  // A type checker in miniature: each line holding `: number = "` is a tsc error at that line.
  'tools/types.mjs': [
    "import { existsSync, readFileSync } from 'node:fs';",
    'let bad = 0;',
    "for (const file of ['src/b.ts', 'src/shared.ts']) {",
    '  if (!existsSync(file)) continue;',
    "  readFileSync(file, 'utf8').split('\\n').forEach((text, i) => {",
    "    const col = text.indexOf(': number = \"');",
    "    if (col >= 0) { bad++; console.log(`${file}(${i + 1},${col + 1}): error TS2322: Type 'string' is not assignable to type 'number'.`); }",
    '  });',
    '}',
    'process.exit(bad ? 2 : 0);',
    '',
  ].join('\n'),
  'tools/ok.mjs': "console.log('all clean');\n",
  'tools/broken.mjs': "console.log('the import graph has a cycle');\nprocess.exit(3);\n",
};

const COMMANDS = ['', '#### Check Commands', '- `node tools/types.mjs`', '', '#### Lint Commands', '- `node tools/ok.mjs`'];

describe('check and lint commands', () => {
  test('a check error at a line a module wrote is that module\'s; a passing lint command finds nothing', async () => {
    const repo = project(repos, COMMANDS, SCRIPTS);
    await conduct(repo, { b: [write('src/b.ts', 'export const a = 1;\nexport const n: number = "0";\n'), ...done()] });
    const { code, json } = await merge(repo, '--trust');
    assert.equal(code, 1);
    assert.equal(json.ok, false);
    assert.deepEqual(json.validation.map((v) => v.kind), ['expected-files', 'check-command', 'lint-command', 'todo-scan']);
    const check = json.validation.find((v) => v.kind === 'check-command')!;
    assert.deepEqual([check.command, check.exitCode], ['node tools/types.mjs', 2]);
    assert.deepEqual(
      check.findings.map((f) => [f.file, f.line, f.column, f.severity, f.module]),
      [['src/b.ts', 2, 15, 'error', 'b']],
    );
    const lint = json.validation.find((v) => v.kind === 'lint-command')!;
    assert.deepEqual([lint.exitCode, lint.findings], [0, []]);

    const text = await conductorBin(repo.root, ['merge', '1', '--trust']);
    assert.match(text.stdout, /^check-command: node tools\/types\.mjs — exit 2, \d+ ms$/m);
    assert.match(text.stdout, /^ {2}src\/b\.ts:2:15: error: TS2322: .* \[b\]$/m);
    assert.match(text.stdout, /^lint-command: node tools\/ok\.mjs — exit 0, \d+ ms$/m);
  });

  test('every command passing: validated, no findings', async () => {
    const repo = project(repos, COMMANDS, SCRIPTS);
    await conduct(repo, {});
    const { code, json } = await merge(repo, '--trust');
    assert.equal(code, 0, JSON.stringify(json.validation));
    assert.deepEqual(json.validation.flatMap((v) => v.findings), []);
  });

  test('a command failing without saying where: one error finding on no module', async () => {
    const repo = project(repos, ['', '#### Check Commands', '- `node tools/broken.mjs`'], SCRIPTS);
    await conduct(repo, {});
    const { code, json } = await merge(repo, '--trust');
    assert.equal(code, 1);
    const check = json.validation.find((v) => v.kind === 'check-command')!;
    assert.deepEqual(check.findings.map((f) => [f.file, f.severity, f.module, f.message]), [[null, 'error', null, '"node tools/broken.mjs" exited with 3']]);
  });

  test('two modules changed one file: the error goes to the module that wrote its line, not the last to touch the file', async () => {
    const repo = project(repos, COMMANDS, SCRIPTS);
    // a (merged first) writes the bad line 2; b (merged after it) changes line 5 of the same file.
    await conduct(repo, {
      a: [write('src/shared.ts', 'one\nexport const n: number = "2";\nthree\nfour\nfive\n'), ...done()],
      b: [write('src/shared.ts', 'one\ntwo\nthree\nfour\nb-five\n'), ...done()],
    });
    const { json } = await merge(repo, '--trust');
    assert.deepEqual(json.merged, ['a', 'b', 'c', 'd']);
    const check = json.validation.find((v) => v.kind === 'check-command')!;
    assert.deepEqual(check.findings.map((f) => [f.file, f.line, f.module]), [['src/shared.ts', 2, 'a']]);
  });

  test('without --trust they do not run, and the merge is not validated', async () => {
    const repo = project(repos, COMMANDS, SCRIPTS);
    await conduct(repo, {});
    const { code, json } = await merge(repo);
    assert.equal(code, 1);
    const notRun = json.validation.filter((v) => v.exitCode === null && v.kind.endsWith('-command'));
    assert.deepEqual(notRun.map((v) => [v.kind, v.findings[0].severity]), [['check-command', 'warning'], ['lint-command', 'warning']]);
    assert.match(notRun[0].findings[0].message, /check commands were not run: the repository is not trusted/);
  });
});
