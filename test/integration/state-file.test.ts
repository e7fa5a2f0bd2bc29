// `.conductor/state.json` that cannot be used: corrupt, or written by a newer version. Every command
// either rebuilds (conduct, from the branches and status files) or refuses with a message naming the
// file and what is wrong; nothing renames the file away or overwrites it silently.
import { describe, test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { makeRepo, type TempRepo } from '../support/gitRepo';
import { conductorBin, SCRIPTED_AGENT } from '../support/conductorBin';
import { contractFor, planOf, readyMd } from '../support/specBuilder';
import { createPhaseRun } from '../../src/core/run/createRun';
import type { PhaseRun, RunStateFile } from '../../src/core/run/model';
import { processStartTime } from '../../src/infra/process/processIdentity';
import { StateFile } from '../../src/infra/state/stateFile';

const repos: TempRepo[] = [];
after(() => repos.forEach((r) => r.cleanup()));

function shop(): TempRepo {
  const repo = makeRepo({
    'READY.md': readyMd([{ number: 1, name: 'Shop', modules: ['a', 'b'] }]),
    'contracts/a.md': contractFor('a'),
    'contracts/b.md': contractFor('b'),
  });
  repos.push(repo);
  return repo;
}

const logFile = (repo: TempRepo) => path.join(repo.root, '..', 'agent-log.jsonl');
const starts = (repo: TempRepo) =>
  existsSync(logFile(repo)) ? readFileSync(logFile(repo), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)).filter((l) => l.event === 'start').length : 0;
const conduct = (repo: TempRepo) => conductorBin(repo.root, ['conduct', '1', '--agent', SCRIPTED_AGENT], { SCRIPTED_AGENT_LOG: logFile(repo) });
const stateFile = (repo: TempRepo) => path.join(repo.root, '.conductor', 'state.json');
const asideCopies = (repo: TempRepo) => readdirSync(path.join(repo.root, '.conductor')).filter((f) => f.startsWith('state.json.'));

/** The commands that only read the state: none may rebuild it silently or move it. */
const READERS = [['status'], ['status', '--json'], ['merge', '1'], ['predict', '1'], ['report', '1'], ['report'], ['clean'], ['clean', '--dry-run']];

describe('state.json that cannot be used', () => {
  let repo: TempRepo;
  before(async () => {
    repo = shop();
    const r = await conduct(repo);
    assert.equal(r.code, 0, r.stdout + r.stderr);
  });

  test('corrupt: every command that only reads it refuses, naming the file and what is wrong, and leaves it as it is', async () => {
    const corrupt = '{ "version": 1, "phases": { oops';
    writeFileSync(stateFile(repo), corrupt);
    for (const args of READERS) {
      const r = await conductorBin(repo.root, args);
      assert.equal(r.code, 1, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, /\.conductor\/state\.json is unreadable: not JSON/, args.join(' '));
      assert.match(r.stderr, /\("conductor conduct <phase>"\) rebuilds its record from its branches and status files/, args.join(' '));
      assert.doesNotMatch(r.stdout, /No phase has been conducted yet/, args.join(' '));
      assert.equal(readFileSync(stateFile(repo), 'utf8'), corrupt, `${args.join(' ')} left the file as it was`);
      assert.deepEqual(asideCopies(repo), [], `${args.join(' ')} renamed or copied nothing`);
    }
    assert.ok(existsSync(path.join(`${repo.root}.worktrees`, 'phase-1-shop', 'a')), 'clean removed no worktree of the unreadable run');
  });

  test('corrupt: conduct rebuilds the phase from branches and status files, keeps a copy of the unreadable file and runs nothing twice', async () => {
    const corrupt = '{ "version": 1, "phases": 42 }';
    writeFileSync(stateFile(repo), corrupt);
    const before = starts(repo);
    const r = await conduct(repo);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /\.conductor\/state\.json was unreadable \(phases is not an object\); the phase's record is rebuilt from its branches and status files; the unreadable file is kept as state\.json\.corrupt-/);
    assert.equal(starts(repo), before, 'no module ran again');
    const copies = asideCopies(repo).filter((f) => f.startsWith('state.json.corrupt-'));
    assert.equal(copies.length, 1);
    assert.equal(readFileSync(path.join(repo.root, '.conductor', copies[0]), 'utf8'), corrupt);
    const status = await conductorBin(repo.root, ['status']);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /a\s+complete/);
  });

  test('from a newer version: every command refuses it (exit 1) and it is never rebuilt or overwritten', async () => {
    const saved = JSON.parse(readFileSync(stateFile(repo), 'utf8'));
    const newer = `${JSON.stringify({ ...saved, version: 99, somethingNew: true }, null, 2)}\n`;
    writeFileSync(stateFile(repo), newer);
    const before = starts(repo);
    for (const args of [...READERS, ['conduct', '1', '--agent', SCRIPTED_AGENT]]) {
      const r = await conductorBin(repo.root, args, { SCRIPTED_AGENT_LOG: logFile(repo) });
      assert.equal(r.code, 1, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, /\.conductor\/state\.json was written by a newer Spec Conductor \(state version 99; this one reads version 1\)/, args.join(' '));
      assert.equal(readFileSync(stateFile(repo), 'utf8'), newer, `${args.join(' ')} left the file as it was`);
    }
    assert.equal(starts(repo), before, 'no agent started');
    assert.deepEqual(asideCopies(repo).filter((f) => !f.startsWith('state.json.corrupt-')), []);
  });
});

