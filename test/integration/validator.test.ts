import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import * as path from 'node:path';
import type { PlannedPhase } from '../../src/core/model';
import { lastTouchedBy } from '../../src/infra/validate/attribution';
import { attributeLines } from '../../src/infra/validate/lineAttribution';
import type { Finding } from '../../src/core/validate/findings';
import { Validator, type ValidationResult } from '../../src/infra/validate/validator';
import { git, makeRepo, type TempRepo } from '../support/gitRepo';
import { planOf, readyMd } from '../support/specBuilder';

const SCRIPTS: Record<string, string> = {
  // Prints a compiler-style error about src/a.ts and fails.
  'scripts/fail.mjs': "console.log('checking…');\nconsole.error('src/a.ts:3:5: error boom');\nprocess.exit(1);\n",
  // Passes, but prints a warning-looking line about src/b.ts.
  'scripts/pass.mjs': "console.log('src/b.ts:1:1: warning: style');\nconsole.log('all good');\n",
  'scripts/exit.mjs': 'process.exit(Number(process.argv[2]));\n',
  'scripts/touch.mjs': "import { writeFileSync } from 'node:fs';\nwriteFileSync(process.argv[2], 'x');\n",
  'scripts/env.mjs': 'console.log(`greeting=${process.env.GREETING} cwd=${process.cwd()}`);\n',
  // Starts a grandchild that would outlive it, records the grandchild's pid, then hangs.
  'scripts/hang.mjs': [
    "import { spawn } from 'node:child_process';",
    "import { writeFileSync } from 'node:fs';",
    "const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'inherit' });",
    'writeFileSync(process.argv[2], String(child.pid));',
    "console.log('started');",
    'setInterval(() => {}, 1000);',
    '',
  ].join('\n'),
};

const SHARED = Array.from({ length: 10 }, (_, i) => `export const s${i} = ${i};`).join('\n') + '\n';

function commitAll(cwd: string, message: string): string {
  git(cwd, 'add', '-A');
  git(cwd, 'commit', '-qm', message);
  return git(cwd, 'rev-parse', 'HEAD').trim();
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie waits to be reaped but no longer runs.
  let stat = '';
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return false;
  }
  return !/^\d+ \(.*\) Z/.test(stat);
}

/**
 * base ── prev-phase merge (x) ── merge alpha ── merge beta ── merge gamma ── fix commit   (integration)
 * The modules branch from the previous phase's merge, as when a phase starts from the last result.
 */
