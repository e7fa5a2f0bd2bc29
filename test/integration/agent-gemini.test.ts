// The `gemini` preset driving the real Gemini CLI (pinned in test/agents/versions.env) headless,
// through the built `conductor`, against the scripted model server in this process: the CLI's own
// write_file and run_shell_command tools write, commit and report with conductor-hook. The Gemini
// home is isolated (test/support/agentHomes/gemini.ts) and every request must reach the server.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { git, makeRepo, type TempRepo } from '../support/gitRepo';
import { contractFor, readyMd } from '../support/specBuilder';
import { DIST_CLI } from '../support/conductorBin';
import { pathWithRealAgents, skipUnlessInstalled } from '../support/realAgents';
import { startModelServer, type ModelServer, type ServerRequest } from '../support/modelServer';
import { prepareGeminiHome } from '../support/agentHomes/gemini';
import { GeminiStreamParser } from '../../src/core/agents/streams/gemini';
import type { AgentSignal } from '../../src/core/agents/streams';

interface ModuleStatus {
  id: string;
  state: string;
  attempts: number;
  branch: string;
  lastSummary: string | null;
  sessionId: string | null;
  usage: { turns?: number; inputTokens?: number; outputTokens?: number } | null;
  resumeAt: string | null;
}

/** The user's identity, in the isolated HOME's global git config only: Gemini hides that file from its shell. */
const USER = { name: 'Gemini Tester', email: 'gemini.tester@example.invalid' };
/** A CLI that hangs fails its test instead of hanging the suite. */
const RUN_TIMEOUT_MS = 150_000;

const repos: TempRepo[] = [];
const homes: string[] = [];
let server: ModelServer;

before(async () => {
  server = await startModelServer({ default: 'diligent' });
});

after(async () => {
  await server?.close();
  for (const r of repos) r.cleanup();
  for (const h of homes) rmSync(h, { recursive: true, force: true });
});

async function setup(modules: Record<string, string[]>): Promise<{ repo: TempRepo; env: Record<string, string> }> {
  const files: Record<string, string> = { 'READY.md': readyMd([{ number: 1, name: 'Shop', modules: Object.keys(modules) }]) };
  for (const [m, deps] of Object.entries(modules)) files[`contracts/${m}.md`] = contractFor(m, deps);
  const repo = makeRepo(files);
  repos.push(repo);
  const home = mkdtempSync(path.join(tmpdir(), 'conductor-gemini-home-'));
  homes.push(home);
  writeFileSync(path.join(home, '.gitconfig'), `[user]\n\tname = ${USER.name}\n\temail = ${USER.email}\n`);
  const env = { ...(await prepareGeminiHome(home, server.url)), PATH: pathWithRealAgents() };
  return { repo, env };
}

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `node dist/cli.js …` with the identity only in the HOME's git config (no GIT_AUTHOR_* inherited). */
function baseEnv(): Record<string, string> {
  const base: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !/^GIT_(AUTHOR|COMMITTER)_/.test(k) && !k.startsWith('CONDUCTOR_')) base[k] = v;
  return base;
}

function conductor(repo: TempRepo, env: Record<string, string>, args: string[], timeout = 30_000): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [DIST_CLI, ...args], { cwd: repo.root, env: { ...baseEnv(), ...env }, timeout, killSignal: 'SIGTERM', maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof (error as { code?: unknown }).code === 'number' ? (error as { code: number }).code : -1) : 0;
      resolve({ code, stdout, stderr: error?.killed ? `${stderr}\n(killed after ${timeout} ms)` : stderr });
    });
  });
}

const conduct = (repo: TempRepo, env: Record<string, string>, ...extra: string[]) =>
  conductor(repo, env, ['conduct', '1', '--agent', 'gemini', '--max-parallel', '2', ...extra], RUN_TIMEOUT_MS);

