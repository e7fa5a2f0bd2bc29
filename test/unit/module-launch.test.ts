// Per-module launch choices from the plan (tasks.csv's agent, max_turns, context_path): what runs,
// with which variables, where; and module selection by tags (`--tags`).
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, existsSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { resolveAgent } from '../../src/core/agents/presets';
import { contextFolder, forAgent, moduleLaunchChoice, planCommandsRefusal, type RunAgent } from '../../src/core/run/moduleLaunch';
import { createPhaseRun, resumePhaseRun } from '../../src/core/run/createRun';
import { applyEvent, type RunEvent } from '../../src/core/run/events';
import { decide } from '../../src/core/run/decide';
import { unmetSelection } from '../../src/core/run/selection';
import { modulesTagged, parseTagsOption, planWithTags } from '../../src/core/plan/tagSelection';
import type { PhaseRun } from '../../src/core/run/model';
import type { Plan } from '../../src/core/model';
import { SpecWorkspace } from '../../src/core/specWorkspace';
import { NodeFiles } from '../../src/infra/nodeFiles';
import { contractFor } from '../support/specBuilder';

const AT = '2026-01-01T00:00:00.000Z';
const RUN_COMMAND = { argv: ['/bin/sh', '-c', 'node default-agent.mjs'], display: 'node default-agent.mjs' };
const run = (over: Partial<RunAgent> = {}): RunAgent => ({ label: 'node default-agent.mjs', command: RUN_COMMAND, nativeHook: null, mode: 'headless', planCommands: false, ...over });

/** tasks.csv with a `depends_on` contract per row where given. */
function csvPlan(rows: string[], deps: Record<string, string[]> = {}): Plan {
  const ws = new SpecWorkspace();
  ws.setSpec('tasks.csv', ['id,agent,task,max_turns,context_path,tags', ...rows].join('\n'));
  for (const m of rows.map((r) => r.split(',')[0])) ws.setContract(`contracts/${m}.md`, contractFor(m, deps[m] ?? []));
  return ws.plan();
}

const plan = csvPlan(
  [
    'api,,Build the API,,,backend',
    'web,codex,Build the site,12,apps/web,frontend ui',
    'docs,claude,Write docs,3,,docs',
    'tool,MODEL=big node ./tools/agent.mjs --fast,Run the tool,,,backend',
  ],
  { web: ['api'] },
);
const phase = plan.phases[0];
const mod = (id: string) => phase.modules.find((m) => m.id === id)!;
const apply = (r: PhaseRun, ...events: RunEvent[]): PhaseRun => events.reduce((x, e) => applyEvent(x, e).run, r);

describe('moduleLaunchChoice', () => {
  test('the plan is checked clean (the fixture is valid)', () => {
    assert.deepEqual(plan.problems, []);
  });

  test('no agent in the row: the run\'s own, with an empty budget so an inherited one never leaks', () => {
    assert.deepEqual(moduleLaunchChoice(mod('api'), run()), {
      agent: 'node default-agent.mjs',
      command: RUN_COMMAND,
      nativeHook: null,
      env: { CONDUCTOR_MAX_TURNS: '' },
      contextPath: null,
    });
    assert.equal((moduleLaunchChoice(mod('api'), run({ label: 'claude', nativeHook: 'claude' })) as { nativeHook: string }).nativeHook, 'claude');
  });

  test('a preset in the row: that preset\'s command in the run\'s mode, its budget and its folder', () => {
    const web = moduleLaunchChoice(mod('web'), run());
    assert.deepEqual(web, { agent: 'codex', command: resolveAgent('codex', 'headless'), nativeHook: null, env: { CONDUCTOR_MAX_TURNS: '12' }, contextPath: 'apps/web' });
    const docs = moduleLaunchChoice(mod('docs'), run({ mode: 'interactive' }));
    assert.deepEqual(docs, { agent: 'claude', command: resolveAgent('claude', 'interactive'), nativeHook: 'claude', env: { CONDUCTOR_MAX_TURNS: '3' }, contextPath: null });
  });

  test('a command line in the row runs only when the user trusts the plan; then as its words, with its variables', () => {
    const refused = moduleLaunchChoice(mod('tool'), run());
    assert.ok('error' in refused && /command line from the plan .*--trust/.test(refused.error), JSON.stringify(refused));
    assert.deepEqual(moduleLaunchChoice(mod('tool'), run({ planCommands: true })), {
      agent: 'MODEL=big node ./tools/agent.mjs --fast',
      command: { argv: ['node', './tools/agent.mjs', '--fast'], display: 'MODEL=big node ./tools/agent.mjs --fast' },
      nativeHook: null,
      env: { MODEL: 'big', CONDUCTOR_MAX_TURNS: '' },
      contextPath: null,
    });
  });

  test('planCommandsRefusal names each such module still to run at its line, within the selection', () => {
    const fresh = createPhaseRun(phase, { runId: 'r', baseCommit: 'b', now: AT, worktreeRoot: '/w', agent: 'claude', maxParallel: 2, retries: 1 });
    assert.match(planCommandsRefusal('tasks.csv', phase, fresh, null) ?? '', /tasks\.csv:5: tool runs `MODEL=big node \.\/tools\/agent\.mjs --fast`.*pass --trust/);
    assert.equal(planCommandsRefusal('tasks.csv', phase, fresh, new Set(['api', 'web'])), null);
    const toolDone = apply(
      fresh,
      { type: 'started', module: 'tool', attempt: 1, pid: 1, baseCommit: 'b', at: AT },
      { type: 'status', module: 'tool', status: 'complete', summary: 'ok', attempt: 1, filesCreated: [], testsPassing: null, at: AT },
      { type: 'verified', module: 'tool', proof: true, detail: '', at: AT },
    );
    assert.equal(planCommandsRefusal('tasks.csv', phase, toolDone, null), null, 'a complete module will not run again');
  });
});

