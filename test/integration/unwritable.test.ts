// A `.conductor/` that cannot be written (full disk, read-only, a file where the folder should be):
// conduct stops with one line naming the path and the cause, exit 1, and state.json keeps its last
// complete save.
//
// Tests run as root, where chmod does not stop a write. So the causes are provoked for real:
//   ENOTDIR  `.conductor` is a file: works anywhere, always run;
//   EROFS    `.conductor` bind-mounted read-only, and
//   ENOSPC   `.conductor` on a tiny tmpfs an agent fills up,
// both inside a private mount namespace (`unshare -m`) that ends with the command, so no mount is
// ever visible outside it. Where unshare or mount is not allowed (not root, no CAP_SYS_ADMIN), those
// two are skipped and say why.
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { GIT_ENV, makeRepo, type TempRepo } from '../support/gitRepo';
import { conductorBin, DIST_CLI, SCRIPTED_AGENT } from '../support/conductorBin';
import { contractFor, readyMd } from '../support/specBuilder';

const repos: TempRepo[] = [];
after(() => repos.forEach((r) => r.cleanup()));

function shop(): TempRepo {
  const repo = makeRepo({ 'READY.md': readyMd([{ number: 1, name: 'Shop', modules: ['a'] }]), 'contracts/a.md': contractFor('a') });
  repos.push(repo);
  return repo;
}

const STACK_TRACE = /^\s+at .+\(?.*:\d+:\d+\)?$/m;

/** Runs `script` with sh in a private mount namespace; null when this machine does not allow it. */
function inMountNamespace(cwd: string, script: string, env: Record<string, string> = {}) {
  const r = spawnSync('unshare', ['-m', 'sh', '-c', script], { cwd, encoding: 'utf8', env: { ...process.env, ...GIT_ENV, ...env } });
  return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', error: r.error };
}

function mountsAllowed(): string | null {
  const dir = path.join(shop().root, 'probe');
  mkdirSync(dir);
  const r = inMountNamespace(dir, 'mount -t tmpfs -o size=64k tmpfs . && mount --bind . . && mount -o remount,bind,ro . .');
  return r.code === 0 ? null : `private mounts are not allowed here (${(r.error?.message ?? r.stderr).trim()})`;
}
const noMounts = mountsAllowed();

describe('conduct on a .conductor that cannot be written', () => {
  test('.conductor is a file (ENOTDIR): one line naming the path and the cause, exit 1', async () => {
    const repo = shop();
    writeFileSync(path.join(repo.root, '.conductor'), 'not a folder\n');
    const r = await conductorBin(repo.root, ['conduct', '1', '--agent', SCRIPTED_AGENT]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.equal(r.stderr, `conductor: cannot write ${path.join(repo.root, '.conductor')}: a part of that path is a file, not a folder (ENOTDIR). Spec Conductor keeps its state, status files, prompts and logs there.\n`);
    assert.doesNotMatch(r.stderr, STACK_TRACE);
  });

  test('.conductor read-only (EROFS): one line naming the path and the cause, exit 1, state.json unchanged', { skip: noMounts ?? false }, async () => {
    const repo = shop();
    assert.equal((await conductorBin(repo.root, ['conduct', '1', '--agent', SCRIPTED_AGENT])).code, 0);
    const state = readFileSync(path.join(repo.root, '.conductor/state.json'), 'utf8');
    const r = inMountNamespace(repo.root, `mount --bind .conductor .conductor && mount -o remount,bind,ro .conductor .conductor && exec "${process.execPath}" "${DIST_CLI}" conduct 1 --agent "${SCRIPTED_AGENT}"`);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stderr, new RegExp(`^conductor: cannot write ${path.join(repo.root, '.conductor')}[^:]*: the file system is read-only \\(EROFS\\)`, 'm'));
    assert.doesNotMatch(r.stderr, STACK_TRACE);
    assert.equal(readFileSync(path.join(repo.root, '.conductor/state.json'), 'utf8'), state);
  });

  test('the disk fills up while an agent runs (ENOSPC): one line naming the file and the cause, exit 1, state.json still the last complete save', { skip: noMounts ?? false }, async () => {
    const repo = shop();
    // The agent fills the disk, then exits without reporting: saving that exit is what fails.
    const filler = path.join(repo.root, '..', 'fill-disk-agent.mjs');
    writeFileSync(
      filler,
      `import * as fs from 'node:fs';
const fd = fs.openSync(process.env.CONDUCTOR_STATUS_FILE + '.filler', 'w');
const block = Buffer.alloc(4096, 120);
try { for (;;) fs.writeSync(fd, block); } catch (e) { if (e.code !== 'ENOSPC') throw e; }
process.exit(3);
`,
    );
    const out = path.join(repo.root, '..', 'state-after.json');
    const r = inMountNamespace(
      repo.root,
      `mkdir .conductor && mount -t tmpfs -o size=512k tmpfs .conductor || exit 99
"${process.execPath}" "${DIST_CLI}" conduct 1 --agent "node ${filler}" --retries 0; code=$?
cp .conductor/state.json "${out}"; exit $code`,
    );
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stderr, new RegExp(`^conductor: cannot write ${path.join(repo.root, '.conductor')}/[^:]+: no space is left on the device \\(ENOSPC\\)`, 'm'));
    assert.match(r.stderr, /state\.json keeps its last complete save: once that is fixed, run the command again to resume/);
    assert.doesNotMatch(r.stderr, STACK_TRACE);
    const saved = JSON.parse(readFileSync(out, 'utf8'));
    assert.equal(saved.phases['phase-1-shop'].modules[0].state, 'running', 'the last complete save: the agent running');
  });
});
