// The `claude` preset driving the REAL Claude Code CLI (pinned in test/agents/versions.env) headless
// through `conductor conduct`, against the scripted model server (test/model-server) in this process.
// Every run has its own HOME (test/support/agentHomes/claude.ts); nothing goes to the internet: the
// server must have answered every request Claude Code made.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { contractFor, readyMd } from '../support/specBuilder';
import { git, makeRepo, type TempRepo } from '../support/gitRepo';
import { conductorBin, type BinResult } from '../support/conductorBin';
import { pathWithRealAgents, skipUnlessInstalled } from '../support/realAgents';
import { startModelServer, type ModelServer } from '../support/modelServer';
import { prepareClaudeHome } from '../support/agentHomes/claude';
import { claudeStreamParser } from '../../src/core/agents/streams/claude';
import type { AgentSignal } from '../../src/core/agents/streams';


interface ModuleJson {
  id: string;
  state: string;
  attempts: number;
  startedAt: string | null;
  finishedAt: string | null;
  branch: string;
  lastSummary: string | null;
  sessionId: string | null;
  usage: { turns?: number; inputTokens?: number; outputTokens?: number; costUsd?: number } | null;
  resumeAt: string | null;
}

/** A hung CLI fails the test instead of hanging it: the conductor is stopped after this long. */
const RUN_TIMEOUT_MS = 150_000;

function run(cwd: string, args: string[], env: Record<string, string>): Promise<BinResult> {
  return conductorBin(cwd, args, env, { timeoutMs: RUN_TIMEOUT_MS });
}

