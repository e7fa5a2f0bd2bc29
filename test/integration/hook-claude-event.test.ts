// `conductor-hook claude-event` as Claude Code runs it: the real launcher and bundled hook, the hook's
// JSON on stdin (payloads captured from Claude Code 2.1.197), the status line it appends.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { installHookLauncher } from '../../src/infra/status/hookInstaller';
import { bundleHook } from '../support/hookBundle';

const FIXTURES = path.join(__dirname, '../fixtures/streams/claude');

function run(file: string, args: string[], stdin: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env, stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
    child.stdin.end(stdin);
  });
}

describe('conductor-hook claude-event', () => {
  let tmp: string;
  let launcher: string;
  let statusFile: string;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'conductor-claude-event-'));
    const hookScript = path.join(tmp, 'hook.js');
    await bundleHook(hookScript);
    launcher = await installHookLauncher({ dir: path.join(tmp, 'bin'), nodePath: process.execPath, hookScript, electron: false });
    statusFile = path.join(tmp, 'status', 'cart.jsonl');
    env = { PATH: process.env.PATH, CONDUCTOR_STATUS_FILE: statusFile, CONDUCTOR_MODULE: 'cart', CONDUCTOR_PHASE: 'phase-1-shop', CONDUCTOR_ATTEMPT: '1' };
  });
  after(() => fs.rm(tmp, { recursive: true, force: true }));

  async function lines(): Promise<{ status: string; summary: string; module: string }[]> {
    const text = await fs.readFile(statusFile, 'utf8').catch(() => '');
    return text.split('\n').filter(Boolean).map((l) => JSON.parse(l));
  }

  test('each captured payload on stdin appends what it means, and exits 0', async () => {
    const cases: [string, string | null][] = [
      ['hook-stop.json', 'progress'],
      ['hook-stop-question.json', 'needs-input'],
      ['hook-notification-idle.json', 'needs-input'],
      ['hook-notification-permission.json', 'needs-input'],
      ['hook-session-end.json', null],
    ];
    for (const [file, status] of cases) {
      const before = (await lines()).length;
      const r = await run(launcher, ['claude-event'], await fs.readFile(path.join(FIXTURES, file), 'utf8'), env);
      assert.equal(r.code, 0, `${file}: ${r.stderr}`);
      const added = (await lines()).slice(before);
      assert.deepEqual(added.map((l) => [l.status, l.module]), status ? [[status, 'cart']] : [], file);
    }
    assert.ok((await lines()).every((l) => l.status !== 'complete'));
  });

  test('bad input is a non-blocking error (exit 1, never 2, which would keep Claude Code from stopping)', async () => {
    for (const [args, stdin] of [[['claude-event'], 'not json'], [['claude-event'], '[]'], [['claude-event', 'extra'], '{}']] as const) {
      const r = await run(launcher, [...args], stdin, env);
      assert.equal(r.code, 1, `${args.join(' ')} <<< ${stdin}`);
      assert.match(r.stderr, /conductor-hook claude-event/);
    }
    const r = await run(launcher, ['claude-event'], await fs.readFile(path.join(FIXTURES, 'hook-stop.json'), 'utf8'), { PATH: process.env.PATH });
    assert.equal(r.code, 1, 'without CONDUCTOR_STATUS_FILE');
  });
});
