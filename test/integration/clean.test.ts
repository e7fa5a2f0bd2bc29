// `conductor clean`: orphaned conductor worktrees and branches go only when nothing would be lost.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { git, makeRepo } from '../support/gitRepo';
import { conductorBin, SCRIPTED_AGENT } from '../support/conductorBin';
import { readyMd } from '../support/specBuilder';

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