describe('forAgent', () => {
  const base = createPhaseRun(phase, { runId: 'r', baseCommit: 'b', now: AT, worktreeRoot: '/w', agent: 'claude', maxParallel: 2, retries: 1 }).modules[0];
  test('a retry resumes the session only with the agent that made it', () => {
    const withSession = { ...base, sessionId: 's-1', agent: 'claude' };
    assert.equal(forAgent(withSession, 'claude', 'claude').sessionId, 's-1');
    assert.equal(forAgent(withSession, 'codex', 'claude').sessionId, null);
    // A record from before per-module agents: the run's agent made the session.
    const old = { ...base, sessionId: 's-2' };
    assert.equal(forAgent(old, 'claude', 'claude').sessionId, 's-2');
    assert.equal(forAgent(old, 'qwen', 'claude').sessionId, null);
  });

  test('conducting again with another run agent keeps the session of a module that ran its own agent', () => {
    const r = createPhaseRun(phase, { runId: 'r', baseCommit: 'b', now: AT, worktreeRoot: '/w', agent: 'node x', maxParallel: 2, retries: 1 });
    const ran = apply(
      r,
      { type: 'started', module: 'docs', attempt: 1, pid: 1, baseCommit: 'b', agent: 'claude', at: AT },
      { type: 'signal', module: 'docs', attempt: 1, signal: { kind: 'session', sessionId: 'claude-1' }, at: AT },
      { type: 'started', module: 'api', attempt: 1, pid: 2, baseCommit: 'b', agent: 'node x', at: AT },
      { type: 'signal', module: 'api', attempt: 1, signal: { kind: 'session', sessionId: 'x-1' }, at: AT },
    );
    const again = resumePhaseRun(ran, { ...r, agent: 'codex' });
    const byId = new Map(again.modules.map((m) => [m.id, m]));
    assert.equal(byId.get('docs')!.sessionId, 'claude-1', 'its row still names claude: the retry resumes it');
    assert.equal(byId.get('api')!.sessionId, null, 'it ran the run\'s agent, which changed');
    assert.equal(forAgent(byId.get('docs')!, 'claude', 'codex').sessionId, 'claude-1');
  });

  test('a module without an agent of its own, in a run without one, cannot start: said', () => {
    const none = moduleLaunchChoice(mod('api'), run({ label: 'per module', command: { argv: [], display: 'per module' } }));
    assert.deepEqual(none, { error: 'its row names no agent, and the run has none: choose one (--agent)' });
  });

  test('the started event records the attempt\'s agent', () => {
    const r = createPhaseRun(phase, { runId: 'r', baseCommit: 'b', now: AT, worktreeRoot: '/w', agent: 'claude', maxParallel: 2, retries: 1 });
    const after = applyEvent(r, { type: 'started', module: 'web', attempt: 1, pid: null, baseCommit: 'b', agent: 'codex', at: AT }).run;
    assert.equal(after.modules.find((m) => m.id === 'web')!.agent, 'codex');
  });
});

describe('contextFolder', () => {
  const parent = mkdtempSync(path.join(tmpdir(), 'conductor-context-'));
  after(() => rmSync(parent, { recursive: true, force: true }));
  const files = new NodeFiles();
  let n = 0;
  function worktree(): string {
    const dir = path.join(parent, `wt${n++}`);
    mkdirSync(path.join(dir, 'src', 'api'), { recursive: true });
    return dir;
  }

  test('none: the worktree itself; a folder: that folder, created when missing', async () => {
    const wt = worktree();
    assert.equal(await contextFolder(files, wt, null), wt);
    assert.equal(await contextFolder(files, wt, 'src/api'), `${wt}/src/api`);
    assert.equal(await contextFolder(files, wt, 'services/new one'), `${wt}/services/new one`);
    assert.ok(existsSync(path.join(wt, 'services', 'new one')));
  });

  test('a symbolic link inside the worktree is fine; one leading out is refused and nothing is created there', async () => {
    const wt = worktree();
    const outside = path.join(parent, `outside${n}`);
    mkdirSync(outside);
    symlinkSync(path.join(wt, 'src'), path.join(wt, 'code'));
    symlinkSync(outside, path.join(wt, 'escape'));
    assert.equal(await contextFolder(files, wt, 'code/api'), `${wt}/code/api`);
    await assert.rejects(contextFolder(files, wt, 'escape/sub'), (e: Error) => {
      assert.match(e.message, new RegExp(`context_path "escape/sub" leads outside its worktree: ${wt}/escape is a symbolic link to ${realpathSync(outside)}`));
      return true;
    });
    assert.ok(!existsSync(path.join(outside, 'sub')), 'nothing made outside');
    symlinkSync('/', path.join(wt, 'src', 'root'));
    await assert.rejects(contextFolder(files, wt, 'src/root'), /leads outside its worktree/);
  });

  test('a file where the folder should be, or a missing worktree, is an error', async () => {
    const wt = worktree();
    writeFileSync(path.join(wt, 'README'), 'x');
    await assert.rejects(contextFolder(files, wt, 'README'));
    await assert.rejects(contextFolder(files, path.join(parent, 'gone'), 'src'), /worktree .* is missing/);
  });
});