describe('Validator and lastTouchedBy on a real integration worktree', () => {
  let repo: TempRepo;
  let base: string;
  let worktree: string;
  let touched: Map<string, string>;
  let phaseStart: string;
  const branches = new Map([['alpha', 'conductor/p1/alpha'], ['beta', 'conductor/p1/beta'], ['gamma', 'conductor/p1/gamma']]);

  before(async () => {
    repo = makeRepo({
      ...SCRIPTS,
      'src/a.ts': 'export const a = 1;\n// TODO old, from before the phase\nexport function f() {\n  return a;\n}\n',
      'src/shared.ts': SHARED,
      'README.md': '# Shop\n',
    });
    const root = repo.root;
    base = git(root, 'rev-parse', 'HEAD').trim();
    worktree = path.join(path.dirname(root), 'integration');

    git(root, 'checkout', '-qb', 'conductor/p0/x', base);
    repo.write('src/prev.ts', 'export const prev = 1;\n');
    commitAll(root, 'x: prev');
    git(root, 'checkout', '-q', 'main');
    git(root, 'worktree', 'add', '-q', '-b', 'conductor/integration', worktree, base);
    git(worktree, 'merge', '-q', '--no-ff', '-m', 'conductor: merge x', 'conductor/p0/x');
    phaseStart = git(worktree, 'rev-parse', 'HEAD').trim();

    git(root, 'checkout', '-qb', branches.get('alpha')!, phaseStart);
    repo.write('src/a.ts', readFileSync(path.join(root, 'src/a.ts'), 'utf8') + 'export const added = 2; // TODO new, from alpha\n');
    commitAll(root, 'alpha: a');
    repo.write('src/shared.ts', SHARED.replace('s0 = 0', 's0 = 100'));
    commitAll(root, 'alpha: shared');

    git(root, 'checkout', '-qb', branches.get('beta')!, phaseStart);
    repo.write('src/b.ts', 'export const b = 1;\n');
    commitAll(root, 'beta: b');

    git(root, 'checkout', '-qb', branches.get('gamma')!, phaseStart);
    repo.write('src/shared.ts', SHARED.replace('s9 = 9', 's9 = 900'));
    commitAll(root, 'gamma: shared');
    git(root, 'checkout', '-q', 'main');

    for (const [id, branch] of branches) git(worktree, 'merge', '-q', '--no-ff', '-m', `conductor: merge ${id}`, branch);
    // A fix made on the integration branch itself belongs to no module.
    writeFileSync(path.join(worktree, 'src', 'fix.ts'), 'export const fix = 1;\n');
    commitAll(worktree, 'fix on the integration branch');
    touched = await lastTouchedBy(repo.root, 'conductor/integration', base, branches);
  });
  after(() => repo.cleanup());

  test('lastTouchedBy names the module whose branch last changed each file', async () => {
    assert.deepEqual(Object.fromEntries([...touched].sort()), {
      'src/a.ts': 'alpha',
      'src/b.ts': 'beta',
      'src/shared.ts': 'gamma', // both changed it; gamma was merged last
    });
  });

  test('lastTouchedBy: an octopus merge credits the last merged-in parent that changed the file', async () => {
    git(repo.root, 'branch', '-q', 'octopus', phaseStart);
    const octo = path.join(path.dirname(repo.root), 'octopus');
    git(repo.root, 'worktree', 'add', '-q', octo, 'octopus');
    git(octo, 'merge', '-q', '--no-ff', '-m', 'conductor: merge all', ...branches.values());
    const map = await lastTouchedBy(repo.root, 'octopus', base, branches);
    assert.deepEqual(Object.fromEntries([...map].sort()), { 'src/a.ts': 'alpha', 'src/b.ts': 'beta', 'src/shared.ts': 'gamma' });
  });

  test('lastTouchedBy: a fast-forwarded module branch credits its own commits', async () => {
    const map = await lastTouchedBy(repo.root, branches.get('alpha')!, base, branches);
    assert.deepEqual(Object.fromEntries([...map].sort()), { 'src/a.ts': 'alpha', 'src/shared.ts': 'alpha' });
  });

  test('lastTouchedBy: a deleted module branch is still named by its merge commit', async () => {
    git(repo.root, 'branch', '-q', 'beta-kept', branches.get('beta')!);
    git(repo.root, 'branch', '-q', '-D', branches.get('beta')!);
    try {
      const map = await lastTouchedBy(repo.root, 'conductor/integration', base, branches);
      assert.equal(map.get('src/b.ts'), 'beta');
      assert.equal(map.get('src/a.ts'), 'alpha');
    } finally {
      git(repo.root, 'branch', '-q', '-m', 'beta-kept', branches.get('beta')!);
    }
  });

  test('attributeLines: a line goes to the module that wrote it; older lines keep the file\'s module; unblamable ones are left alone', async () => {
    const at = (file: string, line: number, module: string | null): Finding =>
      ({ source: 'check-command', file, line, column: null, severity: 'error', message: 'x', module });
    const findings = [
      at('src/shared.ts', 1, 'gamma'), // alpha wrote it; gamma changed the file last
      at('src/shared.ts', 10, 'gamma'),
      at('src/shared.ts', 5, 'gamma'), // older than the phase
      at('src/shared.ts', 99, 'gamma'), // past the end: git refuses the batch, each line is asked alone
      at('src/fix.ts', 1, null), // written on the integration branch, by no module
      at('/elsewhere/x.ts', 1, null),
      at('src/untracked.ts', 1, null),
    ];
    const [out] = await attributeLines(repo.root, 'conductor/integration', base, branches, [
      { kind: 'check-command', command: 'c', exitCode: 1, durationMs: 0, outputTail: '', findings },
    ]);
    assert.deepEqual(out.findings.map((f) => f.module), ['alpha', 'gamma', 'gamma', 'gamma', null, null, null]);
  });

  function phaseWith(expected: string[], moduleExpected: Record<string, string[]> = {}): PlannedPhase {
    const plan = planOf(readyMd([{ number: 1, name: 'Shop', modules: ['alpha', 'beta', 'gamma'], extra: ['', '#### Expected Files', ...expected.map((f) => `- \`${f}\``)] }]), {});
    const phase = plan.phases[0];
    assert.deepEqual(phase.expectedFiles.map((e) => e.value), expected);
    for (const m of phase.modules) m.expectedFiles = (moduleExpected[m.id] ?? []).map((value) => ({ value, line: 1, column: 1 }));
    return phase;
  }

  async function validate(commands: string[], opts: { phase?: PlannedPhase; timeoutMs?: number } = {}): Promise<ValidationResult[]> {
    return new Validator().validate({
      worktree,
      base,
      phase: opts.phase ?? phaseWith([]),
      commands,
      lastTouchedBy: touched,
      timeoutMs: opts.timeoutMs,
      env: { GREETING: 'from-input' },
    });
  }

  test('results come in order: expected files, each command, TODO scan', async () => {
    const results = await validate(['node scripts/pass.mjs']);
    assert.deepEqual(results.map((r) => [r.kind, r.command]), [['expected-files', null], ['test-command', 'node scripts/pass.mjs'], ['todo-scan', null]]);
  });

  test('expected files: present, missing, globs, folders, outside the repository', async () => {
    const phase = phaseWith(['src/a.ts', 'src/missing.ts', 'src/*.ts', 'docs/*.md', 'src/', 'README.md/', '../outside.ts'], { beta: ['src/b.ts', 'src/beta-extra.ts'] });
    const [files] = await validate([], { phase });
    assert.equal(files.kind, 'expected-files');
    assert.deepEqual(files.findings.map((f) => [f.file, f.severity, f.module, f.message.replace(/ \(Expected Files, line \d+\)$/, '')]), [
      ['src/missing.ts', 'error', null, 'src/missing.ts does not exist'],
      ['docs/*.md', 'error', null, 'no file matches docs/*.md'],
      ['README.md/', 'error', null, 'README.md/ is not a folder'],
      ['../outside.ts', 'error', null, '../outside.ts is outside the repository'],
      ['src/beta-extra.ts', 'error', 'beta', 'src/beta-extra.ts does not exist'],
    ]);
    assert.match(files.findings[0].message, /\(Expected Files, line \d+\)$/);
  });

  test('a failing command: its finding is placed and attributed, with exit code and output tail', async () => {
    const [, fail] = await validate(['node scripts/fail.mjs']);
    assert.equal(fail.exitCode, 1);
    assert.deepEqual(fail.findings, [
      { source: 'test-command', file: 'src/a.ts', line: 3, column: 5, severity: 'error', message: 'error boom', module: 'alpha' },
    ]);
    assert.equal(fail.outputTail, 'checking…\nsrc/a.ts:3:5: error boom');
    assert.ok(fail.durationMs >= 0);
  });

  test('a passing command: findings in its output are only warnings', async () => {
    const [, pass] = await validate(['node scripts/pass.mjs']);
    assert.equal(pass.exitCode, 0);
    assert.deepEqual(pass.findings.map((f) => [f.file, f.severity, f.module, f.message]), [['src/b.ts', 'warning', 'beta', 'style']]);
  });

  test('variables from the input and from NAME=value words reach the command; it runs in the worktree', async () => {
    const [, inherited, assigned] = await validate(['node scripts/env.mjs', 'GREETING="hi there" node scripts/env.mjs']);
    assert.equal(inherited.outputTail, `greeting=from-input cwd=${worktree}`);
    assert.equal(assigned.outputTail, `greeting=hi there cwd=${worktree}`);
  });

  test('&& runs the next step only after success and stops at the first failure', async () => {
    const marker = path.join(path.dirname(repo.root), 'after-failure');
    const first = path.join(path.dirname(repo.root), 'after-success');
    const [, r] = await validate([`node scripts/touch.mjs ${first} && node scripts/exit.mjs 3 && node scripts/touch.mjs ${marker}`]);
    assert.equal(r.exitCode, 3);
    assert.ok(existsSync(first));
    assert.ok(!existsSync(marker));
    assert.deepEqual(r.findings.map((f) => [f.file, f.severity, f.message]), [
      [null, 'error', `"node scripts/touch.mjs ${first} && node scripts/exit.mjs 3 && node scripts/touch.mjs ${marker}" exited with 3`],
    ]);
  });

  test('a command that needs a shell is refused and nothing runs', async () => {
    const victim = path.join(path.dirname(repo.root), 'pwned');
    const hostile = [`echo $(touch ${victim})`, `echo \`touch ${victim}\``, `node scripts/pass.mjs; touch ${victim}`, `node scripts/pass.mjs | touch ${victim}`];
    const results = (await validate(hostile)).filter((r) => r.kind === 'test-command');
    assert.equal(results.length, hostile.length);
    for (const r of results) {
      assert.equal(r.exitCode, null);
      assert.equal(r.outputTail, '');
      assert.equal(r.findings.length, 1);
      assert.equal(r.findings[0].file, null);
      assert.match(r.findings[0].message, /^cannot run ".*": .* needs a shell; put it in a script/);
    }
    assert.ok(!existsSync(victim));
  });

  test('a missing program is reported, not thrown', async () => {
    const [, r] = await validate(['conductor-no-such-program-xyz --version']);
    assert.equal(r.exitCode, null);
    assert.match(r.findings[0].message, /"conductor-no-such-program-xyz" was not found/);
  });

  // The timeout only guards against a hang (a grandchild left running would keep the loop below going).
  test('a command running past its time limit is stopped with its whole process group', { timeout: 60_000 }, async () => {
    const pidFile = path.join(path.dirname(repo.root), 'grandchild.pid');
    const [, r] = await validate([`node scripts/hang.mjs ${pidFile}`], { timeoutMs: 1500 });
    assert.equal(r.exitCode, null);
    assert.deepEqual(r.findings.map((f) => f.message), [`"node scripts/hang.mjs ${pidFile}" timed out after 1500 ms and was stopped`]);
    assert.match(r.outputTail, /started/);
    const grandchild = Number(readFileSync(pidFile, 'utf8'));
    while (alive(grandchild)) await sleep(50); // reaping may lag a little; the test's own timeout bounds this
  });

  test('TODO scan: flagged in an added line, attributed; not in an untouched line', async () => {
    const results = await validate([]);
    const scan = results[results.length - 1];
    assert.equal(scan.kind, 'todo-scan');
    assert.deepEqual(scan.findings.map((f) => [f.file, f.line, f.severity, f.module]), [['src/a.ts', 6, 'warning', 'alpha']]);
    assert.match(scan.findings[0].message, /^TODO in an added line: export const added = 2; \/\/ TODO new, from alpha$/);
  });

  test('TODO scan: an unknown base is an error finding, not a throw', async () => {
    const results = await new Validator().validate({ worktree, base: 'f'.repeat(40), phase: phaseWith([]), commands: [], lastTouchedBy: new Map() });
    const scan = results[results.length - 1];
    assert.equal(scan.findings.length, 1);
    assert.equal(scan.findings[0].severity, 'error');
    assert.match(scan.findings[0].message, /^could not read the lines the phase added/);
  });
});
