// The `qwen` preset driving the REAL Qwen Code CLI (pinned in test/agents/versions.env) headless,
// through the built `conductor`, against the scripted model server (test/model-server, OpenAI chat
// completions). Each run gets its own HOME (test/support/agentHomes/qwen.ts); nothing leaves the
// machine: every request the CLI makes is checked to have reached the server.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { contractFor, readyMd } from '../support/specBuilder';
import { git, makeRepo, type TempRepo } from '../support/gitRepo';
import { conductorBin, spawnConductor, type BinResult } from '../support/conductorBin';
import { pathWithRealAgents, skipUnlessInstalled } from '../support/realAgents';
import { startModelServer, type ModelServer } from '../support/modelServer';
import { prepareQwenHome, type QwenHomeOptions } from '../support/agentHomes/qwen';


/** Per conductor run: far beyond a normal run (~20–40 s on a loaded machine), short of hanging CI. */
const RUN_TIMEOUT_MS = 180_000;
const PHASE = 'phase-1-shop';

interface ModuleJson {
  id: string;
  state: string;
  attempts: number;
  lastSummary: string | null;
  sessionId: string | null;
  usage: { turns?: number; inputTokens?: number; outputTokens?: number } | null;
  resumeAt: string | null;
}

async function statusOf(repo: TempRepo): Promise<Record<string, ModuleJson>> {
  const r = await conductorBin(repo.root, ['status', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const phases = (JSON.parse(r.stdout) as { phases: { modules: ModuleJson[] }[] }).phases;
  return Object.fromEntries(phases[0].modules.map((m) => [m.id, m]));
}

/** The session id of each Qwen Code start in a module's agent log (its `system` `init` events), in order. */
function sessionsInLog(repo: TempRepo, module: string): string[] {
  const log = readFileSync(path.join(repo.root, '.conductor', 'logs', PHASE, `${module}.log`), 'utf8');
  const events = log.split('\n').flatMap((l) => {
    try {
      return [JSON.parse(l) as { type?: string; subtype?: string; session_id?: string }];
    } catch {
      return [];
    }
  });
  return events.filter((e) => e.type === 'system' && e.subtype === 'init').map((e) => e.session_id ?? '');
}

/** Qwen Code's saved sessions in this HOME (`~/.qwen/projects/<folder>/chats/<id>.jsonl`), deleted; how many there were. */
function forgetSessions(home: string): number {
  const projects = path.join(home, '.qwen', 'projects');
  const files = readdirSync(projects, { recursive: true, encoding: 'utf8' }).filter((f) => /(^|\/)chats\/[^/]+\.jsonl$/.test(f));
  rmSync(projects, { recursive: true, force: true });
  return files.length;
}

describe('qwen preset (real Qwen Code)', { skip: skipUnlessInstalled('qwen') }, () => {
  let server: ModelServer;
  const cleanups: (() => void)[] = [];

  before(async () => {
    server = await startModelServer({});
  });
  after(async () => {
    await server.close();
    for (const c of cleanups) c();
  });

  function repoWith(modules: string[], deps: Record<string, string[]> = {}): TempRepo {
    const files: Record<string, string> = { 'READY.md': readyMd([{ number: 1, name: 'Shop', modules }]) };
    for (const m of modules) files[`contracts/${m}.md`] = contractFor(m, deps[m] ?? []);
    const repo = makeRepo(files);
    cleanups.push(repo.cleanup);
    return repo;
  }

  async function agentEnv(options: QwenHomeOptions = {}): Promise<Record<string, string>> {
    const home = mkdtempSync(path.join(tmpdir(), 'conductor-qwen-home-'));
    cleanups.push(() => void import('node:fs').then((fs) => fs.rmSync(home, { recursive: true, force: true })));
    return { ...(await prepareQwenHome(home, server.url, options)), PATH: pathWithRealAgents() };
  }

  /** `conductor conduct 1 --agent qwen`, stopped (SIGTERM, then SIGKILL) if it outlives `timeoutMs`. */
  function conduct(repo: TempRepo, env: Record<string, string>, args: string[] = [], timeoutMs = RUN_TIMEOUT_MS, until?: () => Promise<boolean>): Promise<BinResult & { timedOut: boolean; stoppedEarly: boolean }> {
    const child = spawnConductor(repo.root, ['conduct', '1', '--agent', 'qwen', '--max-parallel', '2', ...args], env);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    let timedOut = false;
    let stoppedEarly = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
    }, timeoutMs);
    const poll = until
      ? setInterval(() => {
          void until().then((done) => {
            if (done && !stoppedEarly) {
              stoppedEarly = true;
              child.kill('SIGTERM');
            }
          });
        }, 1000)
      : undefined;
    return new Promise((resolve) => {
      child.on('close', (code) => {
        clearTimeout(timer);
        clearInterval(poll);
        resolve({ code: code ?? 1, stdout, stderr, timedOut, stoppedEarly });
      });
    });
  }

  /** Every request since `from` reached the server's chat-completions route and was answered. */
  function assertAllServed(from: number, allowed = [200]): void {
    const seen = server.requests.slice(from);
    assert.ok(seen.length > 0, 'the CLI made no request to the scripted model');
    for (const r of seen) {
      assert.equal(`${r.method} ${r.path}`, 'POST /v1/chat/completions');
      assert.ok(allowed.includes(r.status), `unexpected status ${r.status}`);
    }
  }

  test('diligent: every module complete with the agent\'s own summary, its file committed on its branch', { timeout: RUN_TIMEOUT_MS + 30_000 }, async () => {
    server.config = { default: 'diligent' };
    const from = server.requests.length;
    const repo = repoWith(['cart', 'catalog', 'checkout'], { checkout: ['cart'] });
    const r = await conduct(repo, await agentEnv());
    assert.equal(r.timedOut, false, `conduct hung:\n${r.stdout}\n${r.stderr}`);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    const status = await statusOf(repo);
    for (const m of ['cart', 'catalog', 'checkout']) {
      assert.equal(status[m].state, 'complete', `${m}: ${status[m].lastSummary}`);
      assert.equal(status[m].lastSummary, `${m} implemented by the scripted model`);
      assert.equal(status[m].attempts, 1);
      // From Qwen Code's stream-json: its session and token counts.
      assert.match(status[m].sessionId ?? '', /^[0-9a-f-]{36}$/);
      assert.ok((status[m].usage?.turns ?? 0) >= 3 && (status[m].usage?.inputTokens ?? 0) > 0, JSON.stringify(status[m].usage));
      const branch = `conductor/${PHASE}/${m}`;
      assert.match(git(repo.root, 'show', `${branch}:src/${m}.js`), new RegExp(`export const ${m} = `));
      assert.match(git(repo.root, 'log', '-1', '--format=%s%n%b', branch), new RegExp(`^${m}: implement \\(attempt 1\\)`));
    }
    // checkout depends on cart: it started from cart's work.
    assert.match(git(repo.root, 'ls-tree', '-r', '--name-only', `conductor/${PHASE}/checkout`), /src\/cart\.js/);
    assertAllServed(from);
  });

  test('fail: the agent\'s failure report; its dependent blocked; exit 1', { timeout: RUN_TIMEOUT_MS + 30_000 }, async () => {
    server.config = { default: 'diligent', modules: { cart: 'fail' } };
    const from = server.requests.length;
    const repo = repoWith(['cart', 'checkout'], { checkout: ['cart'] });
    const r = await conduct(repo, await agentEnv(), ['--retries', '0']);
    assert.equal(r.timedOut, false, `conduct hung:\n${r.stdout}\n${r.stderr}`);
    assert.equal(r.code, 1, `${r.stdout}\n${r.stderr}`);
    const status = await statusOf(repo);
    assert.equal(status.cart.state, 'failed');
    assert.match(status.cart.lastSummary ?? '', /^cart: the scripted model could not finish/);
    assert.equal(status.checkout.state, 'blocked');
    assert.equal(server.requests.slice(from).filter((q) => q.module === 'checkout').length, 0);
    assertAllServed(from);
  });

  test('a retry resumes the failed attempt\'s session (--resume=<id>): the model sees the earlier turns, the module completes', { timeout: RUN_TIMEOUT_MS + 30_000 }, async () => {
    server.config = { default: 'diligent', modules: { 'cart#1': 'fail' } };
    const from = server.requests.length;
    const repo = repoWith(['cart']);
    const r = await conduct(repo, await agentEnv(), ['--retries', '1']);
    assert.equal(r.timedOut, false, `conduct hung:\n${r.stdout}\n${r.stderr}`);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    const status = await statusOf(repo);
    assert.equal(status.cart.state, 'complete', status.cart.lastSummary ?? '');
    assert.equal(status.cart.attempts, 2);
    assert.equal(status.cart.lastSummary, 'cart implemented by the scripted model');
    assert.match(git(repo.root, 'log', '-1', '--format=%s', `conductor/${PHASE}/cart`), /^cart: implement \(attempt 2\)/);

    // Both attempts' streams name one session: the second CLI continued the first one's.
    const sessions = sessionsInLog(repo, 'cart');
    assert.equal(sessions.length, 2, JSON.stringify(sessions));
    assert.equal(sessions[1], sessions[0]);
    assert.equal(status.cart.sessionId, sessions[0]);
    // And it resumed the conversation: each model turn of attempt 2 carries attempt 1's prompt and its
    // failure report before the new prompt.
    assertAllServed(from);
    const second = server.requests.slice(from).filter((q) => !q.side && JSON.stringify(q.body).includes('This is attempt 2.'));
    assert.ok(second.length >= 3, `${second.length} model turns in attempt 2`);
    for (const q of second) {
      const body = JSON.stringify(q.body);
      const prompts = [...body.matchAll(/You are implementing module `cart` of phase 1/g)].map((m) => m.index);
      assert.equal(prompts.length, 2, 'both attempts\' prompts');
      const failed = body.indexOf('failed --summary');
      assert.ok(failed > prompts[0] && failed < body.indexOf('This is attempt 2.'), 'attempt 1\'s failure report before the new prompt');
    }
  });

  test('a session that cannot be resumed (its chats gone) costs one retry: the next attempt starts a new session and completes', { timeout: 2 * RUN_TIMEOUT_MS + 30_000 }, async () => {
    server.config = { default: 'diligent', modules: { 'lost#1': 'fail', 'lost#3': 'diligent' } };
    const repo = repoWith(['lost']);
    const env = await agentEnv();
    const first = await conduct(repo, env, ['--retries', '0']);
    assert.equal(first.timedOut, false, `conduct hung:\n${first.stdout}\n${first.stderr}`);
    assert.notEqual(first.code, 0, `${first.stdout}\n${first.stderr}`);
    const failed = (await statusOf(repo)).lost;
    assert.equal(failed.state, 'failed');
    assert.ok(failed.sessionId, 'attempt 1 recorded its session');
    assert.ok(forgetSessions(env.HOME) > 0, 'Qwen Code had saved the session');

    // Conducting again: attempt 2 resumes the lost session and dies; attempt 3 starts afresh.
    const second = await conduct(repo, env, ['--retries', '1']);
    assert.equal(second.timedOut, false, `conduct hung:\n${second.stdout}\n${second.stderr}`);
    assert.equal(second.code, 0, `${second.stdout}\n${second.stderr}`);
    const rec = (await statusOf(repo)).lost;
    assert.deepEqual([rec.state, rec.attempts], ['complete', 3], `${rec.lastSummary}`);
    assert.ok(rec.sessionId, 'attempt 3 recorded its session');
    assert.notEqual(rec.sessionId, failed.sessionId, 'attempt 3 has a session of its own');
    assert.match(second.stdout, new RegExp(`its session ${failed.sessionId} could not be resumed`));
    // What Qwen Code said (on stderr, which the engine reads too), and that only live sessions started.
    const log = readFileSync(path.join(repo.root, '.conductor', 'logs', PHASE, 'lost.log'), 'utf8');
    assert.match(log, new RegExp(`No saved session found with ID ${failed.sessionId}\\.`));
    assert.deepEqual(sessionsInLog(repo, 'lost'), [failed.sessionId, rec.sessionId]);
  });

  test('deny: `git push` is not pre-allowed: refused at once (no hang), reported, and the agent goes on', { timeout: RUN_TIMEOUT_MS + 30_000 }, async () => {
    server.config = { default: 'deny' };
    const from = server.requests.length;
    const repo = repoWith(['cart']);
    const r = await conduct(repo, await agentEnv());
    assert.equal(r.timedOut, false, `conduct hung:\n${r.stdout}\n${r.stderr}`);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout + r.stderr, /cart: the agent tried to run `git push origin HEAD` and was denied/);
    const status = await statusOf(repo);
    assert.equal(status.cart.state, 'complete');
    assert.match(status.cart.lastSummary ?? '', /cart implemented by the scripted model/);
    // What the model was told: Qwen Code's own refusal, as the push's tool result.
    const refusal = JSON.stringify(server.requests.slice(from).map((q) => q.body));
    assert.match(refusal, /requires permission to use \\"run_shell_command\\", but that permission was declined \(non-interactive mode cannot prompt for confirmation\)/);
    assertAllServed(from);
  });

  test('short rate limit: Qwen Code retries by itself and the module completes, with nothing on its stream', { timeout: RUN_TIMEOUT_MS + 30_000 }, async () => {
    server.config = { default: 'diligent', rateLimit: { modules: ['cart'], untilMs: Date.now() + 3_600_000 } };
    const from = server.requests.length;
    // Lift the limit 3 s after the first 429, so the CLI's own retries get through.
    const lift = setInterval(() => {
      const rl = server.config.rateLimit as { untilMs: number } | undefined;
      if (rl && rl.untilMs > Date.now() + 60_000 && server.requests.slice(from).some((q) => q.status === 429)) rl.untilMs = Date.now() + 3_000;
    }, 100);
    const repo = repoWith(['cart']);
    const r = await conduct(repo, await agentEnv());
    clearInterval(lift);
    assert.equal(r.timedOut, false, `conduct hung:\n${r.stdout}\n${r.stderr}`);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    const status = await statusOf(repo);
    assert.equal(status.cart.state, 'complete');
    assert.equal(status.cart.resumeAt, null);
    assert.ok(server.requests.slice(from).some((q) => q.status === 429));
    assertAllServed(from, [200, 429]);
  });

  test('usage limit outlasting its retries: paused until the reset time, then resumed on command', { timeout: 2 * RUN_TIMEOUT_MS + 30_000 }, async () => {
    const resetMs = Date.now() + 3_600_000;
    const resetAt = new Date(resetMs).toISOString();
    server.config = { default: 'diligent', rateLimit: { modules: ['cart'], untilMs: resetMs } };
    const from = server.requests.length;
    const repo = repoWith(['cart']);
    // maxRetries 0: no OpenAI-SDK retries and no stream-level rate-limit retries; Qwen Code's own
    // retryWithBackoff still makes 7 attempts (~75 s), then ends with "[API Error: 429 …]", exit 0.
    const env = await agentEnv({ maxRetries: 0 });
    const paused = async (): Promise<boolean> => (await statusOf(repo).catch(() => null))?.cart?.state === 'paused';
    const r = await conduct(repo, env, [], RUN_TIMEOUT_MS, paused);
    assert.equal(r.timedOut, false, `conduct hung:\n${r.stdout}\n${r.stderr}`);
    assert.equal(r.stoppedEarly, true, `never paused:\n${r.stdout}\n${r.stderr}`);
    let status = await statusOf(repo);
    assert.equal(status.cart.state, 'paused');
    assert.equal(status.cart.resumeAt, resetAt);
    assert.match(status.cart.lastSummary ?? '', /paused: 429 Usage limit reached for the scripted model/);
    assert.equal(server.requests.slice(from).filter((q) => q.status === 429).length, 7);
    assertAllServed(from, [429]);

    // The limit is gone; conducting again resumes the paused module without waiting for its reset.
    server.config = { default: 'diligent' };
    const again = await conduct(repo, env);
    assert.equal(again.timedOut, false, `conduct hung:\n${again.stdout}\n${again.stderr}`);
    assert.equal(again.code, 0, `${again.stdout}\n${again.stderr}`);
    status = await statusOf(repo);
    assert.equal(status.cart.state, 'complete');
    assert.equal(status.cart.lastSummary, 'cart implemented by the scripted model');
  });
});