describe('StateFile.savePhase', () => {
  const phaseRun = (number: number, runId: string): PhaseRun => {
    const plan = planOf(readyMd([{ number: 1, name: 'One', modules: ['a'] }, { number: 2, name: 'Two', modules: ['b'] }]), {
      'contracts/a.md': contractFor('a'),
      'contracts/b.md': contractFor('b'),
    });
    return createPhaseRun(plan.phases[number - 1], { runId, baseCommit: 'base', now: '2026-01-01T00:00:00.000Z', worktreeRoot: '/w', agent: 'custom', maxParallel: 4, retries: 1 });
  };

  test('saves made while a write waits are written together; each resolves once its record (or a newer one) is on disk', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'conductor-state-'));
    const file = path.join(dir, 'state.json');
    const store = new StateFile(file);
    const onDisk = () => JSON.parse(readFileSync(file, 'utf8')) as RunStateFile;
    // Another live process holds the write lock: every save waits behind it.
    writeFileSync(`${file}.lock`, JSON.stringify({ pid: process.pid, start: processStartTime(process.pid) }));
    const renames: string[] = [];
    const rename = fs.promises.rename;
    fs.promises.rename = ((from: fs.PathLike, to: fs.PathLike) => {
      renames.push(String(to));
      return rename(from, to);
    }) as typeof rename;
    try {
      const one = phaseRun(1, 'r0');
      const slug = one.slug;
      const seen: string[] = [];
      const saves = ['r1', 'r2', 'r3', 'r4', 'r5'].map((id) =>
        store.savePhase({ ...one, runId: id }).then(() => seen.push(`${id}:${onDisk().phases[slug].runId}`)),
      );
      const other = store.savePhase(phaseRun(2, 'x1'));
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(existsSync(file), false, 'nothing is written while the lock is held');
      rmSync(`${file}.lock`);
      await Promise.all([...saves, other]);
      // r1..r5 waited together: one write of r5 (6 writes before saves were coalesced), one of phase 2.
      assert.equal(renames.filter((t) => t === file).length, 2);
      assert.deepEqual(seen, ['r1:r5', 'r2:r5', 'r3:r5', 'r4:r5', 'r5:r5']);
      assert.deepEqual(Object.fromEntries(Object.entries(onDisk().phases).map(([k, v]) => [k, v.runId])), { [slug]: 'r5', [phaseRun(2, 'x').slug]: 'x1' });
      // A save after all that is written again.
      await store.savePhase({ ...one, runId: 'r6' });
      assert.equal(onDisk().phases[slug].runId, 'r6');
    } finally {
      fs.promises.rename = rename;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
