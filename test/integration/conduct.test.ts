// `conductor conduct` end to end: real git worktrees, real agent processes (the scripted agent),
// real completion hooks and status files.
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { contractFor, readyMd } from '../support/specBuilder';
import { git, makeRepo, type TempRepo } from '../support/gitRepo';
import { conductorBin, SCRIPTED_AGENT, spawnConductor } from '../support/conductorBin';

interface LogLine {
  event: string;
  module: string;
  attempt: number;
  ts: number;
  pid: number;
  cwd: string;
  env: Record<string, string>;
}

const repos: TempRepo[] = [];
after(() => repos.forEach((r) => r.cleanup()));

/** Phase 1 with a, b, c (after a) and d (after b and c). */
function shop(extraReady: string[] = []): TempRepo {
  const repo = makeRepo({
    'READY.md': readyMd([{ number: 1, name: 'Shop', modules: ['a', 'b', 'c', 'd'], extra: extraReady }]),
    'contracts/a.md': contractFor('a'),
    'contracts/b.md': contractFor('b'),
    'contracts/c.md': contractFor('c', ['a']),
    'contracts/d.md': contractFor('d', ['b', 'c']),
  });
  repos.push(repo);
  return repo;
}

function agentEnv(repo: TempRepo, plan?: Record<string, unknown[]>): Record<string, string> {
  const env: Record<string, string> = { SCRIPTED_AGENT_LOG: path.join(repo.root, '..', 'agent-log.jsonl') };
  if (plan) {
    const file = path.join(repo.root, '..', 'agent-plan.json');
    writeFileSync(file, JSON.stringify(plan));
    env.SCRIPTED_AGENT_PLAN = file;
  }
  return env;
}

