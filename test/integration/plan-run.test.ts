// `conductor run`: three phases with real git, real worktrees and the scripted agent as a real
// process. Its first attempts plant a failing test (phase 1) and a conflict (phase 2); a fix round
// sends each finding back to its module, whose next attempt fixes what its prompt says.
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { contractFor, readyMd } from '../support/specBuilder';
import { BROKEN_CHECK } from '../support/brokenCheck';
import { GIT_ENV, git as gitRaw, makeRepo, type TempRepo } from '../support/gitRepo';
import { spawnSync } from 'node:child_process';
import { conductorBin, DIST_CLI, SCRIPTED_AGENT, spawnConductor } from '../support/conductorBin';

const repos: TempRepo[] = [];
after(() => repos.forEach((r) => r.cleanup()));


const TESTS = ['', '#### Test Commands', '- `node check.mjs`'];

function threePhases(extra: { phase2?: string[] } = {}): TempRepo {
  const repo = makeRepo({
    'READY.md': readyMd([
      { number: 1, name: 'Base', modules: ['a', 'b'], extra: TESTS },
      { number: 2, name: 'Shop', modules: ['c', 'd'], extra: [...(extra.phase2 ?? []), ...TESTS] },
      { number: 3, name: 'Finish', modules: ['e'], extra: TESTS },
    ]),
    ...Object.fromEntries(['a', 'b', 'c', 'd', 'e'].map((m) => [`contracts/${m}.md`, contractFor(m)])),
    'src/shared.txt': 'one\ntwo\nthree\nfour\nfive\n',
    'check.mjs': BROKEN_CHECK,
  });
  repos.push(repo);
  return repo;
}

const shared = (line2: string, line4 = 'four') => `one\n${line2}\nthree\n${line4}\nfive\n`;
const write = (file: string, content: string) => ({ write: file, content });
const done = (summary: string) => [{ commit: summary }, { report: 'complete', summary }];

/** a breaks the test on attempt 1 and fixes it on 2; c and d change the same line on attempt 1. */
const FIXING_AGENT = {
  'a#1': [write('src/shared.txt', shared('BROKEN')), write('a.txt', 'a\n'), ...done('a with a bug')],
  'a#2': [{ expectPrompt: 'src/shared\\.txt:2.*shared value is broken' }, { expectPrompt: 'node check\\.mjs' }, write('src/shared.txt', shared('TWO')), ...done('a fixed')],
  'c#1': [write('src/shared.txt', shared('TWO', 'FOUR by c')), ...done('c')],
  'd#1': [write('src/shared.txt', shared('TWO', 'FOUR by d')), ...done('d')],
  'd#2': [{ expectPrompt: 'Resolving the conflict' }, { expectPrompt: 'src/shared\\.txt' }, write('src/shared.txt', shared('TWO', 'FOUR by c and d')), ...done('d resolved')],
};

function agentPlan(repo: TempRepo, plan: Record<string, unknown[]>): Record<string, string> {
  const file = path.join(repo.root, '..', 'agent-plan.json');
  writeFileSync(file, JSON.stringify(plan));
  return { SCRIPTED_AGENT_PLAN: file };
}

const run = (repo: TempRepo, env: Record<string, string>, ...args: string[]) =>
  conductorBin(repo.root, ['run', '--agent', SCRIPTED_AGENT, '--trust', '--yes', '--quiet', ...args], env);

interface StatusJson {
  phases: { number: number; state: string; checkpoint: string | null; fixRound?: number; baseCommit?: string; modules: { id: string; state: string; attempts: number; fixRounds: number; baseCommit: string | null }[] }[];
}

async function status(repo: TempRepo): Promise<StatusJson> {
  const r = await conductorBin(repo.root, ['status', '--json']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as StatusJson;
}

/** Every file of the user's checkout (not .git, not the engine's .conductor) with its hash. */
function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      if (dir === root && (name === '.git' || name === '.conductor')) continue;
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else out[path.relative(root, full)] = createHash('sha256').update(readFileSync(full)).digest('hex');
    }
  };
  walk(root);
  return out;
}

/** git's output, trimmed; '' when it exits non-zero. */
function git(cwd: string, args: string[]): string {
  try {
    return gitRaw(cwd, ...args).trim();
  } catch {
    return '';
  }
}

