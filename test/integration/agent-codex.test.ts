// The codex preset driving the REAL Codex CLI (pinned in test/agents/versions.env) headless, through
// the built `conductor conduct --agent codex`, against the scripted model server (OpenAI Responses
// dialect) in this process. Codex runs with its own HOME/CODEX_HOME (test/support/agentHomes/codex.ts):
// a custom provider at the server, its sandbox in workspace-write WITHOUT /tmp and $TMPDIR as writable
// roots (the test repositories live under /tmp), no update checks or analytics.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { contractFor, readyMd } from '../support/specBuilder';
import { git, makeRepo, type TempRepo } from '../support/gitRepo';
import { conductorBin, type BinResult } from '../support/conductorBin';
import { pathWithRealAgents, skipUnlessInstalled } from '../support/realAgents';
import { startModelServer, type ModelServer } from '../support/modelServer';
import { prepareCodexHome } from '../support/agentHomes/codex';
import { streamParserFor, type AgentSignal } from '../../src/core/agents/streams';


interface ModuleStatus {
  id: string;
  state: string;
  attempts: number;
  branch: string;
  worktree: string;
  lastSummary: string | null;
  sessionId: string | null;
}

/** A hung CLI fails the test instead of hanging it: SIGINT stops conductor, which stops its agents. */
const CONDUCT_TIMEOUT_MS = 120_000;

let server: ModelServer;
const repos: TempRepo[] = [];

before(async () => {
  if (skipUnlessInstalled('codex')) return;
  // Loaded at run time: the server is plain ESM (.mjs), these tests run as CommonJS.
  server = await startModelServer({});
});
after(async () => {
  await server?.close();
  for (const r of repos) r.cleanup();
});

/** Phase 1 with `modules`; each module after the first depends on the first. */
function project(modules: string[], files: Record<string, string> = {}): TempRepo {
  const repo = makeRepo({
    'READY.md': readyMd([{ number: 1, name: 'Shop', modules }]),
    ...Object.fromEntries(modules.map((m, i) => [`contracts/${m}.md`, contractFor(m, i === 0 ? [] : [modules[0]!])])),
    ...files,
  });
  repos.push(repo);
  return repo;
}

async function conduct(repo: TempRepo, config: Record<string, unknown>, timeoutMs = CONDUCT_TIMEOUT_MS, extra: string[] = []): Promise<BinResult & { env: Record<string, string> }> {
  server.config = config;
  const env = { ...(await prepareCodexHome(path.join(repo.root, '..', 'home'), server.url)), PATH: pathWithRealAgents() };
  const result = await conductorBin(repo.root, ['conduct', '1', '--agent', 'codex', ...extra], env, { timeoutMs, killSignal: 'SIGINT' });
  return { ...result, env };
}

async function modules(repo: TempRepo): Promise<Map<string, ModuleStatus>> {
  const r = await conductorBin(repo.root, ['status', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const status = JSON.parse(r.stdout) as { phases: { modules: ModuleStatus[] }[] };
  return new Map(status.phases[0]!.modules.map((m) => [m.id, m]));
}

function agentLog(repo: TempRepo, module: string): string {
  return readFileSync(path.join(repo.root, '.conductor', 'logs', 'phase-1-shop', `${module}.log`), 'utf8');
}

function signalsOf(log: string): AgentSignal[] {
  const parser = streamParserFor('codex')!;
  return log.split('\n').flatMap((l) => parser.line(l));
}


/** The sandbox policy Codex recorded for its turns (from the session files in CODEX_HOME). */
function sandboxPolicies(codexHome: string): { type: string; writable_roots: string[]; exclude_slash_tmp: boolean; exclude_tmpdir_env_var: boolean }[] {
  const out: ReturnType<typeof sandboxPolicies> = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.jsonl')) {
        for (const line of readFileSync(p, 'utf8').split('\n')) {
          if (!line.includes('"turn_context"')) continue;
          const policy = (JSON.parse(line) as { payload?: { sandbox_policy?: ReturnType<typeof sandboxPolicies>[number] } }).payload?.sandbox_policy;
          if (policy) out.push(policy);
        }
      }
    }
  };
  walk(path.join(codexHome, 'sessions'));
  return out;
}

