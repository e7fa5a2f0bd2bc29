// `.conductor/state.json` that cannot be used: corrupt, or written by a newer version. Every command
// either rebuilds (conduct, from the branches and status files) or refuses with a message naming the
// file and what is wrong; nothing renames the file away or overwrites it silently.
import { describe, test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { makeRepo, type TempRepo } from '../support/gitRepo';
import { conductorBin, SCRIPTED_AGENT } from '../support/conductorBin';
import { contractFor, readyMd } from '../support/specBuilder';

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