const checkpoint = (repo: TempRepo, n: number) => git(repo.root, ['rev-parse', '--verify', '--quiet', `refs/conductor/checkpoints/phase-${n}^{commit}`]);

describe('conductor run', () => {
  test('three phases, each on the result of the one before, with a failing test and a conflict fixed in fix rounds', async () => {
    const repo = threePhases();
    const before = snapshot(repo.root);
    const head = git(repo.root, ['rev-parse', 'HEAD']);
    const r = await run(repo, agentPlan(repo, FIXING_AGENT));
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /Done: phase\(s\) 1, 2, 3 conducted, merged and validated/);
    assert.match(r.stdout, /^Report: \.conductor\/reports\/plan\.md \(timeline: \.conductor\/reports\/timeline\.svg\)$/m);
    assert.match(readFileSync(path.join(repo.root, '.conductor', 'reports', 'plan.md'), 'utf8'), /Phase 2/);

    const s = await status(repo);
    assert.deepEqual(s.phases.map((p) => [p.number, p.state, p.checkpoint]), [
      [1, 'done', 'refs/conductor/checkpoints/phase-1'],
      [2, 'done', 'refs/conductor/checkpoints/phase-2'],
      [3, 'done', 'refs/conductor/checkpoints/phase-3'],
    ]);
    const mod = (id: string) => s.phases.flatMap((p) => p.modules).find((m) => m.id === id)!;
    // The fixed modules are on their second attempt, the others on their first.
    assert.deepEqual(['a', 'b', 'c', 'd', 'e'].map((id) => [id, mod(id).attempts, mod(id).fixRounds]), [
      ['a', 2, 1],
      ['b', 1, 0],
      ['c', 1, 0],
      ['d', 2, 1],
      ['e', 1, 0],
    ]);
    // Each later phase started from the checkpoint of the one before.
    const [cp1, cp2, cp3] = [1, 2, 3].map((n) => checkpoint(repo, n));
    assert.equal(mod('c').baseCommit, cp1);
    assert.equal(mod('d').baseCommit, cp1);
    assert.equal(mod('e').baseCommit, cp2);
    assert.equal(git(repo.root, ['show', `${cp1}:src/shared.txt`]), shared('TWO').trimEnd());
    assert.equal(git(repo.root, ['show', `${cp3}:src/shared.txt`]), shared('TWO', 'FOUR by c and d').trimEnd());
    for (const n of [1, 2]) assert.equal(git(repo.root, ['merge-base', '--is-ancestor', checkpoint(repo, n), checkpoint(repo, n + 1)]), '');
    // Each records the result it was built on: a later change there makes it stale (planStep.staleOn).
    const recorded = JSON.parse(readFileSync(path.join(repo.root, '.conductor', 'state.json'), 'utf8')) as { phases: Record<string, { progress: { builtOn?: Record<string, string> } }> };
    assert.deepEqual(['phase-1-base', 'phase-2-shop', 'phase-3-finish'].map((slug) => recorded.phases[slug].progress.builtOn), [{}, { 1: cp1 }, { 2: cp2 }]);
    // The checkpoint carries the phase report.
    assert.match(git(repo.root, ['for-each-ref', '--format=%(contents)', 'refs/conductor/checkpoints/phase-2']), /checkpoint: phase 2 \(Shop\) validated/);
    // Done phases' module worktrees are gone, their branches kept.
    const worktrees = git(repo.root, ['worktree', 'list', '--porcelain']);
    for (const m of ['a', 'b', 'c', 'd', 'e']) assert.doesNotMatch(worktrees, new RegExp(`/${m}\\n`));
    assert.match(git(repo.root, ['branch', '--list', 'conductor/phase-1-base/a']), /conductor\/phase-1-base\/a/);
    // The user's checkout is byte-identical, on the same commit.
    assert.deepEqual(snapshot(repo.root), before);
    assert.equal(git(repo.root, ['rev-parse', 'HEAD']), head);
    assert.equal(git(repo.root, ['status', '--porcelain']), '');
  });

  test('a module that never gets fixed fails its phase, exit 1, and the run stops there', async () => {
    const repo = threePhases();
    const stubborn = { 'a#1': FIXING_AGENT['a#1'], a: [write('src/shared.txt', shared('BROKEN again')), ...done('a, still broken')] };
    const r = await run(repo, agentPlan(repo, stubborn), '--fix-rounds', '3');
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /Phase 1 failed: .*fix round 1 left the same findings as the round before/);
    const s = await status(repo);
    assert.deepEqual(s.phases.map((p) => [p.number, p.state, p.checkpoint]), [
      [1, 'failed', null],
      [2, 'pending', null],
      [3, 'pending', null],
    ]);
    assert.equal(checkpoint(repo, 1), '');
  });

  test('the fix rounds are bounded by --fix-rounds', async () => {
    const repo = threePhases();
    // Broken differently each time: never the same findings twice, never fixed.
    const plan = Object.fromEntries([1, 2, 3, 4].map((n) => [`a#${n}`, [write('src/shared.txt', `one\ntwo\n${'x\n'.repeat(n)}BROKEN ${n}\n`), ...done(`a ${n}`)]]));
    const r = await run(repo, agentPlan(repo, plan), '--fix-rounds', '1');
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /still after 1 fix round\(s\) \(--fix-rounds 1\)/);
    const a = (await status(repo)).phases[0].modules.find((m) => m.id === 'a')!;
    assert.deepEqual([a.attempts, a.fixRounds], [2, 1]);
  });

  test('a Gate: manual stops the run with how to approve (exit 3); --approve goes on', async () => {
    const repo = threePhases({ phase2: ['**Gate:** manual'] });
    const env = agentPlan(repo, {});
    const first = await run(repo, env);
    assert.equal(first.code, 3, first.stdout + first.stderr);
    assert.match(first.stdout, /phase 2 \(Shop\) has "Gate: manual".*--approve 2/);
    assert.deepEqual((await status(repo)).phases.map((p) => p.state), ['done', 'gated', 'pending']);
    const second = await run(repo, env, '--approve', '2');
    assert.equal(second.code, 0, second.stdout + second.stderr);
    assert.deepEqual((await status(repo)).phases.map((p) => p.state), ['done', 'done', 'done']);
  });

  test('rollback returns later phases to pending at the checkpoint before them, keeping every old ref', async () => {
    const repo = threePhases();
    const env = agentPlan(repo, {});
    assert.equal((await run(repo, env)).code, 0);
    const [cp1, cp2] = [checkpoint(repo, 1), checkpoint(repo, 2)];
    const oldC = git(repo.root, ['rev-parse', 'conductor/phase-2-shop/c']);

    const r = await conductorBin(repo.root, ['rollback', '2']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /Rolled back phase\(s\) 2, 3 to the checkpoint of phase 1/);
    assert.deepEqual((await status(repo)).phases.map((p) => [p.number, p.state]), [
      [1, 'done'],
      [2, 'pending'],
      [3, 'pending'],
    ]);
    assert.equal(git(repo.root, ['rev-parse', 'conductor/integration/phase-2-shop']), cp1);
    assert.equal(checkpoint(repo, 2), '');
    const backups = git(repo.root, ['for-each-ref', '--format=%(refname) %(objectname)', 'refs/conductor/backup']);
    assert.match(backups, new RegExp(`/heads/conductor/phase-2-shop/c ${oldC}`));
    assert.match(backups, /\/conductor\/checkpoints\/phase-2 /);
    assert.ok(backups.split('\n').some((l) => l.includes('/heads/conductor/integration/phase-2-shop ') && git(repo.root, ['rev-parse', `${l.split(' ')[1]}^{commit}`]) !== cp1));
    void cp2;

    // And the plan runs again from there.
    const again = await run(repo, env);
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.deepEqual((await status(repo)).phases.map((p) => p.state), ['done', 'done', 'done']);
  });

  test('--into moves the branch to the last phase\'s result only when every phase is done', async () => {
    const repo = threePhases();
    git(repo.root, ['branch', 'release']);
    const release = git(repo.root, ['rev-parse', 'release']);
    const stubborn = { a: [write('src/shared.txt', shared('BROKEN')), ...done('a, broken')] };
    assert.equal((await run(repo, agentPlan(repo, stubborn), '--into', 'release')).code, 1);
    assert.equal(git(repo.root, ['rev-parse', 'release']), release);

    const fixed = await run(repo, agentPlan(repo, { a: [write('src/shared.txt', shared('TWO')), ...done('a fine')] }), '--into', 'release');
    assert.equal(fixed.code, 0, fixed.stdout + fixed.stderr);
    assert.equal(git(repo.root, ['merge-base', '--is-ancestor', checkpoint(repo, 3), 'release']), '');
  });

  test('--keep-worktrees keeps a done phase\'s worktrees; clean then removes them and keeps the branches', async () => {
    const repo = threePhases();
    const r = await run(repo, agentPlan(repo, {}), '1..1', '--keep-worktrees');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const worktreeOf = (m: string) => path.join(`${repo.root}.worktrees`, 'phase-1-base', m);
    assert.match(git(repo.root, ['worktree', 'list']), new RegExp(worktreeOf('a')));
    const dry = await conductorBin(repo.root, ['clean', '--dry-run']);
    assert.match(dry.stdout, /would remove the worktree of conductor\/phase-1-base\/a .*: its phase is done \(branch kept\)/);
    const clean = await conductorBin(repo.root, ['clean']);
    assert.equal(clean.code, 0, clean.stdout + clean.stderr);
    assert.doesNotMatch(git(repo.root, ['worktree', 'list']), new RegExp(worktreeOf('a')));
    assert.match(git(repo.root, ['branch', '--list', 'conductor/phase-1-base/*']), /phase-1-base\/a[\s\S]*phase-1-base\/b/);
    assert.deepEqual((await status(repo)).phases.map((p) => p.state), ['done', 'pending', 'pending']);
  });

  test('on a terminal, run shows the phases, waves and agent and asks first: "n" starts nothing, "y" runs', () => {
    const repo = threePhases();
    const env = { ...process.env, ...GIT_ENV, ...agentPlan(repo, {}) };
    const command = [process.execPath, DIST_CLI, 'run', '1..1', '--agent', SCRIPTED_AGENT, '--trust'].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
    // `script` gives the CLI a real terminal; the answer is typed into it.
    const onTerminal = (answer: string) => spawnSync('script', ['-qec', command, '/dev/null'], { cwd: repo.root, env, input: answer, encoding: 'utf8', timeout: 120_000 });
    const no = onTerminal('n\n');
    assert.equal(no.status, 1, no.stdout + no.stderr);
    assert.match(no.stdout, /Phase 1: Base\r?\n {2}wave 1: a, b\r?\nAgent: node \S+scripted-agent\.mjs · up to \d+ at once\r?\n(\x1b\[[0-9;]*[A-Za-z])*Start\? \[Y\/n\] [\s\S]*Not started\./);
    assert.equal(git(repo.root, ['worktree', 'list']).split('\n').length, 1, 'no worktree was made');
    const yes = onTerminal('y\n');
    assert.equal(yes.status, 0, yes.stdout + yes.stderr);
    assert.match(yes.stdout, /Phase 1 \(Base\): done/);
  });

  test('conduct and merge alone: a clean merge checkpoints the phase, and conduct of the next starts from it; before that it warns', async () => {
    const repo = threePhases();
    const env = agentPlan(repo, {});
    const early = await conductorBin(repo.root, ['conduct', '2', '--agent', SCRIPTED_AGENT, '--quiet', '--worktree-root', path.join(repo.root, '..', 'early')], env);
    assert.match(early.stdout + early.stderr, /phase 2 depends on phase\(s\) 1, not done \(no checkpoint\): its agents start from your HEAD/);
    assert.equal((await conductorBin(repo.root, ['rollback', '2'])).code, 0);

    assert.equal((await conductorBin(repo.root, ['conduct', '1', '--agent', SCRIPTED_AGENT, '--quiet'], env)).code, 0);
    const merged = await conductorBin(repo.root, ['merge', '1', '--trust']);
    assert.equal(merged.code, 0, merged.stdout + merged.stderr);
    assert.match(merged.stdout, /Phase 1 done: refs\/conductor\/checkpoints\/phase-1\./);
    assert.equal((await conductorBin(repo.root, ['conduct', '2', '--agent', SCRIPTED_AGENT, '--quiet'], env)).code, 0);
    const s = await status(repo);
    assert.deepEqual(s.phases.map((p) => p.state), ['done', 'merging', 'pending']);
    assert.equal(s.phases[1].modules[0].baseCommit, checkpoint(repo, 1));
  });

  test('killed in the middle of phase 2, run resumes there: phase 1 and its checkpoint untouched, the interrupted module restarted', async () => {
    const repo = threePhases();
    const log = path.join(repo.root, '..', 'agent-log.jsonl');
    const env = { ...agentPlan(repo, { 'c#1': [{ hang: true }] }), SCRIPTED_AGENT_LOG: log };
    const starts = () => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { event: string; module: string; attempt: number }) : []).filter((l) => l.event === 'start');
    const engine = spawnConductor(repo.root, ['run', '--agent', SCRIPTED_AGENT, '--trust', '--yes', '--quiet'], env);
    for (let i = 0; i < 1200 && !starts().some((l) => l.module === 'c'); i++) await new Promise((r) => setTimeout(r, 50));
    assert.ok(starts().some((l) => l.module === 'c'), 'c started');
    engine.kill('SIGKILL');
    await new Promise((r) => engine.once('exit', r));
    // Its agents lead their own process groups and outlive it; a reboot would take them too.
    const recorded = JSON.parse(readFileSync(path.join(repo.root, '.conductor/state.json'), 'utf8')) as { phases: Record<string, { modules: { pid: number | null }[] }> };
    for (const m of Object.values(recorded.phases).flatMap((p) => p.modules)) {
      try {
        if (m.pid) process.kill(-m.pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
    const cp1 = checkpoint(repo, 1);
    assert.notEqual(cp1, '');

    const resumed = await run(repo, env);
    assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
    assert.deepEqual((await status(repo)).phases.map((p) => p.state), ['done', 'done', 'done']);
    assert.equal(checkpoint(repo, 1), cp1, 'phase 1 was not redone');
    const byModule = (m: string) => starts().filter((l) => l.module === m).map((l) => l.attempt);
    assert.deepEqual([byModule('a'), byModule('b'), byModule('c')], [[1], [1], [1, 2]]);
    // d ran beside c: finished before the kill, or interrupted by it (even before its process
    // started: attempt 1 is saved before the spawn) and restarted — never two agents for one attempt.
    assert.ok([[1], [1, 2], [2]].some((x) => JSON.stringify(x) === JSON.stringify(byModule('d'))), JSON.stringify(byModule('d')));
  });

  test('two phases conducted at once by two processes both keep their record in state.json', async () => {
    const repo = threePhases();
    const slow = (m: string) => [{ sleep: 800 }, write(`${m}.txt`, m), ...done(m)];
    const env = agentPlan(repo, { a: slow('a'), b: slow('b'), c: slow('c'), d: slow('d') });
    const [one, two] = await Promise.all([
      conductorBin(repo.root, ['conduct', '1', '--agent', SCRIPTED_AGENT, '--quiet'], env),
      conductorBin(repo.root, ['conduct', '2', '--agent', SCRIPTED_AGENT, '--quiet'], env),
    ]);
    assert.equal(one.code, 0, one.stdout + one.stderr);
    assert.equal(two.code, 0, two.stdout + two.stderr);
    const s = await status(repo);
    assert.deepEqual(
      s.phases.slice(0, 2).map((p) => p.modules.map((m) => [m.id, m.state])),
      [
        [['a', 'complete'], ['b', 'complete']],
        [['c', 'complete'], ['d', 'complete']],
      ],
    );
  });

  test('a state.json write lock left empty or unreadable by a crash is taken over, not waited on forever', async () => {
    const repo = threePhases();
    mkdirSync(path.join(repo.root, '.conductor'), { recursive: true });
    writeFileSync(path.join(repo.root, '.conductor', 'state.json.lock'), '');
    const r = await conductorBin(repo.root, ['conduct', '1', '--agent', SCRIPTED_AGENT, '--quiet'], agentPlan(repo, {}));
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.deepEqual((await status(repo)).phases[0].modules.map((m) => m.state), ['complete', 'complete']);
  });
});
