// The completion hook end to end: the real sh launcher, a real node process, a real status file.
//
// How the hook script is obtained: the test bundles src/hook.ts with esbuild (exactly as esbuild.js
// does for dist/hook.js) into a temporary folder whose name is full of shell metacharacters, so the
// launcher's quoting is exercised too. Bundling takes a few tens of ms, and the bundled script starts
// much faster than going through a tsx loader, which matters for the 50 concurrent processes.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { installHookLauncher, launcherScript } from '../../src/infra/status/hookInstaller';
import { runHook } from '../../src/infra/status/hookCommand';
import { parseStatusLine } from '../../src/core/status/statusLine';
import { bundleHook } from '../support/hookBundle';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function readLines(file: string): Promise<string[]> {
  const text = await fs.readFile(file, 'utf8');
  assert.ok(text.endsWith('\n'), 'the file ends with a complete line');
  return text.slice(0, -1).split('\n');
}

describe('conductor-hook launcher', () => {
  let tmp: string;
  let hostileDir: string;
  let hookScript: string;
  let launcher: string;
  let statusFile: string;
  let baseEnv: NodeJS.ProcessEnv;

  before(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'conductor-hook-'));
    hostileDir = path.join(tmp, `it's a "dir" $(touch pwned) \`touch pwned\` ; & |`);
    await fs.mkdir(hostileDir);
    hookScript = path.join(hostileDir, 'hook.js');
    await bundleHook(hookScript);
    // The node binary, reached through a hostile path as well.
    const nodeLink = path.join(hostileDir, "no'de");
    await fs.symlink(process.execPath, nodeLink);
    launcher = await installHookLauncher({ dir: path.join(tmp, '.conductor', 'bin'), nodePath: nodeLink, hookScript, electron: false });
    statusFile = path.join(tmp, '.conductor', 'status', 'phase-2-catalog', 'search.jsonl');
    baseEnv = {
      PATH: process.env.PATH,
      CONDUCTOR_STATUS_FILE: statusFile,
      CONDUCTOR_MODULE: 'search',
      CONDUCTOR_PHASE: 'phase-2-catalog',
      CONDUCTOR_FEATURE_ID: 'feature-003-search',
      CONDUCTOR_RUN_ID: 'run-42',
      CONDUCTOR_ATTEMPT: '2',
    };
  });

  after(async () => {
    await fs.rm(tmp, { recursive: true, force: true });
  });

  test('the launcher is an executable sh script with both paths single-quoted', async () => {
    assert.equal(path.basename(launcher), 'conductor-hook');
    assert.equal((await fs.stat(launcher)).mode & 0o777, 0o755);
    const text = await fs.readFile(launcher, 'utf8');
    assert.ok(text.startsWith('#!/bin/sh\n'));
    assert.ok(!text.includes('ELECTRON_RUN_AS_NODE'));
    assert.ok(text.includes(`'${tmp}/it'\\''s a "dir" $(touch pwned) \`touch pwned\` ; & |/hook.js' "$@"`), text);
  });

  test('hostile summaries round-trip exactly and nothing in them is executed', async () => {
    const summaries = [
      `it's "quoted" and 'single'`,
      '$(rm -rf /)',
      '$(touch pwned) `touch pwned` ${HOME} $HOME',
      'line one\nline two\r\nline three\ttabbed',
      'unicode: ✓ 日本語 🚀 مرحبا \u2028 \u2029 é',
      '--files',
      '-n',
      '\\ back\\slash \\n not a newline',
      '',
      'x'.repeat(20_000),
    ];
    for (const summary of summaries) {
      const r = await run(launcher, ['complete', '--summary', summary], { ...baseEnv });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, '');
    }
    const lines = await readLines(statusFile);
    assert.equal(lines.length, summaries.length);
    lines.forEach((text, i) => {
      assert.equal(JSON.parse(text).summary, summaries[i]);
      const parsed = parseStatusLine(text, { file: '.conductor/status/phase-2-catalog/search.jsonl', line: i + 1 });
      assert.ok('event' in parsed, JSON.stringify(parsed));
      assert.equal(parsed.event.summary, summaries[i]);
    });
    await assert.rejects(fs.access(path.join(tmp, 'pwned')));
    await assert.rejects(fs.access(path.join(hostileDir, 'pwned')));
    await assert.rejects(fs.access(path.join(process.cwd(), 'pwned')));
  });

  test('every flag lands in its field, with the identity taken from the environment', async () => {
    const file = path.join(tmp, 'flags', 'deep', 'er', 'm.jsonl'); // parent folders do not exist yet
    const r = await run(
      launcher,
      [
        'progress', '--summary=half way', '--files', 'a.ts, b.ts,,', '--file', 'c d.ts', '--file', 'a.ts',
        '--tests-passing', 'false', '--validation-output', 'FAIL x\n  at y', '--gotcha', 'g1', '--gotcha', '"g2"',
      ],
      { ...baseEnv, CONDUCTOR_STATUS_FILE: file, CONDUCTOR_TOKEN: 'the-attempts-secret' },
    );
    assert.equal(r.code, 0, r.stderr);
    const [text] = await readLines(file);
    const record = JSON.parse(text);
    assert.ok(Number.isFinite(Date.parse(record.ts)));
    assert.deepEqual({ ...record, ts: 'T' }, {
      feature_id: 'feature-003-search',
      module: 'search',
      phase: 'phase-2-catalog',
      status: 'progress',
      ts: 'T',
      summary: 'half way',
      files_created: ['a.ts', 'b.ts', 'c d.ts'],
      tests_passing: false,
      validation_output: 'FAIL x\n  at y',
      gotchas_encountered: ['g1', '"g2"'],
      run_id: 'run-42',
      attempt: 2,
      token: 'the-attempts-secret',
    });
  });

  test('started with no flags and no identity in the environment writes nulls and defaults', async () => {
    const file = path.join(tmp, 'bare.jsonl');
    const r = await run(launcher, ['started'], { PATH: process.env.PATH, CONDUCTOR_STATUS_FILE: file });
    assert.equal(r.code, 0, r.stderr);
    const record = JSON.parse((await readLines(file))[0]);
    assert.equal(record.status, 'started');
    assert.equal(record.module, null);
    assert.equal(record.attempt, null);
    assert.equal(record.tests_passing, null);
    assert.deepEqual(record.files_created, []);
  });

  test('usage errors exit 2 with one line on stderr and write nothing', async () => {
    const file = path.join(tmp, 'usage.jsonl');
    const env = { ...baseEnv, CONDUCTOR_STATUS_FILE: file };
    for (const args of [[], ['done'], ['complete', '--sumary', 'x'], ['complete', '--summary'], ['complete', 'extra'], ['complete', '--tests-passing', 'yes']]) {
      const r = await run(launcher, args, env);
      assert.equal(r.code, 2, `${JSON.stringify(args)}: ${r.stderr}`);
      assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, /^conductor-hook: /);
    }
    await assert.rejects(fs.access(file));
  });

  test('discovery and spec-correction write a line of their kind, with the token, that the engine parses', async () => {
    const file = path.join(tmp, 'discoveries', 'search.jsonl');
    const env = { ...baseEnv, CONDUCTOR_STATUS_FILE: file, CONDUCTOR_TOKEN: 'the-attempts-secret' };
    const hostile = 'The index is `lazy`; see <b>docs</b>\n## not a heading $(touch pwned)';
    const a = await run(launcher, ['discovery', '--summary', hostile], env);
    const b = await run(launcher, ['spec-correction', '--summary=The spec says HS256; the library only does RS256'], env);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    const lines = await readLines(file);
    assert.deepEqual(lines.map((l) => JSON.parse(l).status), ['discovery', 'spec-correction']);
    const events = lines.map((text, i) => parseStatusLine(text, { file: '.conductor/status/phase-2-catalog/search.jsonl', line: i + 1 }));
    assert.ok('event' in events[0] && 'event' in events[1], JSON.stringify(events));
    assert.deepEqual(
      events.map((e) => ('event' in e ? [e.event.module, e.event.phase, e.event.status, e.event.summary, e.event.token, e.event.attempt, e.event.runId] : null)),
      [
        ['search', 'phase-2-catalog', 'discovery', hostile, 'the-attempts-secret', 2, 'run-42'],
        ['search', 'phase-2-catalog', 'spec-correction', 'The spec says HS256; the library only does RS256', 'the-attempts-secret', 2, 'run-42'],
      ],
    );
    await assert.rejects(fs.access(path.join(tmp, 'pwned')));
  });

  test('a discovery takes only a non-empty --summary: anything else is a usage error and writes nothing', async () => {
    const file = path.join(tmp, 'discovery-usage.jsonl');
    const env = { ...baseEnv, CONDUCTOR_STATUS_FILE: file };
    for (const args of [
      ['discovery'],
      ['discovery', '--summary', '  '],
      ['spec-correction', '--summary', 'x', '--files', 'a.ts'],
      ['discovery', '--summary', 'x', '--tests-passing', 'true'],
      ['discovery', '--summary', 'x', '--gotcha', 'g'],
      ['discoveries', '--summary', 'x'],
    ]) {
      const r = await run(launcher, args, env);
      assert.equal(r.code, 2, `${JSON.stringify(args)}: ${r.stderr}`);
      assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
    }
    await assert.rejects(fs.access(file));
  });

  test('a missing CONDUCTOR_STATUS_FILE exits 2 with a clear message', async () => {
    const r = await run(launcher, ['complete', '--summary', 'x'], { PATH: process.env.PATH });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /CONDUCTOR_STATUS_FILE is not set/);
  });

  test('--help prints the usage and succeeds', async () => {
    const r = await run(launcher, ['--help'], { PATH: process.env.PATH });
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^usage: conductor-hook <started\|progress\|complete\|failed\|needs-input>/);
    assert.match(r.stdout, /conductor-hook <discovery\|spec-correction> --summary TEXT/);
  });

  test('an Electron binary is run with ELECTRON_RUN_AS_NODE=1', async () => {
    // Stand-in for VS Code's Electron: records the variable, then behaves as node.
    const fakeElectron = path.join(hostileDir, "Code Helper 'electron'");
    await fs.writeFile(fakeElectron, `#!/bin/sh\nprintf '%s' "\${ELECTRON_RUN_AS_NODE-unset}" > "$SEEN_FILE"\nexec '${process.execPath}' "$@"\n`, { mode: 0o755 });
    const electronLauncher = await installHookLauncher({ dir: path.join(tmp, 'electron-bin'), nodePath: fakeElectron, hookScript, electron: true });
    const seen = path.join(tmp, 'seen');
    const file = path.join(tmp, 'electron.jsonl');
    const r = await run(electronLauncher, ['needs-input', '--summary', 'which database?'], { ...baseEnv, CONDUCTOR_STATUS_FILE: file, SEEN_FILE: seen });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await fs.readFile(seen, 'utf8'), '1');
    assert.equal(JSON.parse((await readLines(file))[0]).status, 'needs-input');
  });

  test('installing again replaces the launcher', async () => {
    const dir = path.join(tmp, 'reinstall');
    await installHookLauncher({ dir, nodePath: process.execPath, hookScript, electron: true });
    const again = await installHookLauncher({ dir, nodePath: process.execPath, hookScript, electron: false });
    assert.equal(await fs.readFile(again, 'utf8'), launcherScript({ nodePath: process.execPath, hookScript, electron: false }));
    assert.deepEqual(await fs.readdir(dir), ['conductor-hook']);
  });

  test('50 hook processes appending to one shared file at once leave 50 intact lines', async () => {
    const shared = path.join(tmp, '.conductor', 'status.jsonl');
    // Lines longer than a pipe buffer (4 KiB): intact only because each is a single O_APPEND write.
    const pad = 'p'.repeat(6000);
    const runs = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        run(launcher, ['complete', '--summary', `agent ${i} ${pad}`, '--file', `m${i}.ts`], {
          ...baseEnv,
          CONDUCTOR_STATUS_FILE: shared,
          CONDUCTOR_MODULE: `m${i}`,
        }),
      ),
    );
    for (const r of runs) assert.equal(r.code, 0, r.stderr);
    const lines = await readLines(shared);
    assert.equal(lines.length, 50);
    const modules = new Set<string>();
    lines.forEach((text, i) => {
      const parsed = parseStatusLine(text, { file: '.conductor/status.jsonl', line: i + 1 });
      assert.ok('event' in parsed, `line ${i + 1} is damaged`);
      assert.equal(parsed.event.summary, `agent ${parsed.event.module.slice(1)} ${pad}`);
      modules.add(parsed.event.module);
    });
    assert.equal(modules.size, 50);
  });
});

describe('runHook (in process)', () => {
  test('a bad CONDUCTOR_ATTEMPT is a usage error', () => {
    const r = runHook(['complete'], { CONDUCTOR_STATUS_FILE: path.join(os.tmpdir(), 'never-written.jsonl'), CONDUCTOR_ATTEMPT: 'x' });
    assert.equal(r.exitCode, 2);
    assert.match(r.message ?? '', /CONDUCTOR_ATTEMPT must be a positive whole number/);
  });

  test('a repeated single-valued flag is a usage error', () => {
    const r = runHook(['complete', '--summary', 'a', '--summary', 'b'], { CONDUCTOR_STATUS_FILE: '/nonexistent/x.jsonl' });
    assert.equal(r.exitCode, 2);
    assert.match(r.message ?? '', /--summary given twice/);
  });

  test('an unwritable target exits 1 with the path in the message, without throwing', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'conductor-hook-ro-'));
    try {
      const blocker = path.join(dir, 'file');
      await fs.writeFile(blocker, '');
      const r = runHook(['complete'], { CONDUCTOR_STATUS_FILE: path.join(blocker, 'below', 'x.jsonl') });
      assert.equal(r.exitCode, 1);
      assert.match(r.message ?? '', /cannot append to .*x\.jsonl/);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