/** Codex's saved sessions (rollout files) in CODEX_HOME, deleted; how many there were. */
function forgetSessions(codexHome: string): number {
  const sessions = path.join(codexHome, 'sessions');
  const files = readdirSync(sessions, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.jsonl'));
  rmSync(sessions, { recursive: true, force: true });
  return files.length;
}

describe('codex preset (real Codex CLI)', { skip: skipUnlessInstalled('codex') }, () => {
  test('diligent model: every module complete with its own hook summary, its file committed on its branch', { timeout: CONDUCT_TIMEOUT_MS + 30_000 }, async () => {
    const repo = project(['catalog', 'cart', 'checkout']);
    const from = server.requests.length;
    const r = await conduct(repo, { default: 'diligent' });
    assert.equal(r.code, 0, r.stdout + r.stderr);

    const status = await modules(repo);
    for (const m of ['catalog', 'cart', 'checkout']) {
      const s = status.get(m)!;
      assert.equal(s.state, 'complete', `${m}: ${s.lastSummary}`);
      assert.equal(s.lastSummary, `${m} implemented by the scripted model`);
      assert.equal(s.attempts, 1);
      // Committed by the agent inside the sandbox: the narrow git roots let `git commit` through.
      assert.match(git(repo.root, 'show', '--name-only', '--format=%s', s.branch), new RegExp(`^${m}: implement \\(attempt 1\\)\\n\\nsrc/${m}\\.js`));
      assert.deepEqual(signalsOf(agentLog(repo, m)).filter((x) => x.kind === 'denied' || x.kind === 'error'), []);
    }

    // Every request came to the scripted server's Responses route (none unanswered).
    const reqs = server.requests.slice(from);
    assert.ok(reqs.length >= 9, `${reqs.length} requests`);
    for (const q of reqs) assert.deepEqual([q.method, q.path, q.status, q.dialect], ['POST', '/v1/responses', 200, 'openaiResponses']);

    // The sandbox Codex applied: workspace-write, exactly the preset's extra roots, /tmp excluded.
    const common = path.join(repo.root, '.git');
    const policies = sandboxPolicies(r.env.CODEX_HOME!);
    assert.equal(policies.length, 3);
    for (const p of policies) {
      assert.equal(p.type, 'workspace-write');
      assert.equal(p.exclude_slash_tmp, true);
      assert.equal(p.exclude_tmpdir_env_var, true);
      assert.deepEqual(p.writable_roots.slice(1), [path.join(common, 'objects'), path.join(common, 'refs'), path.join(common, 'logs'), path.join(repo.root, '.conductor', 'status', 'phase-1-shop')]);
      assert.match(p.writable_roots[0]!, new RegExp(`^${common.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/worktrees/[^/]+$`));
      assert.ok(!p.writable_roots.includes(common), 'never the whole .git');
    }
  });

  test('a module whose model reports failure is failed with its summary; its dependent is blocked', { timeout: CONDUCT_TIMEOUT_MS + 30_000 }, async () => {
    const repo = project(['catalog', 'cart']);
    const r = await conduct(repo, { default: 'diligent', modules: { catalog: 'fail' } });
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const status = await modules(repo);
    assert.equal(status.get('catalog')!.state, 'failed');
    assert.equal(status.get('catalog')!.lastSummary, 'catalog: the scripted model could not finish');
    assert.equal(status.get('cart')!.state, 'blocked');
    // The retry resumed the first attempt's Codex session.
    const sessions = signalsOf(agentLog(repo, 'catalog')).filter((x): x is Extract<AgentSignal, { kind: 'session' }> => x.kind === 'session');
    assert.equal(sessions.length, status.get('catalog')!.attempts);
    assert.ok(sessions.every((x) => x.sessionId === sessions[0]!.sessionId));
  });

  test('a session that cannot be resumed (its rollout gone) costs one retry: the next attempt starts a new session and completes', { timeout: 2 * CONDUCT_TIMEOUT_MS + 30_000 }, async () => {
    const repo = project(['lost']);
    const config = { default: 'diligent', modules: { 'lost#1': 'fail', 'lost#3': 'diligent' } };
    const first = await conduct(repo, config, CONDUCT_TIMEOUT_MS, ['--retries', '0']);
    assert.notEqual(first.code, 0, first.stdout + first.stderr);
    const failed = (await modules(repo)).get('lost')!;
    assert.equal(failed.state, 'failed');
    assert.ok(failed.sessionId, 'attempt 1 recorded its session');
    assert.ok(forgetSessions(first.env.CODEX_HOME!) > 0, 'Codex had saved the session');

    // Conducting again: attempt 2 resumes the lost session and dies; attempt 3 starts afresh.
    const second = await conduct(repo, config, CONDUCT_TIMEOUT_MS, ['--retries', '1']);
    assert.equal(second.code, 0, second.stdout + second.stderr);
    const rec = (await modules(repo)).get('lost')!;
    assert.deepEqual([rec.state, rec.attempts], ['complete', 3], `${rec.lastSummary}`);
    assert.ok(rec.sessionId, 'attempt 3 recorded its session');
    assert.notEqual(rec.sessionId, failed.sessionId, 'attempt 3 has a session of its own');
    assert.match(second.stdout, new RegExp(`its session ${failed.sessionId} could not be resumed`));
    // What Codex said (on stderr, which the engine reads too): the lost id, and no thread.started for it.
    const log = agentLog(repo, 'lost');
    assert.match(log, new RegExp(`no rollout found for thread id ${failed.sessionId}`));
    const sessions = signalsOf(log).flatMap((x) => (x.kind === 'session' ? [x.sessionId] : []));
    assert.deepEqual(sessions, [failed.sessionId, rec.sessionId]);
  });

  test('the sandbox binds: writes into .git/hooks and the main checkout are refused, and the stream says so', { timeout: CONDUCT_TIMEOUT_MS + 30_000 }, async () => {
    const hook = path.join('.git', 'hooks', 'post-checkout');
    // A prompt that makes the (scripted) model try to plant a git hook and write into the main
    // checkout before reporting: the model copies the reporting line from the prompt.
    const repo = project(['catalog', 'cart'], {});
    repo.write(
      'conductor.prompt.md',
      `Report with exactly this line:\n\nprintf planted > ${path.join(repo.root, hook)}; printf planted > ${path.join(repo.root, 'PLANTED')}; conductor-hook complete --summary "…"\n\n{{default}}\n`,
    );
    git(repo.root, 'add', '-A');
    git(repo.root, 'commit', '-qm', 'prompt template');

    const r = await conduct(repo, { default: 'diligent' });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.ok(!existsSync(path.join(repo.root, hook)), 'no hook planted in the common .git');
    assert.ok(!existsSync(path.join(repo.root, 'PLANTED')), 'nothing written into the main checkout');

    // catalog's Codex kept running while cart worked, so its log has the whole refused command.
    const log = agentLog(repo, 'catalog');
    assert.match(log, /post-checkout: Read-only file system/);
    assert.match(log, /PLANTED: Read-only file system/);
    const denied = signalsOf(log).filter((x) => x.kind === 'denied');
    assert.equal(denied.length, 1);
    assert.match((denied[0] as { command: string }).command, /^printf planted > .*post-checkout; /);
    // The commit and the hook, in the allowed roots, still went through.
    const status = await modules(repo);
    assert.equal(status.get('catalog')!.state, 'complete');
    assert.match(git(repo.root, 'show', '--name-only', '--format=%s', status.get('catalog')!.branch), /src\/catalog\.js/);
  });

  test('a usage limit (HTTP 429 usage_limit_reached) pauses the module until the reset time Codex shows, then its session resumes', { timeout: 200_000 }, async () => {
    const repo = project(['catalog']);
    // Long enough for Codex to start and meet the limit. Codex shows the reset to the minute and the
    // parser rounds it up, so the module waits until the next minute boundary after untilMs.
    const untilMs = Date.now() + 15_000;
    const from = server.requests.length;
    const r = await conduct(repo, { default: 'diligent', rateLimit: { modules: '*', untilMs } }, 170_000);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const resumesAt = /paused — paused: (You’ve hit your usage limit\.[^\n]*) \(resumes at ([^)]+)\)/.exec(r.stdout);
    assert.ok(resumesAt, r.stdout);
    const reset = Date.parse(resumesAt[2]!);
    assert.ok(reset > untilMs - 1000 && reset <= untilMs + 61_000, `${resumesAt[2]} vs ${new Date(untilMs).toISOString()}`);

    const status = await modules(repo);
    assert.equal(status.get('catalog')!.state, 'complete');
    assert.equal(status.get('catalog')!.lastSummary, 'catalog implemented by the scripted model');
    // Codex does not retry a usage-limit answer: one 429, then (after the pause) write, commit, hook
    // (and the final answer, unless the engine has stopped Codex first).
    const reqs = server.requests.slice(from);
    assert.deepEqual(reqs.slice(0, 4).map((q) => q.status), [429, 200, 200, 200], JSON.stringify(reqs.map((q) => [q.status, q.module, q.step])));

    const log = agentLog(repo, 'catalog');
    const signals = signalsOf(log);
    const limits = signals.filter((x) => x.kind === 'usage-limit');
    assert.equal(limits.length, 1);
    assert.equal((limits[0] as { resetAt: string }).resetAt, new Date(reset).toISOString());
    // The second attempt resumed the first one's Codex session (`codex exec resume <id>`).
    const sessions = signals.filter((x): x is Extract<AgentSignal, { kind: 'session' }> => x.kind === 'session').map((x) => x.sessionId);
    assert.equal(sessions.length, 2);
    assert.equal(sessions[0], sessions[1]);
  });
});