describe('claude preset (real Claude Code)', { skip: skipUnlessInstalled('claude') }, () => {
  let server: ModelServer;
  const repos: TempRepo[] = [];

  before(async () => {
    server = await startModelServer({});
  });
  after(async () => {
    await server?.close();
    repos.forEach((r) => r.cleanup());
  });

  /** A repository whose phase 1 has `modules` (name → dependencies), and the env of an isolated Claude Code. */
  async function setup(name: string, modules: Record<string, string[]>, config: Record<string, unknown>) {
    const files: Record<string, string> = { 'READY.md': readyMd([{ number: 1, name, modules: Object.keys(modules) }]) };
    for (const [m, deps] of Object.entries(modules)) files[`contracts/${m}.md`] = contractFor(m, deps);
    const repo = makeRepo(files);
    repos.push(repo);
    server.config = config;
    const home = mkdtempSync(path.join(repo.root, '..', 'home-'));
    const env = { ...(await prepareClaudeHome(home, server.url)), PATH: pathWithRealAgents() };
    const since = server.requests.length;
    return {
      repo,
      /** Claude Code's saved conversations (transcripts) in this run's HOME, deleted. */
      forgetTranscripts: (): number => {
        const projects = path.join(home, '.claude', 'projects');
        const files = readdirSync(projects, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.jsonl'));
        rmSync(projects, { recursive: true, force: true });
        return files.length;
      },
      conduct: (...extra: string[]) => run(repo.root, ['conduct', '1', '--agent', 'claude', ...extra], env),
      status: async (): Promise<Map<string, ModuleJson>> => {
        const r = await run(repo.root, ['status', '--json'], {});
        assert.equal(r.code, 0, r.stderr);
        const json = JSON.parse(r.stdout) as { phases: { modules: ModuleJson[] }[] };
        return new Map(json.phases[0].modules.map((m) => [m.id, m]));
      },
      /** What the phase's agents asked the server (after setup). */
      requests: () => server.requests.slice(since),
      /** The module's agent output (the engine's log), read by the claude preset's stream parser. */
      signals: (module: string): AgentSignal[] => {
        const parser = claudeStreamParser();
        const log = readFileSync(path.join(repo.root, `.conductor/logs/phase-1-${name.toLowerCase()}/${module}.log`), 'utf8');
        return log.split('\n').flatMap((l) => parser.line(l));
      },
      statusLines: (module: string): { status: string; summary: string }[] =>
        readFileSync(path.join(repo.root, `.conductor/status/phase-1-${name.toLowerCase()}/${module}.jsonl`), 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as { status: string; summary: string }),
    };
  }

  function assertAllAnswered(requests: ModelServer['requests']): void {
    assert.ok(requests.length > 0, 'Claude Code called the scripted model');
    const unanswered = requests.filter((r) => r.dialect !== 'anthropic' || r.status === 404 || r.status === 500);
    assert.deepEqual(unanswered, [], 'every request went to a route of the Anthropic dialect');
  }

  test('diligent: every module complete with the agent\'s own summary and commit, the dependent after its dependency', { timeout: RUN_TIMEOUT_MS + 30_000 }, async () => {
    const s = await setup('Shop', { catalog: [], cart: ['catalog'] }, { default: 'diligent' });
    const r = await s.conduct();
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const modules = await s.status();
    for (const m of ['catalog', 'cart']) {
      const rec = modules.get(m)!;
      assert.equal(rec.state, 'complete', `${m}: ${rec.lastSummary}`);
      assert.equal(rec.lastSummary, `${m} implemented by the scripted model`, 'the summary the agent gave the hook');
      assert.equal(rec.attempts, 1);
      assert.match(git(s.repo.root, 'show', `${rec.branch}:src/${m}.js`), new RegExp(`export const ${m} =`));
      assert.equal(git(s.repo.root, 'log', '-1', '--format=%s', rec.branch).trim(), `${m}: implement (attempt 1)`);
      // The only completion is the agent's own (the Stop hook may add a "progress" line, if the
      // engine, done with the module, has not stopped Claude Code before its turn ended).
      const lines = s.statusLines(m);
      assert.deepEqual(lines.filter((l) => l.status === 'complete').map((l) => l.summary), [`${m} implemented by the scripted model`]);
      assert.equal(lines[0].status, 'complete');
      // The engine's log holds Claude Code's event stream: the session and at least the running usage
      // totals up to the hook call (the engine stops Claude Code once the module is complete, which
      // may be before its final answer and the result line with the cost).
      const signals = s.signals(m);
      const session = signals.filter((x) => x.kind === 'session');
      assert.equal(session.length, 1);
      const usage = signals.filter((x) => x.kind === 'usage').at(-1);
      assert.ok(usage && (usage.turns ?? 0) >= 3 && (usage.inputTokens ?? 0) > 0, JSON.stringify(usage));
      // …which the engine applied to the module record.
      assert.equal(rec.sessionId, session[0].kind === 'session' ? session[0].sessionId : null);
      assert.ok((rec.usage?.turns ?? 0) >= 3 && (rec.usage?.inputTokens ?? 0) > 0, JSON.stringify(rec.usage));
    }
    const catalog = modules.get('catalog')!;
    const cart = modules.get('cart')!;
    assert.ok(cart.startedAt! >= catalog.finishedAt!, `cart started ${cart.startedAt}, catalog finished ${catalog.finishedAt}`);
    assertAllAnswered(s.requests());
  });

  test('fail: the agent\'s failure report fails the module and blocks its dependent; a turn ending cannot complete it', { timeout: RUN_TIMEOUT_MS + 30_000 }, async () => {
    const s = await setup('Pay', { pay: [], ship: ['pay'] }, { default: 'diligent', modules: { pay: 'fail' } });
    const r = await s.conduct('--retries', '0');
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const modules = await s.status();
    assert.equal(modules.get('pay')!.state, 'failed');
    assert.match(modules.get('pay')!.lastSummary ?? '', /^pay: the scripted model could not finish/);
    assert.equal(modules.get('ship')!.state, 'blocked');
    // The agent's report first; the Stop hook's turn end (when it ran before the engine stopped
    // Claude Code) only ever says progress.
    const lines = s.statusLines('pay');
    assert.equal(lines[0].status, 'failed');
    assert.deepEqual(lines.slice(1).map((l) => l.status).filter((x) => x !== 'progress'), []);
    assertAllAnswered(s.requests());
  });

  test('silent: an agent that never reports ends complete only by the proof of its commit; its turn end was progress', { timeout: RUN_TIMEOUT_MS + 30_000 }, async () => {
    const s = await setup('Mute', { mute: [] }, { default: 'silent' });
    const r = await s.conduct('--retries', '0');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const rec = (await s.status()).get('mute')!;
    assert.equal(rec.state, 'complete', `${rec.lastSummary}`);
    assert.match(git(s.repo.root, 'show', `${rec.branch}:src/mute.js`), /export const mute =/);
    // Nobody said "complete": the Stop hook's line is progress; the engine completed it on the clean exit with a commit.
    assert.deepEqual(s.statusLines('mute').map((l) => [l.status, l.summary]), [
      ['progress', 'Claude Code ended its turn: Done: mute implemented by the scripted model.'],
    ]);
    assertAllAnswered(s.requests());
  });

  test('deny: a command the preset does not allow is denied (and said so in the stream); the agent goes on', { timeout: RUN_TIMEOUT_MS + 30_000 }, async () => {
    const s = await setup('Push', { docs: [] }, { default: 'deny' });
    const r = await s.conduct();
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal((await s.status()).get('docs')!.state, 'complete');
    const denied = s.signals('docs').filter((x) => x.kind === 'denied');
    assert.deepEqual(denied, [{ kind: 'denied', tool: 'Bash', command: 'git push origin HEAD' }]);
    assert.match(r.stdout + r.stderr, /docs: the agent tried to run `git push origin HEAD` and was denied/);
    assertAllAnswered(s.requests());
  });

  test('a session that cannot be resumed (its transcript gone) costs one retry: the next attempt starts a new session and completes', { timeout: 2 * RUN_TIMEOUT_MS + 30_000 }, async () => {
    const s = await setup('Lost', { lost: [] }, { modules: { 'lost#1': 'fail', 'lost#3': 'diligent' } });
    const first = await s.conduct('--retries', '0');
    assert.notEqual(first.code, 0, first.stdout + first.stderr);
    const failed = (await s.status()).get('lost')!;
    assert.equal(failed.state, 'failed');
    assert.ok(failed.sessionId, 'attempt 1 recorded its session');
    assert.ok(s.forgetTranscripts() > 0, 'Claude Code had saved the conversation');

    // Conducting again: attempt 2 resumes the lost session and dies; attempt 3 starts afresh.
    const second = await s.conduct('--retries', '1');
    assert.equal(second.code, 0, second.stdout + second.stderr);
    const rec = (await s.status()).get('lost')!;
    assert.deepEqual([rec.state, rec.attempts], ['complete', 3], `${rec.lastSummary}`);
    assert.notEqual(rec.sessionId, failed.sessionId, 'attempt 3 has a session of its own');
    assert.match(second.stdout, new RegExp(`its session ${failed.sessionId} could not be resumed`));
  });

  test('usage limit: a 429 with the reset time pauses the module; at that time it resumes the same session and completes', { timeout: RUN_TIMEOUT_MS + 30_000 }, async () => {
    // The reset comes soon enough for a test, late enough that Claude Code's first request meets the
    // limit; retry-after says an hour, as for a real usage limit, so Claude Code gives up at once
    // (with retry-after up to 20 s it waits and retries by itself, from 61 s it does not).
    const untilMs = (Math.floor(Date.now() / 1000) + 12) * 1000;
    const s = await setup('Quota', { quota: [] }, { default: 'diligent', rateLimit: { modules: ['quota'], untilMs, retryAfterSeconds: 3600 } });
    const r = await s.conduct('--retries', '0');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const resetAt = new Date(untilMs).toISOString();
    assert.match(r.stdout, new RegExp(`quota: paused by a usage limit until ${resetAt.replace(/\./g, '\\.')}`));
    assert.ok(Date.now() >= untilMs, 'it waited for the reset');

    const limited = s.requests().filter((x) => x.status === 429);
    assert.equal(limited.length, 1, 'Claude Code does not retry a usage-limit 429 (anthropic-ratelimit-unified-status: rejected)');
    const signals = s.signals('quota');
    assert.deepEqual(
      signals.filter((x) => x.kind === 'usage-limit').map((x) => x.kind === 'usage-limit' && x.resetAt),
      [resetAt],
    );
    assert.deepEqual(signals.filter((x) => x.kind === 'error'), []);
    // Both attempts are one Claude Code session: the second ran with --resume.
    const sessions = new Set(signals.filter((x) => x.kind === 'session').map((x) => x.kind === 'session' && x.sessionId));
    assert.equal(sessions.size, 1, [...sessions].join(', '));

    const rec = (await s.status()).get('quota')!;
    assert.equal(rec.state, 'complete', `${rec.lastSummary}`);
    assert.equal(rec.attempts, 2);
    assert.match(git(s.repo.root, 'log', '-1', '--format=%s', rec.branch), /^quota: implement \(attempt 2\)/);
    assertAllAnswered(s.requests().filter((x) => x.status !== 429));
  });
});
