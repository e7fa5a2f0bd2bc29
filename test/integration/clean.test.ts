// `conductor clean`: orphaned conductor worktrees and branches go only when nothing would be lost.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { git, makeRepo } from '../support/gitRepo';
import { conductorBin, SCRIPTED_AGENT, spawnConductor } from '../support/conductorBin';
import { readyMd } from '../support/specBuilder';
import { killGroup } from '../support/processes';

const repo = makeRepo({ 'READY.md': readyMd([{ number: 1, name: 'Known', modules: ['known'] }]) });
after(() => repo.cleanup());

test('removes merged or empty orphans, keeps unmerged or dirty ones until forced, never touches known runs', async () => {
  assert.equal((await conductorBin(repo.root, ['conduct', '1', '--agent', SCRIPTED_AGENT])).code, 0);
  const wt = (name: string) => path.join(`${repo.root}.worktrees`, 'orphans', name);
  // empty: a branch at HEAD with a clean worktree; merged: its commit is also on main.
  git(repo.root, 'worktree', 'add', '-q', '-b', 'conductor/phase-9-old/empty', wt('empty'), 'HEAD');
  git(repo.root, 'branch', 'conductor/phase-9-old/merged', 'HEAD');
  // unmerged: a commit nowhere else; dirty: uncommitted work in its worktree.
  git(repo.root, 'worktree', 'add', '-q', '-b', 'conductor/phase-9-old/unmerged', wt('unmerged'), 'HEAD');
  writeFileSync(path.join(wt('unmerged'), 'work.txt'), 'precious');
  git(wt('unmerged'), 'add', 'work.txt');
  git(wt('unmerged'), 'commit', '-qm', 'precious work');
  git(repo.root, 'worktree', 'add', '-q', '-b', 'conductor/phase-9-old/dirty', wt('dirty'), 'HEAD');
  writeFileSync(path.join(wt('dirty'), 'draft.txt'), 'not committed');

  const dry = await conductorBin(repo.root, ['clean', '--dry-run']);
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, /would remove conductor\/phase-9-old\/empty/);
  assert.ok(existsSync(wt('empty')), 'a dry run removes nothing');

  const r = await conductorBin(repo.root, ['clean', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(out.removed.map((x: { branch: string }) => x.branch).sort(), ['conductor/phase-9-old/empty', 'conductor/phase-9-old/merged']);
  const kept = Object.fromEntries(out.kept.map((x: { module: string; reason: string }) => [x.module, x.reason]));
  assert.match(kept.unmerged, /1 commit\(s\) not merged; use --force unmerged/);
  assert.match(kept.dirty, /uncommitted changes/);
  assert.equal(existsSync(wt('empty')), false);
  assert.ok(existsSync(path.join(wt('dirty'), 'draft.txt')));
  const branches = git(repo.root, 'branch', '--list', 'conductor/*');
  assert.match(branches, /conductor\/phase-1-known\/known/, 'the known run is untouched');
  assert.match(branches, /conductor\/phase-9-old\/unmerged/);

  const forced = await conductorBin(repo.root, ['clean', '--force', 'unmerged']);
  assert.equal(forced.code, 0, forced.stderr);
  assert.match(forced.stdout, /removed\s+conductor\/phase-9-old\/unmerged .*\(forced\)/);
  assert.match(forced.stdout, /kept\s+conductor\/phase-9-old\/dirty/);
  assert.doesNotMatch(git(repo.root, 'branch', '--list', 'conductor/*'), /unmerged/);
});

test('never removes live work, forced or not, even with state.json gone: a running agent\'s worktree, a phase being conducted', async () => {
  const live = makeRepo({ 'READY.md': readyMd([{ number: 1, name: 'Live', modules: ['api', 'web'] }]) });
  const pidFile = path.join(live.root, '..', 'api.pid');
  let engine: ReturnType<typeof spawnConductor> | null = null;
  try {
    // Both agents keep working (no event, so conduct writes no new state.json); conduct holds the lock.
    const agent = `echo $$ > ${path.join(live.root, '..')}/$CONDUCTOR_MODULE.pid; exec sleep 600`;
    const conductor = spawnConductor(live.root, ['conduct', '1', '--agent', agent]);
    engine = conductor;
    const exited = new Promise((r) => conductor.once('exit', r));
    // Wait until both agents run and their pids are saved: nothing more is written until they end.
    const stateFile = path.join(live.root, '.conductor', 'state.json');
    const bothSaved = (): boolean => {
      try {
        const modules = JSON.parse(readFileSync(stateFile, 'utf8')).phases['phase-1-live'].modules as { pid: number | null }[];
        return modules.every((m) => m.pid !== null);
      } catch {
        return false;
      }
    };
    for (let i = 0; i < 800 && !(bothSaved() && existsSync(pidFile)); i++) await new Promise((r) => setTimeout(r, 25));
    rmSync(path.join(live.root, '.conductor', 'state.json'), { force: true });
    const apiWorktree = `${live.root}.worktrees/phase-1-live/api`;

    const whileConducting = await conductorBin(live.root, ['clean', '--force', 'api', '--force', 'web', '--json']);
    assert.equal(whileConducting.code, 0, whileConducting.stderr);
    const kept = JSON.parse(whileConducting.stdout).kept as { module: string; reason: string }[];
    assert.match(kept.find((k) => k.module === 'api')!.reason, /its phase is being conducted or merged by conductor conduct 1 \(pid \d+/);
    assert.ok(existsSync(apiWorktree));

    // The engine dies; its agent lives on in the worktree.
    conductor.kill('SIGKILL');
    await exited;
    const agentPid = Number(readFileSync(pidFile, 'utf8'));
    const afterCrash = await conductorBin(live.root, ['clean', '--force', 'api', '--json']);
    assert.equal(afterCrash.code, 0, afterCrash.stderr);
    const keptApi = (JSON.parse(afterCrash.stdout).kept as { module: string; reason: string }[]).find((k) => k.module === 'api')!;
    assert.match(keptApi.reason, new RegExp(`a live process works in its worktree \\(pid ${agentPid}`));
    assert.ok(existsSync(apiWorktree), 'the live agent\'s worktree is still there');
  } finally {
    engine?.kill('SIGKILL');
    for (const m of ['api', 'web']) {
      const file = path.join(live.root, '..', `${m}.pid`);
      if (existsSync(file)) killGroup(Number(readFileSync(file, 'utf8')));
    }
    live.cleanup();
  }
});