function agentLog(repo: TempRepo): LogLine[] {
  const file = path.join(repo.root, '..', 'agent-log.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

async function statusJson(repo: TempRepo): Promise<{ phases: { number: number; modules: { id: string; state: string; attempts: number; branch: string; worktree: string; lastSummary: string | null }[] }[] }> {
  const r = await conductorBin(repo.root, ['status', '--json']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

const conduct = (repo: TempRepo, env: Record<string, string>, ...args: string[]) =>
  conductorBin(repo.root, ['conduct', '1', '--agent', SCRIPTED_AGENT, ...args], env);

/**
 * Conducts again while an agent of the crashed run is held at a `waitForFile` step: the gate opens
 * once the new run has said `said` (or after a minute, and the test's assertion says what is missing).
 */
async function resumeHolding(repo: TempRepo, env: Record<string, string>, gate: string, said: RegExp): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const engine = spawnConductor(repo.root, ['conduct', '1', '--agent', SCRIPTED_AGENT], env);
  let stdout = '';
  let stderr = '';
  engine.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  engine.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((r) => engine.once('exit', (code) => r(code)));
  for (let i = 0; i < 1200 && !said.test(stdout); i++) await new Promise((r) => setTimeout(r, 50));
  writeFileSync(gate, '');
  const code = await exited;
  return { code, stdout, stderr };
}

describe('conduct', () => {
  test('runs every module in its own worktree and branch, in dependency waves', async () => {
    const repo = shop();
    const r = await conduct(repo, agentEnv(repo));
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /Phase 1 complete: 4 module\(s\)/);

    const log = agentLog(repo);
    const startOf = (m: string) => log.find((l) => l.event === 'start' && l.module === m)!;
    const endOf = (m: string) => log.find((l) => l.event === 'end' && l.module === m)!;
    assert.ok(startOf('c').ts >= endOf('a').ts, 'c starts after a is done');
    assert.ok(startOf('d').ts >= Math.max(endOf('b').ts, endOf('c').ts), 'd starts after b and c');

    const worktreeRoot = `${repo.root}.worktrees`;
    for (const m of ['a', 'b', 'c', 'd']) {
      const l = startOf(m);
      assert.equal(l.cwd, path.join(worktreeRoot, 'phase-1-shop', m));
      assert.equal(l.env.CONDUCTOR_MODULE, m);
      assert.equal(l.env.CONDUCTOR_PHASE, 'phase-1-shop');
      assert.equal(l.env.CONDUCTOR_ATTEMPT, '1');
      assert.equal(l.env.CONDUCTOR_STATUS_FILE, path.join(repo.root, '.conductor/status/phase-1-shop', `${m}.jsonl`));
      assert.ok(readFileSync(l.env.CONDUCTOR_PROMPT_FILE, 'utf8').includes(`module \`${m}\``));
    }
    // d starts from a commit with the work of its dependencies (b, and c which has a).
    const files = git(path.join(worktreeRoot, 'phase-1-shop', 'd'), 'ls-files');
    for (const f of ['a.txt', 'b.txt', 'c.txt', 'd.txt']) assert.match(files, new RegExp(`^${f}$`, 'm'));

    const status = await statusJson(repo);
    assert.deepEqual(status.phases[0].modules.map((m) => [m.id, m.state, m.attempts, m.branch]), [
      ['a', 'complete', 1, 'conductor/phase-1-shop/a'],
      ['b', 'complete', 1, 'conductor/phase-1-shop/b'],
      ['c', 'complete', 1, 'conductor/phase-1-shop/c'],
      ['d', 'complete', 1, 'conductor/phase-1-shop/d'],
    ]);
    // The engine's files are excluded locally, and the user's checkout is untouched.
    assert.equal(git(repo.root, 'status', '--porcelain'), '');
    assert.match(readFileSync(path.join(repo.root, '.git/info/exclude'), 'utf8'), /^\/\.conductor\/$/m);
    assert.equal(git(repo.root, 'rev-parse', '--abbrev-ref', 'HEAD').trim(), 'main');
  });

  test('never runs more agents than --max-parallel', async () => {
    const repo = makeRepo({ 'READY.md': readyMd([{ number: 1, name: 'Wide', modules: ['m1', 'm2', 'm3', 'm4', 'm5', 'm6'] }]) });
    repos.push(repo);
    const steps = [{ sleep: 400 }, { write: 'x.txt', content: 'x' }, { commit: 'x' }, { report: 'complete', summary: 'ok' }];
    const r = await conduct(repo, agentEnv(repo, { '*': steps }), '--max-parallel', '2');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const events = agentLog(repo)
      .filter((l) => l.event === 'start' || l.event === 'end')
      .sort((x, y) => x.ts - y.ts);
    let running = 0;
    let peak = 0;
    for (const e of events) {
      running += e.event === 'start' ? 1 : -1;
      peak = Math.max(peak, running);
    }
    assert.equal(peak, 2);
  });

  test('retries a failed module with the previous summary in its prompt', async () => {
    const repo = shop();
    const r = await conduct(repo, agentEnv(repo, { 'a#1': [{ report: 'failed', summary: 'tests did not pass: 3 failures' }, { exit: 1 }] }));
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const starts = agentLog(repo).filter((l) => l.event === 'start' && l.module === 'a');
    assert.deepEqual(starts.map((s) => s.attempt), [1, 2]);
    assert.equal(starts[0].cwd, starts[1].cwd, 'the retry runs in the same worktree');
    const prompt = readFileSync(starts[1].env.CONDUCTOR_PROMPT_FILE, 'utf8');
    assert.match(prompt, /tests did not pass: 3 failures/);
    const a = (await statusJson(repo)).phases[0].modules[0];
    assert.deepEqual([a.state, a.attempts], ['complete', 2]);
  });

  test('a module that fails for good blocks its dependents; the rest goes on', async () => {
    const repo = shop();
    const r = await conduct(repo, agentEnv(repo, { a: [{ exit: 3 }] }), '--retries', '1');
    assert.equal(r.code, 1);
    const states = Object.fromEntries((await statusJson(repo)).phases[0].modules.map((m) => [m.id, [m.state, m.lastSummary]]));
    assert.deepEqual(states.a, ['failed', 'exited with code 3 without reporting']);
    assert.equal(states.b[0], 'complete');
    assert.deepEqual(states.c, ['blocked', 'blocked by a']);
    assert.deepEqual(states.d, ['blocked', 'blocked by c']);
    assert.equal(agentLog(repo).filter((l) => l.module === 'a' && l.event === 'start').length, 2);
  });

  test('complete without commits or expected files is complete-unverified', async () => {
    const repo = makeRepo({ 'READY.md': readyMd([{ number: 1, name: 'Lazy', modules: ['idle'] }]) });
    repos.push(repo);
    const r = await conduct(repo, agentEnv(repo, { idle: [{ report: 'complete', summary: 'all done, trust me' }] }));
    assert.equal(r.code, 1);
    const m = (await statusJson(repo)).phases[0].modules[0];
    assert.equal(m.state, 'complete-unverified');
    assert.match(m.lastSummary ?? '', /no commits beyond its base/);
  });

  test('an agent that writes its own status file before any hook has run can: the folder is there', async () => {
    const repo = makeRepo({ 'READY.md': readyMd([{ number: 1, name: 'Own', modules: ['solo'] }]) });
    repos.push(repo);
    // The line is made before the run starts: with its attempt number it counts, without one it would be too old.
    const line = JSON.stringify({ status: 'complete', ts: new Date().toISOString(), attempt: 1, summary: 'written by the agent itself', token: '{{token}}' });
    const r = await conduct(repo, agentEnv(repo, { solo: [{ write: 'solo.txt', content: 'solo' }, { commit: 'solo' }, { appendStatus: line }] }));
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const m = (await statusJson(repo)).phases[0].modules[0];
    assert.deepEqual([m.state, m.lastSummary], ['complete', 'written by the agent itself']);
  });

  test('status lines are believed only with the attempt\'s own token: one agent cannot complete or fail another', async () => {
    const repo = makeRepo({ 'READY.md': readyMd([{ number: 1, name: 'Trust', modules: ['a', 'b'] }]) });
    repos.push(repo);
    const forged = (status: string, token: string): string => JSON.stringify({ status, ts: new Date().toISOString(), summary: `forged ${status}`, token });
    const r = await conduct(
      repo,
      agentEnv(repo, {
        // a forges a failure into b's file with its own token, and a line with no token into its own.
        a: [{ appendStatus: forged('failed', '{{token}}'), file: 'b.jsonl' }, { appendStatus: forged('complete', '') }, { sleep: 300 }, { write: 'a.txt', content: 'a' }, { commit: 'a' }, { report: 'complete', summary: 'a, for real' }],
        b: [{ sleep: 1500 }, { write: 'b.txt', content: 'b' }, { commit: 'b' }, { report: 'complete', summary: 'b, for real' }],
      }),
    );
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout + r.stderr, /b\.jsonl:1: status line for b rejected: its token is not the one of b's attempt 1/);
    assert.match(r.stdout + r.stderr, /a\.jsonl:1: status line for a rejected: it carries no token/);
    const byId = new Map((await statusJson(repo)).phases[0].modules.map((m) => [m.id, m]));
    assert.deepEqual([byId.get('a')!.state, byId.get('a')!.lastSummary], ['complete', 'a, for real']);
    assert.deepEqual([byId.get('b')!.state, byId.get('b')!.lastSummary], ['complete', 'b, for real']);
  });

  test('the hook refuses to write through a status file replaced by a symlink', async () => {
    const repo = makeRepo({ 'READY.md': readyMd([{ number: 1, name: 'Link', modules: ['a'] }]) });
    repos.push(repo);
    const elsewhere = path.join(repo.root, '..', 'elsewhere.jsonl');
    const agent = `ln -sf ${elsewhere} "$CONDUCTOR_STATUS_FILE"; conductor-hook complete --summary sneaky; echo "hook exit $?"; rm -f "$CONDUCTOR_STATUS_FILE"; git commit -q --allow-empty -m a && conductor-hook complete --summary honest`;
    const r = await conductorBin(repo.root, ['conduct', '1', '--agent', agent]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(existsSync(elsewhere), false, 'nothing was written through the link');
    assert.match(readFileSync(path.join(repo.root, '.conductor/logs/phase-1-link/a.log'), 'utf8'), /hook exit 1/);
    assert.equal((await statusJson(repo)).phases[0].modules[0].lastSummary, 'honest');
  });

  test('garbage status lines are reported with file and line and skipped', async () => {
    const repo = shop();
    const r = await conduct(
      repo,
      agentEnv(repo, {
        b: [{ appendStatus: '{"status": "complete", oops' }, { appendStatus: 'not json at all' }, { write: 'b.txt', content: 'b' }, { commit: 'b' }, { report: 'complete', summary: 'b done' }],
      }),
    );
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /\.conductor\/status\/phase-1-shop\/b\.jsonl:1: /);
    assert.match(r.stdout, /\.conductor\/status\/phase-1-shop\/b\.jsonl:2: /);
  });

  test('refuses to start on a dirty checkout unless --allow-dirty', async () => {
    const repo = shop();
    repo.write('notes.txt', 'uncommitted');
    const refused = await conduct(repo, agentEnv(repo));
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /uncommitted changes \(notes\.txt\)/);
    assert.equal(agentLog(repo).length, 0);
    assert.equal(git(repo.root, 'branch', '--list', 'conductor/*'), '');
    const allowed = await conduct(repo, agentEnv(repo), '--allow-dirty');
    assert.equal(allowed.code, 0, allowed.stderr);
    assert.equal(readFileSync(path.join(repo.root, 'notes.txt'), 'utf8'), 'uncommitted', 'the user\'s work is untouched');
  });

  test('a "Gate: manual" phase starts only with --approve', async () => {
    const repo = shop(['**Gate:** manual']);
    const refused = await conduct(repo, agentEnv(repo));
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /Gate: manual.*--approve/);
    const approved = await conduct(repo, agentEnv(repo), '--approve');
    assert.equal(approved.code, 0, approved.stderr);
  });

  test('an agent writing into the user\'s checkout is flagged', async () => {
    const repo = makeRepo({ 'READY.md': readyMd([{ number: 1, name: 'Leak', modules: ['leaky'] }]) }, 'leakrepo');
    repos.push(repo);
    const outside = path.relative(`${repo.root}.worktrees/phase-1-leak/leaky`, path.join(repo.root, 'leaked.txt'));
    const r = await conduct(repo, agentEnv(repo, { leaky: [{ writeOutside: outside, content: 'oops' }, { write: 'in.txt', content: 'in' }, { commit: 'in' }, { report: 'complete', summary: 'done' }] }));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /leaky: files appeared in your checkout, outside any worktree, while it ran: leaked\.txt/);
    assert.match((await statusJson(repo)).phases[0].modules[0].lastSummary ?? '', /leaked\.txt/);
  });

  test('hostile spec text reaches the prompt verbatim and is never executed', async () => {
    const marker = path.join(tmpdir(), `conductor-pwned-${process.pid}`);
    const hostile = `- Handle "quotes", 'single', \`touch ${marker}\`, $(touch ${marker}) and \\n escapes`;
    const repo = makeRepo({ 'READY.md': readyMd([{ number: 1, name: 'Hostile', modules: ['safe'], extra: ['', '#### Module: safe', hostile] }]) });
    repos.push(repo);
    const r = await conduct(repo, agentEnv(repo));
    assert.equal(r.code, 0, r.stderr);
    assert.equal(existsSync(marker), false, 'nothing from the spec ran');
    const prompt = readFileSync(path.join(repo.root, '.conductor/prompts/phase-1-hostile/safe.md'), 'utf8');
    assert.ok(prompt.includes(hostile.slice(2)), 'the goal is in the prompt as written');
  });

  test('hostile module names are refused before anything is created', async () => {
    const repo = makeRepo({ 'READY.md': readyMd([{ number: 1, name: 'Names', modules: ['ok', '$(id)', '../etc', 'a"b'] }]) });
    repos.push(repo);
    const r = await conduct(repo, agentEnv(repo));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /errors in its spec/);
    assert.match(r.stderr, /READY\.md:\d+:\d+: error invalid-module-name: Module name "\$\(id\)"/);
    assert.equal(git(repo.root, 'branch', '--list', 'conductor/*'), '');
    assert.equal(existsSync(`${repo.root}.worktrees`), false);
  });

  test('an agent that reports and exits at once is complete at its first attempt (exit never outruns the report)', async () => {
    const ids = Array.from({ length: 12 }, (_, i) => `q${i + 1}`);
    const repo = makeRepo({ 'READY.md': readyMd([{ number: 1, name: 'Quick', modules: ids }]) });
    repos.push(repo);
    const r = await conduct(repo, agentEnv(repo), '--max-parallel', '12', '--quiet');
    assert.equal(r.code, 0, r.stderr);
    const modules = (await statusJson(repo)).phases[0].modules;
    assert.deepEqual(modules.map((m) => m.attempts), ids.map(() => 1));
  });

  test('50 agents reporting at once: no status is lost', async () => {
    const ids = Array.from({ length: 50 }, (_, i) => `m${i + 1}`);
    const repo = makeRepo({ 'READY.md': readyMd([{ number: 1, name: 'Crowd', modules: ids }]) });
    repos.push(repo);
    const steps = [
      ...Array.from({ length: 5 }, (_, i) => ({ report: 'progress', summary: `step ${i}` })),
      { write: 'w.txt', content: 'w' },
      { commit: 'w' },
      { report: 'complete', summary: 'crowd done' },
    ];
    const r = await conduct(repo, agentEnv(repo, { '*': steps }), '--max-parallel', '50', '--quiet');
    assert.equal(r.code, 0, r.stderr);
    const modules = (await statusJson(repo)).phases[0].modules;
    assert.equal(modules.filter((m) => m.state === 'complete' && m.lastSummary === 'crowd done').length, 50);
    for (const id of ids) {
      const lines = readFileSync(path.join(repo.root, '.conductor/status/phase-1-crowd', `${id}.jsonl`), 'utf8').trim().split('\n');
      assert.equal(lines.length, 6, id);
    }
  });

  test('killed mid-run, it resumes: completed modules kept, interrupted ones restarted, nothing duplicated', async () => {
    const repo = shop();
    const env = agentEnv(repo, {
      'a#1': [{ write: 'a.txt', content: 'a' }, { commit: 'a' }, { report: 'complete', summary: 'a done' }],
      'b#1': [{ hang: true }],
      '*': [{ write: 'x.txt', content: 'x' }, { commit: 'x' }, { report: 'complete', summary: 'done' }],
    });
    const engine = spawnConductor(repo.root, ['conduct', '1', '--agent', SCRIPTED_AGENT], env);
    // Wait until a is complete and b is hanging, then kill the engine and its agents without warning.
    for (let i = 0; i < 200; i++) {
      const log = agentLog(repo);
      if (log.some((l) => l.module === 'a' && l.event === 'end') && log.some((l) => l.module === 'b' && l.event === 'start')) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    engine.kill('SIGKILL');
    await new Promise((r) => engine.once('exit', r));
    // The agents lead their own process groups (they survive the engine); kill them too, as a reboot would.
    const recorded = JSON.parse(readFileSync(path.join(repo.root, '.conductor/state.json'), 'utf8'));
    for (const m of recorded.phases['phase-1-shop'].modules) {
      if (m.pid) {
        try {
          process.kill(-m.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }

    const resumed = await conduct(repo, env);
    assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
    assert.match(resumed.stdout, /Resuming phase 1/);
    const modules = (await statusJson(repo)).phases[0].modules;
    assert.deepEqual(modules.map((m) => [m.id, m.state]), [
      ['a', 'complete'],
      ['b', 'complete'],
      ['c', 'complete'],
      ['d', 'complete'],
    ]);
    const starts = agentLog(repo).filter((l) => l.event === 'start');
    assert.equal(starts.filter((l) => l.module === 'a').length, 1, 'a was not run again');
    assert.deepEqual(starts.filter((l) => l.module === 'b').map((l) => l.attempt), [1, 2], 'b restarted as attempt 2');
    assert.equal(git(repo.root, 'worktree', 'list').trim().split('\n').length, 5, 'one worktree per module, no duplicates');
    assert.equal(git(repo.root, 'branch', '--list', 'conductor/*').trim().split('\n').length, 4);
  });

  test('after an engine crash, agents still working are followed, not started twice', async () => {
    const repo = shop();
    const gate = path.join(repo.root, '..', 'let-b-finish');
    const env = agentEnv(repo, {
      'b#1': [{ waitForFile: gate }, { write: 'b.txt', content: 'b' }, { commit: 'b' }, { report: 'complete', summary: 'b finished alone' }],
    });
    const engine = spawnConductor(repo.root, ['conduct', '1', '--agent', SCRIPTED_AGENT], env);
    for (let i = 0; i < 200 && !agentLog(repo).some((l) => l.module === 'b' && l.event === 'start'); i++) await new Promise((r) => setTimeout(r, 50));
    engine.kill('SIGKILL');
    await new Promise((r) => engine.once('exit', r));
    const following = /b: agent \(pid \d+\) from the previous run is still working; following it/;
    const resumed = await resumeHolding(repo, env, gate, following);
    assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
    assert.match(resumed.stdout, following);
    assert.equal(agentLog(repo).filter((l) => l.module === 'b' && l.event === 'start').length, 1);
    const b = (await statusJson(repo)).phases[0].modules.find((m) => m.id === 'b')!;
    assert.deepEqual([b.state, b.lastSummary], ['complete', 'b finished alone']);
  });

  test('an agent that prints all the time survives the engine\'s crash and is adopted (its output never went through the engine)', async () => {
    const repo = shop();
    const chatter = Array.from({ length: 20 }, (_, i) => [{ print: `b is working, step ${i}` }, { printErr: `b progress ${i}` }, { sleep: 100 }]).flat();
    const env = agentEnv(repo, {
      'b#1': [...chatter, { write: 'b.txt', content: 'b' }, { commit: 'b' }, { report: 'complete', summary: 'b printed and finished' }],
    });
    const engine = spawnConductor(repo.root, ['conduct', '1', '--agent', SCRIPTED_AGENT], env);
    for (let i = 0; i < 200 && !agentLog(repo).some((l) => l.module === 'b' && l.event === 'start'); i++) await new Promise((r) => setTimeout(r, 50));
    engine.kill('SIGKILL');
    await new Promise((r) => engine.once('exit', r));
    const resumed = await conduct(repo, env);
    assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
    assert.equal(agentLog(repo).filter((l) => l.module === 'b' && l.event === 'start').length, 1, 'not started twice');
    assert.ok(agentLog(repo).some((l) => l.module === 'b' && l.event === 'end'), 'the agent ran to its end');
    const b = (await statusJson(repo)).phases[0].modules.find((m) => m.id === 'b')!;
    assert.deepEqual([b.state, b.lastSummary], ['complete', 'b printed and finished']);
    const log = readFileSync(path.join(repo.root, '.conductor/logs/phase-1-shop/b.log'), 'utf8');
    assert.match(log, /b is working, step 19/, 'its output is in its log file');
    assert.match(log, /b progress 19/);
  });

  test('what an agent leaves running in the background ends with it: no commit lands after the module is verified', async () => {
    const repo = makeRepo({ 'READY.md': readyMd([{ number: 1, name: 'Late', modules: ['api'] }]) });
    repos.push(repo);
    const marker = path.join(repo.root, '..', 'late-ran');
    const agent = `(sleep 3; git commit -q --allow-empty -m late; touch ${marker}) & git commit -q --allow-empty -m work && conductor-hook complete --summary done`;
    const r = await conductorBin(repo.root, ['conduct', '1', '--agent', agent]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    await new Promise((res) => setTimeout(res, 4000));
    assert.equal(existsSync(marker), false, 'the background child was ended with the agent');
    assert.equal(git(repo.root, 'log', '--format=%s', 'conductor/phase-1-late/api').trim().split('\n')[0], 'work');
  });

  test('a commit that lands on a verified module\'s branch is reported when the phase ends', async () => {
    const repo = makeRepo({ 'READY.md': readyMd([{ number: 1, name: 'After', modules: ['api', 'web'] }]) });
    repos.push(repo);
    // api reports complete and keeps working in a new session (outside its group), committing once
    // api has been verified; web keeps the phase open until that commit has landed.
    const marker = path.join(repo.root, '..', 'late-landed');
    const state = path.join(repo.root, '.conductor', 'state.json');
    // A script of its own: the agent's command line is in state.json too, and must not match the wait.
    // api exits only once the job has left its process group (which ends with api), else the job
    // could be killed with the group before it got out. Every wait is bounded, so nothing hangs.
    const lateJob = path.join(repo.root, '..', 'late-job.sh');
    const detached = path.join(repo.root, '..', 'late-detached');
    writeFileSync(
      lateJob,
      `touch "${detached}"\ni=0\nuntil grep -q '"verifiedHead": "' "${state}" || [ $i -ge 600 ]; do sleep 0.1; i=$((i+1)); done\ngit commit -q --allow-empty -m late\ntouch "${marker}"\n`,
    );
    const agent = [
      'if [ "$CONDUCTOR_MODULE" = api ]; then',
      '  git commit -q --allow-empty -m work && conductor-hook complete --summary done',
      `  setsid sh ${lateJob} </dev/null >/dev/null 2>&1 &`,
      `  i=0; until [ -f "${detached}" ] || [ $i -ge 600 ]; do sleep 0.1; i=$((i+1)); done`,
      'else',
      `  i=0; until [ -f "${marker}" ] || [ $i -ge 600 ]; do sleep 0.1; i=$((i+1)); done`,
      '  git commit -q --allow-empty -m web && conductor-hook complete --summary web',
      'fi',
    ].join('\n');
    const r = await conductorBin(repo.root, ['conduct', '1', '--agent', agent]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout + r.stderr, /api: 1 commit\(s\) landed on conductor\/phase-1-after\/api after the module was verified/);
  });

  test('a crash between spawning an agent and recording its pid: the next run finds the agent by its launch id, never starts a second', async () => {
    const repo = shop();
    const gate = path.join(repo.root, '..', 'let-b-finish');
    const env = agentEnv(repo, {
      'b#1': [{ waitForFile: gate }, { write: 'b.txt', content: 'b' }, { commit: 'b' }, { report: 'complete', summary: 'b, the only b' }],
    });
    const engine = spawnConductor(repo.root, ['conduct', '1', '--agent', SCRIPTED_AGENT], env);
    for (let i = 0; i < 200 && !agentLog(repo).some((l) => l.module === 'b' && l.event === 'start'); i++) await new Promise((r) => setTimeout(r, 50));
    engine.kill('SIGKILL');
    await new Promise((r) => engine.once('exit', r));
    // The state a crash in that window leaves: the attempt saved with its launch id, no pid yet.
    const stateFile = path.join(repo.root, '.conductor/state.json');
    const state = JSON.parse(readFileSync(stateFile, 'utf8'));
    const b = state.phases['phase-1-shop'].modules.find((m: { id: string }) => m.id === 'b');
    assert.equal(b.state, 'running');
    assert.match(b.launchId ?? '', /-b-1-/, 'the launch id is saved with the attempt');
    b.pid = null;
    b.pidStart = null;
    writeFileSync(stateFile, JSON.stringify(state));
    const found = /b: found its agent \(pid \d+\), started just before the previous run stopped; following it/;
    const resumed = await resumeHolding(repo, env, gate, found);
    assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
    assert.match(resumed.stdout, found);
    assert.equal(agentLog(repo).filter((l) => l.module === 'b' && l.event === 'start').length, 1, 'no second agent for b');
    const rec = (await statusJson(repo)).phases[0].modules.find((m) => m.id === 'b')!;
    assert.deepEqual([rec.state, rec.lastSummary], ['complete', 'b, the only b']);
  });

  test('the next modules\' worktrees are made while agents run; stopped, those never started are removed, the rest kept', async () => {
    const repo = makeRepo({ 'READY.md': readyMd([{ number: 1, name: 'Wide', modules: ['m1', 'm2', 'm3'] }]) });
    repos.push(repo);
    const gate = path.join(repo.root, '..', 'gate');
    const engine = spawnConductor(repo.root, ['conduct', '1', '--agent', SCRIPTED_AGENT, '--max-parallel', '1'], agentEnv(repo, { '*': [{ waitForFile: gate }] }));
    const exited = new Promise<number | null>((r) => engine.once('exit', (code) => r(code)));
    const worktree = (m: string): string => path.join(`${repo.root}.worktrees`, 'phase-1-wide', m);
    for (let i = 0; i < 1200 && !(existsSync(path.join(worktree('m2'), 'READY.md')) && agentLog(repo).length > 0); i++) await new Promise((r) => setTimeout(r, 25));
    assert.deepEqual(agentLog(repo).filter((l) => l.event === 'start').map((l) => l.module), ['m1'], 'only m1 runs');
    assert.ok(existsSync(path.join(worktree('m2'), 'READY.md')), 'm2\'s worktree is made (and filled) while m1 runs');
    engine.kill('SIGINT');
    assert.notEqual(await exited, 0);
    writeFileSync(gate, '');
    assert.ok(existsSync(worktree('m1')), 'the worktree of the module that ran is kept');
    assert.equal(existsSync(worktree('m2')), false, 'the worktree made ahead for m2, which never started, is removed');
    assert.equal(git(repo.root, 'branch', '--list', 'conductor/phase-1-wide/m2').trim(), '', 'and its branch');
    assert.notEqual(git(repo.root, 'branch', '--list', 'conductor/phase-1-wide/m1').trim(), '');
    const modules = (await statusJson(repo)).phases[0].modules;
    assert.deepEqual(modules.map((m) => [m.id, m.state]), [['m1', 'interrupted'], ['m2', 'pending'], ['m3', 'pending']]);
  });

  test('Ctrl-C while agents are being prepared: none of them starts, and conduct exits', async () => {
    const repo = shop();
    const marker = path.join(repo.root, '..', 'setup-started');
    const engine = spawnConductor(repo.root, ['conduct', '1', '--agent', SCRIPTED_AGENT, '--setup', `touch ${marker}; sleep 2`], agentEnv(repo));
    const exited = new Promise<number | null>((r) => engine.once('exit', (code) => r(code)));
    for (let i = 0; i < 400 && !existsSync(marker); i++) await new Promise((r) => setTimeout(r, 25));
    engine.kill('SIGINT');
    const code = await exited;
    assert.notEqual(code, 0);
    assert.equal(agentLog(repo).filter((l) => l.event === 'start').length, 0, 'no agent started after the signal');
    const modules = (await statusJson(repo)).phases[0].modules;
    assert.ok(modules.every((m) => m.state === 'pending' || m.state === 'interrupted' || m.state === 'failed'), JSON.stringify(modules.map((m) => m.state)));
  });

  test('a second Ctrl-C kills the agents and exits at once', async () => {
    const repo = makeRepo({ 'READY.md': readyMd([{ number: 1, name: 'Stubborn', modules: ['api'] }]) });
    repos.push(repo);
    const pidFile = path.join(repo.root, '..', 'agent.pid');
    // Ignores SIGTERM, so the first Ctrl-C alone would wait out the stop grace.
    const engine = spawnConductor(repo.root, ['conduct', '1', '--agent', `trap '' TERM; echo $$ > ${pidFile}; while :; do sleep 1; done`]);
    const exited = new Promise<number | null>((r) => engine.once('exit', (code) => r(code)));
    for (let i = 0; i < 400 && !existsSync(pidFile); i++) await new Promise((r) => setTimeout(r, 25));
    const pid = Number(readFileSync(pidFile, 'utf8'));
    engine.kill('SIGINT');
    await new Promise((r) => setTimeout(r, 100));
    engine.kill('SIGINT');
    assert.equal(await exited, 130);
    let alive = true;
    for (let i = 0; i < 100 && alive; i++) {
      try {
        process.kill(pid, 0);
        await new Promise((r) => setTimeout(r, 20));
      } catch {
        alive = false;
      }
    }
    assert.equal(alive, false, 'the agent was killed');
  });

  test('new worktrees get the copied files and the setup command before the agent starts', async () => {
    const repo = makeRepo({ 'READY.md': readyMd([{ number: 1, name: 'Setup', modules: ['api'] }]), '.gitignore': '.env\n' });
    repos.push(repo);
    repo.write('.env', 'SECRET=1\n');
    const r = await conduct(
      repo,
      agentEnv(repo, { api: [{ write: 'ok.txt', content: 'ok' }, { commit: 'ok' }, { report: 'complete', summary: 'done' }] }),
      '--setup',
      'echo "setup ran for $CONDUCTOR_MODULE" > .setup-marker',
    );
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const wt = `${repo.root}.worktrees/phase-1-setup/api`;
    assert.equal(readFileSync(path.join(wt, '.env'), 'utf8'), 'SECRET=1\n');
    assert.equal(readFileSync(path.join(wt, '.setup-marker'), 'utf8'), 'setup ran for api\n');
    const start = agentLog(repo).find((l) => l.event === 'start')!;
    assert.ok(start, 'the agent ran after the setup');
  });

  test('a failing setup command fails the module instead of starting its agent', async () => {
    const repo = makeRepo({ 'READY.md': readyMd([{ number: 1, name: 'Broken', modules: ['api'] }]) });
    repos.push(repo);
    const r = await conduct(repo, agentEnv(repo), '--setup', 'exit 7', '--retries', '0');
    assert.equal(r.code, 1);
    assert.equal(agentLog(repo).length, 0);
    assert.match((await statusJson(repo)).phases[0].modules[0].lastSummary ?? '', /setup command exited with 7/);
  });

  test('the claude preset installs the completion hook in the worktree\'s Claude Code settings', async () => {
    const repo = makeRepo({ 'READY.md': readyMd([{ number: 1, name: 'Claude', modules: ['api'] }]) });
    repos.push(repo);
    const bin = path.join(repo.root, '..', 'fakebin');
    mkdirSync(bin);
    // A stand-in `claude`: records its argv, commits and reports like a real session would.
    writeFileSync(
      path.join(bin, 'claude'),
      `#!/bin/sh\nprintf '%s\\n' "$@" > "$CONDUCTOR_WORKTREE/../claude-args.txt"\ngit commit -q --allow-empty -m work && "$CONDUCTOR_HOOK" complete --summary "claude done"\n`,
      { mode: 0o755 },
    );
    const r = await conductorBin(repo.root, ['conduct', '1', '--agent', 'claude'], { PATH: `${bin}:${process.env.PATH}` });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const wt = `${repo.root}.worktrees/phase-1-claude/api`;
    const settings = JSON.parse(readFileSync(path.join(wt, '.claude/settings.local.json'), 'utf8'));
    assert.match(JSON.stringify(settings.hooks.Stop), /conductor-hook claude-event/);
    assert.doesNotMatch(JSON.stringify(settings), /complete/, 'a turn ending never reports completion');
    assert.equal(git(wt, 'status', '--porcelain'), '', 'the settings file is excluded, not committed');
    const args = readFileSync(path.join(wt, '..', 'claude-args.txt'), 'utf8');
    assert.match(args, /^-p$/m);
    assert.match(args, /module `api`/, 'the prompt arrived as an argument');
  });

  test('agents run the completion hook by its plain name, conductor-hook, on their PATH', async () => {
    const repo = makeRepo({ 'READY.md': readyMd([{ number: 1, name: 'Plain', modules: ['api'] }]) });
    repos.push(repo);
    const r = await conductorBin(repo.root, ['conduct', '1', '--agent', 'git commit -q --allow-empty -m work && conductor-hook complete --summary "reported by name"']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const m = (await statusJson(repo)).phases[0].modules[0];
    assert.equal(m.state, 'complete');
    assert.equal(m.lastSummary, 'reported by name');
  });

  test('an agent that ends cleanly without reporting is complete with commits, failed without', async () => {
    const repo = makeRepo({ 'READY.md': readyMd([{ number: 1, name: 'Quiet', modules: ['api', 'web'] }]) });
    repos.push(repo);
    const agent = 'if [ "$CONDUCTOR_MODULE" = api ]; then git commit -q --allow-empty -m work; fi';
    const r = await conductorBin(repo.root, ['conduct', '1', '--agent', agent, '--retries', '0']);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const [api, web] = (await statusJson(repo)).phases[0].modules;
    assert.equal(api.state, 'complete');
    assert.equal(web.state, 'failed');
    assert.match(web.lastSummary ?? '', /ended without reporting, and no commits beyond its base/);
  });

  test('an agent with no output and no status line is flagged, then stopped and failed', async () => {
    const repo = makeRepo({ 'READY.md': readyMd([{ number: 1, name: 'Idle', modules: ['api'] }]) });
    repos.push(repo);
    const r = await conductorBin(repo.root, ['conduct', '1', '--agent', 'sleep 600', '--retries', '0', '--idle-timeout', '1']);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout + r.stderr, /api: no output and no status line for \d+ s/);
    const m = (await statusJson(repo)).phases[0].modules[0];
    assert.equal(m.state, 'failed');
    assert.match(m.lastSummary ?? '', /stopped after \d+ s with no output and no status line/);
  });

  test('commits left on a detached HEAD or another branch are reported, and the module is not complete', async () => {
    const repo = makeRepo({ 'READY.md': readyMd([{ number: 1, name: 'Stray', modules: ['api', 'web', 'ok'] }]) });
    repos.push(repo);
    const agent = [
      'case "$CONDUCTOR_MODULE" in',
      '  api) git checkout -q --detach && git commit -q --allow-empty -m stray ;;',
      '  web) git checkout -q -b elsewhere && git commit -q --allow-empty -m stray ;;',
      '  ok) git commit -q --allow-empty -m work ;;',
      'esac',
      'conductor-hook complete --summary "done"',
    ].join('\n');
    const r = await conductorBin(repo.root, ['conduct', '1', '--agent', agent, '--retries', '0']);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const byId = new Map((await statusJson(repo)).phases[0].modules.map((m) => [m.id, m]));
    assert.equal(byId.get('ok')!.state, 'complete');
    assert.equal(byId.get('api')!.state, 'failed');
    assert.match(byId.get('api')!.lastSummary ?? '', /on a detached HEAD with 1 commit\(s\) not on conductor\/phase-1-stray\/api/);
    assert.equal(byId.get('web')!.state, 'failed');
    assert.match(byId.get('web')!.lastSummary ?? '', /on branch elsewhere with 1 commit\(s\) not on conductor\/phase-1-stray\/web/);
  });

  test('state.json lost: the record is rebuilt from branches and status files', async () => {
    const repo = shop();
    assert.equal((await conduct(repo, agentEnv(repo))).code, 0);
    writeFileSync(path.join(repo.root, '.conductor/state.json'), '{ corrupt');
    const again = await conduct(repo, agentEnv(repo));
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /unreadable .*rebuilt/);
    assert.equal(agentLog(repo).filter((l) => l.event === 'start').length, 4, 'no module ran twice');
  });
});
