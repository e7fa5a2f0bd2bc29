// `--validate-waves`, with real git, real worktrees and the scripted agent as a real process: b builds
// on a, so b starts only once a's work, merged from the phase's base, passes the phase's check
// command; a's first attempt breaks it, the check sends the finding back to a, and b starts from the
// fixed branch.
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { contractFor, readyMd } from '../support/specBuilder';
import { BROKEN_CHECK } from '../support/brokenCheck';
import { git, makeRepo, type TempRepo } from '../support/gitRepo';
import { conductorBin, SCRIPTED_AGENT } from '../support/conductorBin';
import type { RunStateFile } from '../../src/core/run/model';

const repos: TempRepo[] = [];
after(() => repos.forEach((r) => r.cleanup()));


function repoWithWaves(): TempRepo {
  const repo = makeRepo({
    'READY.md': readyMd([{ number: 1, name: 'Base', modules: ['a', 'b'], extra: ['', '#### Check Commands', '- `node check.mjs`'] }]),
    'contracts/a.md': contractFor('a'),
    'contracts/b.md': contractFor('b', ['feature-a']),
    'src/shared.txt': 'one\ntwo\nthree\n',
    'check.mjs': BROKEN_CHECK,
  });
  repos.push(repo);
  return repo;
}

const write = (file: string, content: string) => ({ write: file, content });
const done = (summary: string) => [{ commit: summary }, { report: 'complete', summary }];

function agentPlan(repo: TempRepo, plan: Record<string, unknown[]>): Record<string, string> {
  const file = path.join(repo.root, '..', 'agent-plan.json');
  writeFileSync(file, JSON.stringify(plan));
  return { SCRIPTED_AGENT_PLAN: file };
}

const conduct = (repo: TempRepo, env: Record<string, string>, ...args: string[]) =>
  conductorBin(repo.root, ['conduct', '1', '--agent', SCRIPTED_AGENT, '--yes', '--quiet', ...args], env);

const stateOf = (repo: TempRepo): RunStateFile => JSON.parse(readFileSync(path.join(repo.root, '.conductor', 'state.json'), 'utf8')) as RunStateFile;

describe('conduct --validate-waves', () => {
  test("a dependency that breaks the phase's check is sent back with the finding; its dependent starts from the fixed work", async () => {
    const repo = repoWithWaves();
    const env = agentPlan(repo, {
      'a#1': [write('src/shared.txt', 'one\nBROKEN\nthree\n'), ...done('a with a bug')],
      'a#2': [{ expectPrompt: 'src/shared\\.txt:2.*shared value is broken' }, write('src/shared.txt', 'one\nTWO\nthree\n'), ...done('a fixed')],
      'b#1': [write('b.txt', 'b\n'), ...done('b')],
    });
    const r = await conduct(repo, env, '--trust', '--validate-waves');
    assert.equal(r.code, 0, r.stdout + r.stderr);

    const run = stateOf(repo).phases['phase-1-base'];
    const mod = (id: string) => run.modules.find((m) => m.id === id)!;
    assert.deepEqual([mod('a').state, mod('a').attempts, mod('a').fixRounds, mod('b').state, mod('b').attempts], ['complete', 2, 1, 'complete', 1]);
    // Two checks of a: the broken tip failed, the fixed one passed.
    assert.deepEqual(run.waveChecks?.map((c) => [c.deps.join(','), c.passed]), [['a', false], ['a', true]]);
    assert.match(run.waveChecks![0].summary, /a: 1 finding\(s\); sent back/);
    // b started from a's fixed branch, never from the broken one.
    const aTip = git(repo.root, 'rev-parse', 'conductor/phase-1-base/a').trim();
    assert.equal(mod('b').baseCommit, aTip);
    assert.equal(run.waveChecks![1].heads[0], aTip);
    // The scratch worktree and branch of the checks are gone with the run.
    assert.equal(git(repo.root, 'branch', '--list', 'conductor/integration/*').trim(), '');
    assert.ok(!git(repo.root, 'worktree', 'list').includes('.waves'));
  });

  test('with no fix round left, the dependent is blocked and says why; the run fails', async () => {
    const repo = repoWithWaves();
    const env = agentPlan(repo, {
      'a#1': [write('src/shared.txt', 'one\nBROKEN\nthree\n'), ...done('a with a bug')],
      'b#1': [{ exit: 9 }],
    });
    const r = await conduct(repo, env, '--trust', '--validate-waves', '--fix-rounds', '0');
    assert.notEqual(r.code, 0, r.stdout + r.stderr);
    const run = stateOf(repo).phases['phase-1-base'];
    const b = run.modules.find((m) => m.id === 'b')!;
    assert.deepEqual([b.state, b.attempts], ['blocked', 0]);
    assert.match(b.lastSummary ?? '', /blocked: the merged result of a failed the phase's checks \(.*--fix-rounds 0/);
  });

  test('--validate-waves runs commands from the plan: refused without --trust, before anything starts', async () => {
    const repo = repoWithWaves();
    const r = await conduct(repo, {}, '--validate-waves');
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /--validate-waves runs the phase's check and lint commands between waves: add --trust/);
    assert.ok(!existsSync(path.join(repo.root, '.conductor', 'state.json')));
  });
});