describe('selection by tags', () => {
  test('--tags is a comma list, compared without case', () => {
    assert.deepEqual(parseTagsOption(' Backend, ui ,,'), ['backend', 'ui']);
    assert.ok('error' in (parseTagsOption(' , ') as object));
    assert.deepEqual(modulesTagged(phase, ['backend']), ['api', 'tool']);
    assert.deepEqual(modulesTagged(phase, ['UI'.toLowerCase(), 'docs']), ['web', 'docs']);
  });

  test('no module with the tags: the message lists the tags there are', () => {
    const none = modulesTagged(phase, ['mobile']);
    assert.ok('error' in none);
    assert.equal(none.error, 'no module of phase 1 has the tag mobile (its tags: backend, frontend, ui, docs)');
  });

  test('planWithTags keeps the tagged modules and their waves, in order', () => {
    const p = planWithTags(plan, ['frontend', 'docs']);
    assert.deepEqual(p.phases[0].modules.map((m) => m.id), ['web', 'docs']);
    assert.deepEqual(p.phases[0].waves, [['docs'], ['web']]);
    assert.deepEqual(planWithTags(plan, ['nothing']).phases, []);
  });

  function runOf(): PhaseRun {
    return createPhaseRun(phase, { runId: 'r', baseCommit: 'b', now: AT, worktreeRoot: '/w', agent: 'x', maxParallel: 4, retries: 0 });
  }

  test('a selected module whose same-phase dependency is neither selected nor complete: said, with the dependency\'s tags', () => {
    const r = runOf();
    assert.equal(
      unmetSelection(r, new Set(['web']), phase),
      'The selected modules cannot run: web depends on api, which is not selected (its tags: backend) and not complete (pending). Add a tag of the dependency to --tags, or conduct it first.',
    );
    assert.equal(unmetSelection(r, new Set(['web', 'api']), phase), null);
    const done = apply(
      r,
      { type: 'started', module: 'api', attempt: 1, pid: 1, baseCommit: 'b', at: AT },
      { type: 'status', module: 'api', status: 'complete', summary: 'ok', attempt: 1, filesCreated: [], testsPassing: null, at: AT },
      { type: 'verified', module: 'api', proof: true, detail: '', at: AT },
    );
    assert.equal(done.modules.find((m) => m.id === 'api')!.state, 'complete');
    assert.equal(unmetSelection(done, new Set(['web']), phase), null);
  });

  test('decide starts only the selected modules, and is done when they are', () => {
    const only = new Set(['web', 'api']);
    const r = runOf();
    const first = decide(r, { restartInterrupted: true, only });
    assert.deepEqual(first.actions.map((a) => a.type === 'start' && a.module), ['api']);
    let x = apply(
      r,
      { type: 'started', module: 'api', attempt: 1, pid: 1, baseCommit: 'b', at: AT },
      { type: 'exited', module: 'api', attempt: 1, code: 3, signal: null, byUser: false, at: AT },
    );
    // api failed for good (no retries): web is blocked; docs and tool are left alone, not blocked.
    const blocked = decide(x, { restartInterrupted: true, only });
    assert.deepEqual(blocked.actions, [{ type: 'block', module: 'web', by: ['api'] }]);
    assert.equal(blocked.done, true);
    x = runOf();
    x = apply(
      x,
      { type: 'started', module: 'api', attempt: 1, pid: 1, baseCommit: 'b', at: AT },
      { type: 'status', module: 'api', status: 'complete', summary: 'ok', attempt: 1, filesCreated: [], testsPassing: null, at: AT },
      { type: 'verified', module: 'api', proof: true, detail: '', at: AT },
      { type: 'started', module: 'web', attempt: 1, pid: 2, baseCommit: 'b', at: AT },
      { type: 'status', module: 'web', status: 'complete', summary: 'ok', attempt: 1, filesCreated: [], testsPassing: null, at: AT },
      { type: 'verified', module: 'web', proof: true, detail: '', at: AT },
    );
    assert.deepEqual(decide(x, { restartInterrupted: true, only }), { actions: [], done: true });
    // Without a selection the same record has two more modules to run.
    assert.deepEqual(decide(x, { restartInterrupted: true }).actions.map((a) => a.type === 'start' && a.module), ['docs', 'tool']);
  });
});
