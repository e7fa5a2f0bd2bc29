// One conductor per phase: the lock file, its owner, stale locks, and the CLI refusing a second
// `conduct` or `merge` of a phase that is busy (issue 9, item 5).
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import * as path from 'node:path';
import { PhaseLocks } from '../../src/infra/state/phaseLock';
import { processStartTime } from '../../src/infra/process/processIdentity';
import { makeRepo, type TempRepo } from '../support/gitRepo';
import { readyMd } from '../support/specBuilder';
import { conductorBin, SCRIPTED_AGENT, spawnConductor } from '../support/conductorBin';

const dirs: string[] = [];
const repos: TempRepo[] = [];
after(() => {
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
  repos.forEach((r) => r.cleanup());
});

function tempDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'conductor-lock-'));
  dirs.push(d);
  return d;
}

/** A process that stays alive until killed, to own a lock. */
function liveProcess(): { pid: number; kill(): void } {
  const child = spawn('sleep', ['600'], { stdio: 'ignore' });
  return { pid: child.pid!, kill: () => child.kill('SIGKILL') };
}

describe('PhaseLocks', () => {
  test('one holder at a time; the second caller learns who holds it', async () => {
    const dir = tempDir();
    const a = await new PhaseLocks(dir).acquire('phase-1-x', 'conductor conduct 1');
    assert.ok('lock' in a);
    const b = await new PhaseLocks(dir).acquire('phase-1-x', 'conductor merge 1');
    assert.ok('heldBy' in b);
    assert.equal(b.heldBy.pid, process.pid);
    assert.equal(b.heldBy.command, 'conductor conduct 1');
    assert.ok('lock' in (await new PhaseLocks(dir).acquire('phase-2-y', 'other phase')), 'phases lock separately');
    await a.lock.release();
    const c = await new PhaseLocks(dir).acquire('phase-1-x', 'again');
    assert.ok('lock' in c, 'released: free again');
    await c.lock.release();
  });

  test('of many racing callers exactly one gets it', async () => {
    const dir = tempDir();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => new PhaseLocks(dir).acquire('phase-1-x', `caller ${i}`)));
    assert.equal(results.filter((r) => 'lock' in r).length, 1);
  });

  test('a lock whose owner is dead — or whose pid now belongs to another process — is taken over', async () => {
    const dir = tempDir();
    const file = new PhaseLocks(dir).lockFile('phase-1-x');
    mkdirSync(path.dirname(file), { recursive: true });
    const dead = spawn('true');
    await new Promise((r) => dead.once('exit', r));
    writeFileSync(file, JSON.stringify({ pid: dead.pid, startTime: null, command: 'crashed', since: 'then', host: hostname(), token: 't1' }));
    const got = await new PhaseLocks(dir).acquire('phase-1-x', 'me');
    assert.ok('lock' in got, 'a dead owner does not hold the lock');
    await got.lock.release();
    // A live pid with another start time: the owner died and its pid was reused.
    const reused = liveProcess();
    try {
      const start = processStartTime(reused.pid);
      assert.ok(start, 'this platform has /proc');
      writeFileSync(file, JSON.stringify({ pid: reused.pid, startTime: `${start}0`, command: 'old', since: 'then', host: hostname(), token: 't2' }));
      assert.ok('lock' in (await new PhaseLocks(dir).acquire('phase-1-x', 'me')));
    } finally {
      reused.kill();
    }
  });
});

describe('the CLI and the phase lock', () => {
  function oneModule(): TempRepo {
    const repo = makeRepo({ 'READY.md': readyMd([{ number: 1, name: 'Solo', modules: ['api', 'web'] }]) });
    repos.push(repo);
    return repo;
  }

  function holdLock(repo: TempRepo, owner: { pid: number }, command: string): void {
    const file = new PhaseLocks(path.join(repo.root, '.conductor')).lockFile('phase-1-solo');
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify({ pid: owner.pid, startTime: processStartTime(owner.pid), command, since: '2026-01-01T00:00:00.000Z', host: hostname(), token: 'held' }));
  }

  test('a second conduct of a busy phase is refused, naming the owner; no agent starts twice', async () => {
    const repo = oneModule();
    const log = path.join(repo.root, '..', 'agent-log.jsonl');
    const plan = path.join(repo.root, '..', 'plan.json');
    writeFileSync(plan, JSON.stringify({ '*': [{ report: 'progress', summary: 'working' }, { sleep: 1500 }, { write: 'x.txt', content: 'x' }, { commit: 'x' }, { report: 'complete', summary: 'done' }] }));
    const env = { SCRIPTED_AGENT_LOG: log, SCRIPTED_AGENT_PLAN: plan };
    const first = spawnConductor(repo.root, ['conduct', '1', '--agent', SCRIPTED_AGENT], env);
    const firstDone = new Promise<number>((r) => first.once('exit', (code) => r(code ?? -1)));
    // Wait until the first run holds the lock (its agents have started).
    const lockFile = new PhaseLocks(path.join(repo.root, '.conductor')).lockFile('phase-1-solo');
    for (let i = 0; i < 400; i++) {
      try {
        if (readFileSync(log, 'utf8').includes('"start"')) break;
      } catch {
        /* not yet */
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    const owner = JSON.parse(readFileSync(lockFile, 'utf8'));
    assert.equal(owner.pid, first.pid);
    const second = await conductorBin(repo.root, ['conduct', '1', '--agent', SCRIPTED_AGENT], env);
    assert.equal(second.code, 1);
    assert.match(second.stderr, new RegExp(`Phase 1 is already being conducted or merged by conductor conduct 1 \\(pid ${first.pid}`));
    assert.equal(await firstDone, 0);
    const starts = readFileSync(log, 'utf8').split('\n').filter((l) => l.includes('"event":"start"'));
    assert.equal(starts.length, 2, 'each module started once');
    assert.throws(() => readFileSync(lockFile), /ENOENT/, 'released on exit');
  });

  test('merge takes the lock too: a busy phase gets a clear refusal, not a raw git error', async () => {
    const repo = oneModule();
    assert.equal((await conductorBin(repo.root, ['conduct', '1', '--agent', SCRIPTED_AGENT])).code, 0);
    const other = liveProcess();
    try {
      holdLock(repo, other, 'conductor merge 1');
      const r = await conductorBin(repo.root, ['merge', '1']);
      assert.equal(r.code, 1);
      assert.match(r.stderr, new RegExp(`conductor: Phase 1 is already being conducted or merged by conductor merge 1 \\(pid ${other.pid}, since 2026-01-01T00:00:00.000Z\\)`));
      assert.doesNotMatch(r.stderr, /update-ref|at .*\.js:\d+/);
    } finally {
      other.kill();
    }
    const after = await conductorBin(repo.root, ['merge', '1']);
    assert.equal(after.code, 0, 'the dead owner\'s lock is stale: merge goes ahead');
  });
});