async function modules(repo: TempRepo, env: Record<string, string>): Promise<Record<string, ModuleStatus>> {
  const r = await conductor(repo, env, ['status', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const status = JSON.parse(r.stdout) as { phases: { modules: ModuleStatus[] }[] };
  return Object.fromEntries(status.phases[0].modules.map((m) => [m.id, m]));
}

function agentLog(repo: TempRepo, m: string): string {
  return readFileSync(path.join(repo.root, '.conductor/logs/phase-1-shop', `${m}.log`), 'utf8');
}

function parse(log: string): AgentSignal[] {
  const parser = new GeminiStreamParser();
  return log.split('\n').flatMap((l) => parser.line(l));
}

/** Everything since `from` went to the Gemini dialect of the scripted server, and none failed unexpectedly. */
function assertAllServed(from: number, allowedStatus: number[] = [200]): ServerRequest[] {
  const mine = server.requests.slice(from);
  assert.ok(mine.length > 0, 'the CLI made requests to the scripted server');
  for (const r of mine) {
    assert.equal(r.dialect, 'gemini', `${r.method} ${r.path} has no route`);
    assert.ok(allowedStatus.includes(r.status), `${r.method} ${r.path} answered ${r.status}`);
  }
  return mine;
}

/** The Gemini CLI's saved sessions in this HOME (`~/.gemini/tmp/<project>/chats/`), deleted; how many there were. */
function forgetSessions(home: string): number {
  const tmp = path.join(home, '.gemini', 'tmp');
  let count = 0;
  for (const project of readdirSync(tmp)) {
    const chats = path.join(tmp, project, 'chats');
    try {
      count += readdirSync(chats).filter((f) => f.startsWith('session-')).length;
    } catch {
      continue;
    }
    rmSync(chats, { recursive: true, force: true });
  }
  return count;
}

describe('gemini preset (real Gemini CLI)', { skip: skipUnlessInstalled('gemini') }, () => {
  test('diligent: every module complete with its own summary, its file committed under the user\'s identity', { timeout: RUN_TIMEOUT_MS + 30_000 }, async () => {
    server.config = { default: 'diligent' };
    const from = server.requests.length;
    const { repo, env } = await setup({ a: [], b: [], c: ['a'] });
    const r = await conduct(repo, env);
    assert.equal(r.code, 0, r.stdout + r.stderr);

    const status = await modules(repo, env);
    for (const m of ['a', 'b', 'c']) {
      assert.equal(status[m].state, 'complete', `${m}: ${status[m].lastSummary}`);
      assert.equal(status[m].lastSummary, `${m} implemented by the scripted model`);
      assert.equal(status[m].attempts, 1);
      const branch = `conductor/phase-1-shop/${m}`;
      assert.equal(git(repo.root, 'show', `${branch}:src/${m}.js`).includes(`export const ${m} = () => '${m}';`), true);
      // Gemini runs shell commands with GIT_CONFIG_GLOBAL=/dev/null: the identity came from the engine's env.
      assert.equal(git(repo.root, 'log', '-1', '--format=%an <%ae>|%cn <%ce>|%s', branch).trim(), `${USER.name} <${USER.email}>|${USER.name} <${USER.email}>|${m}: implement (attempt 1)`);
      // c started on a's work.
      if (m === 'c') assert.match(git(repo.root, 'ls-tree', '-r', '--name-only', branch), /src\/a\.js/);
      // From the CLI's stream: its session id, and one turn per model response (write, commit, hook, …).
      assert.match(status[m].sessionId ?? '', /^[0-9a-f-]{36}$/);
      assert.ok((status[m].usage?.turns ?? 0) >= 3, JSON.stringify(status[m].usage));
    }

    const requests = assertAllServed(from);
    // Model turns (tools offered) and the CLI's own side requests (routing), nothing else.
    assert.ok(requests.every((q) => /^\/v1beta\/models\/[^/:]+:(streamGenerateContent|generateContent|countTokens)$/.test(q.path)), JSON.stringify(requests.map((q) => q.path)));
    for (const m of ['a', 'b', 'c']) {
      assert.equal(requests.filter((q) => q.module === m && q.hasTools).length >= 3, true, `${m}: write, commit and hook turns`);
    }
    const signals = parse(agentLog(repo, 'b'));
    assert.ok(signals.some((s) => s.kind === 'session'), 'the session id is in the stream');
    assert.deepEqual(signals.filter((s) => s.kind === 'denied' || s.kind === 'error' || s.kind === 'usage-limit'), []);
  });

  test('an agent that reports failure: failed with its summary, its dependent blocked, exit 1', { timeout: RUN_TIMEOUT_MS + 30_000 }, async () => {
    server.config = { default: 'diligent', modules: { a: 'fail' } };
    const from = server.requests.length;
    const { repo, env } = await setup({ a: [], b: ['a'] });
    const r = await conduct(repo, env, '--retries', '0');
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const status = await modules(repo, env);
    assert.equal(status.a.state, 'failed');
    assert.equal(status.a.lastSummary, 'a: the scripted model could not finish');
    assert.equal(status.b.state, 'blocked');
    assert.equal(server.requests.slice(from).some((q) => q.module === 'b'), false, 'b never started');
    assertAllServed(from);
  });

  test('a retry resumes the failed attempt\'s session by its id: the model sees the earlier turns, the module completes', { timeout: RUN_TIMEOUT_MS + 30_000 }, async () => {
    server.config = { default: 'diligent', modules: { 'a#1': 'fail' } };
    const from = server.requests.length;
    const { repo, env } = await setup({ a: [] });
    const r = await conduct(repo, env, '--retries', '1');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const status = await modules(repo, env);
    assert.equal(status.a.state, 'complete', status.a.lastSummary ?? '');
    assert.equal(status.a.attempts, 2);
    assert.equal(status.a.lastSummary, 'a implemented by the scripted model');
    assert.equal(git(repo.root, 'log', '-1', '--format=%s', 'conductor/phase-1-shop/a').trim(), 'a: implement (attempt 2)');

    // Both attempts' streams name one session: the second CLI continued the first one's.
    const sessions = parse(agentLog(repo, 'a')).flatMap((s) => (s.kind === 'session' ? [s.sessionId] : []));
    assert.equal(sessions.length, 2, JSON.stringify(sessions));
    assert.equal(sessions[1], sessions[0]);
    assert.equal(status.a.sessionId, sessions[0]);
    // And it resumed the conversation: each model turn of attempt 2 carries attempt 1's prompt and its
    // failure report before the new prompt.
    const turns = assertAllServed(from).filter((q) => q.hasTools);
    const second = turns.filter((q) => JSON.stringify(q.body).includes('This is attempt 2.'));
    assert.ok(second.length >= 3, `${second.length} model turns in attempt 2`);
    for (const q of second) {
      const contents = JSON.stringify(q.body);
      const prompts = [...contents.matchAll(/You are implementing module `a` of phase 1/g)].map((m) => m.index);
      assert.equal(prompts.length, 2, 'both attempts\' prompts');
      assert.ok(contents.indexOf('failed --summary') > prompts[0] && contents.indexOf('failed --summary') < contents.indexOf('This is attempt 2.'));
    }
  });

  test('a session that cannot be resumed (its chats gone) costs one retry: the next attempt starts a new session and completes', { timeout: 2 * RUN_TIMEOUT_MS + 30_000 }, async () => {
    server.config = { default: 'diligent', modules: { 'lost#1': 'fail', 'lost#3': 'diligent' } };
    const { repo, env } = await setup({ lost: [] });
    const first = await conduct(repo, env, '--retries', '0');
    assert.notEqual(first.code, 0, first.stdout + first.stderr);
    const failed = (await modules(repo, env)).lost;
    assert.equal(failed.state, 'failed');
    assert.ok(failed.sessionId, 'attempt 1 recorded its session');
    assert.ok(forgetSessions(env.HOME) > 0, 'the CLI had saved the session');

    // Conducting again: attempt 2 resumes the lost session and dies (exit 42); attempt 3 starts afresh.
    const second = await conduct(repo, env, '--retries', '1');
    assert.equal(second.code, 0, second.stdout + second.stderr);
    const rec = (await modules(repo, env)).lost;
    assert.deepEqual([rec.state, rec.attempts], ['complete', 3], `${rec.lastSummary}`);
    assert.ok(rec.sessionId, 'attempt 3 recorded its session');
    assert.notEqual(rec.sessionId, failed.sessionId, 'attempt 3 has a session of its own');
    assert.match(second.stdout, new RegExp(`its session ${failed.sessionId} could not be resumed`));
    // What the CLI said (on stderr, which the engine reads too), and that its stream named only live sessions.
    const log = agentLog(repo, 'lost');
    assert.match(log, /Error resuming session: No previous sessions found for this project\./);
    const sessions = parse(log).flatMap((x) => (x.kind === 'session' ? [x.sessionId] : []));
    assert.deepEqual(sessions, [failed.sessionId, rec.sessionId]);
  });

  test('a usage limit beyond 300 s: the CLI gives up at once, the module is paused until the reset, conducting again resumes it', { timeout: 2 * RUN_TIMEOUT_MS }, async () => {
    const resetAtMs = Math.ceil((Date.now() + 3_600_000) / 1000) * 1000;
    server.config = { default: 'diligent', rateLimit: { modules: '*', untilMs: resetAtMs } };
    const from = server.requests.length;
    const { repo, env } = await setup({ a: [], b: ['a'] });
    const child = spawn(process.execPath, [DIST_CLI, 'conduct', '1', '--agent', 'gemini', '--max-parallel', '2'], { cwd: repo.root, env: { ...baseEnv(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      // It waits for the reset time: paused, with that time, and nothing else started.
      const deadline = Date.now() + RUN_TIMEOUT_MS;
      let status = await modules(repo, env).catch(() => null);
      while (status?.a?.state !== 'paused' && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 500));
        status = await modules(repo, env).catch(() => null);
      }
      assert.equal(status?.a.state, 'paused', out);
      assert.equal(status.a.resumeAt, new Date(resetAtMs).toISOString());
      assert.match(status.a.lastSummary ?? '', /paused: Usage limit reached for the scripted model/);
      assert.equal(status.b.state, 'pending');
      // The model never answered: the CLI kept no session a retry could resume (it would exit 42), so none is recorded.
      assert.equal(status.a.sessionId, null);
      assert.match(out, /a: paused by a usage limit until /);

      const requests = assertAllServed(from, [200, 429]);
      assert.equal(requests.filter((q) => q.status === 429).length, 1, 'the CLI gives up on a long RetryInfo at once');
      assert.equal(requests.filter((q) => q.hasTools).length, 1, 'and does not fall back to another model');
      const log = agentLog(repo, 'a');
      assert.match(log, /TerminalQuotaError/);
      const limits = parse(log).filter((s): s is Extract<AgentSignal, { kind: 'usage-limit' }> => s.kind === 'usage-limit');
      assert.deepEqual(limits.map((l) => l.resetAt), [new Date(resetAtMs).toISOString()]);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }

    // The limit is gone; conducting again is the command that resumes it.
    server.config = { default: 'diligent' };
    const r = await conduct(repo, env);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /a: resuming after its usage limit, as asked/);
    const status = await modules(repo, env);
    assert.equal(status.a.state, 'complete');
    assert.equal(status.b.state, 'complete');
  });

  test('a command outside the allowed ones is denied by the CLI, said clearly, and the agent carries on', { timeout: RUN_TIMEOUT_MS + 30_000 }, async () => {
    server.config = { default: 'deny' };
    const { repo, env } = await setup({ a: [] });
    const r = await conduct(repo, env, '--retries', '0');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /a: the agent tried to run `git push origin HEAD` and was denied\./);
    const status = await modules(repo, env);
    assert.equal(status.a.state, 'complete');
    assert.match(agentLog(repo, 'a'), /"status":"error","output":"Tool execution denied by policy\."/);
  });

  test('a short rate limit: the CLI honours RetryInfo, retries by itself and completes', { timeout: RUN_TIMEOUT_MS + 30_000 }, async () => {
    const delayMs = 4000;
    let untilMs: number | null = null;
    // The limit starts with the CLI's first request (its start-up time varies), then lasts delayMs.
    server.config = {
      default: 'diligent',
      get rateLimit() {
        untilMs ??= Date.now() + delayMs;
        return { modules: '*', untilMs };
      },
    };
    const from = server.requests.length;
    const { repo, env } = await setup({ a: [] });
    const r = await conduct(repo, env, '--retries', '0');
    assert.equal(r.code, 0, r.stdout + r.stderr);

    const turns = assertAllServed(from, [200, 429]).filter((q) => q.hasTools);
    const firstOk = turns.findIndex((q) => q.status === 200);
    assert.ok(firstOk >= 1, 'at least one 429 first');
    const last429 = turns[firstOk - 1];
    assert.ok(turns[firstOk].at - turns[0].at >= delayMs - 1500, `retried after ${turns[firstOk].at - turns[0].at} ms, RetryInfo said ~${delayMs} ms`);
    assert.equal(last429.status, 429);
    const status = await modules(repo, env);
    assert.equal(status.a.state, 'complete');
    const log = agentLog(repo, 'a');
    assert.match(log, /Attempt 1 failed: [\s\S]*?Retrying after \d+ms/);
    assert.deepEqual(parse(log).filter((s) => s.kind === 'usage-limit'), [], 'no pause for a limit the CLI waits out');
  });
});
