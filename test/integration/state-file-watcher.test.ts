// The state file watcher on a real folder with real fs.watch: it reports the state file being
// replaced the way StateFile writes it (temp file + rename), ignores its neighbours, and lets go of
// a folder that is removed so it can attach to the next one.
import { afterEach, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { emptyState } from '../../src/core/run/model';
import { StateFile } from '../../src/infra/state/stateFile';
import { StateFileWatcher } from '../../src/infra/state/stateFileWatcher';

const GIVE_UP_MS = 30_000;

let root: string;
let dir: string;
let stateFile: string;
let watcher: StateFileWatcher;
let changes: number;

beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'sc-state-watch-'));
  dir = path.join(root, '.conductor');
  stateFile = path.join(dir, 'state.json');
  changes = 0;
  watcher = new StateFileWatcher(stateFile, () => changes++);
});

afterEach(() => {
  watcher.dispose();
  rmSync(root, { recursive: true, force: true });
});

async function until(what: string, ok: () => boolean): Promise<void> {
  const deadline = Date.now() + GIVE_UP_MS;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await sleep(10);
  }
}

test('without the folder it does not watch; once the folder exists it does', async () => {
  assert.equal(watcher.attach(), false);
  assert.equal(watcher.attached, false);
  await fs.mkdir(dir);
  assert.equal(watcher.attach(), true);
  assert.equal(watcher.attach(), true, 'attaching again is a no-op');
});

test('a state saved by StateFile (temp file + rename) is reported', async () => {
  await fs.mkdir(dir);
  watcher.attach();
  await new StateFile(stateFile).save(emptyState());
  await until('a change', () => changes > 0);
});

test('other files in the folder are not the state file', async () => {
  await fs.mkdir(dir);
  watcher.attach();
  await fs.writeFile(path.join(dir, 'other.json'), '{}');
  await fs.mkdir(path.join(dir, 'status'));
  // Then the state file, so the test knows the events before it were delivered.
  await fs.writeFile(stateFile, '{}');
  await until('the state file change', () => changes > 0);
  const seen = changes;
  await fs.writeFile(path.join(dir, 'other.json'), '{"a":1}');
  await fs.writeFile(stateFile, '{"b":1}');
  await until('the second state file change', () => changes > seen);
  // Every change counted was the state file's: two writes, at most a couple of events each.
  assert.ok(changes <= 4, `${changes} changes for two writes of the state file`);
});

test('a removed folder detaches it; it attaches to the folder made again', async () => {
  await fs.mkdir(dir);
  watcher.attach();
  await fs.rm(dir, { recursive: true });
  await until('the watcher to let go', () => !watcher.attached);
  await fs.mkdir(dir);
  assert.equal(watcher.attach(), true);
  await fs.writeFile(stateFile, '{}');
  await until('a change in the new folder', () => changes > 0);
});

test('after dispose it neither watches nor attaches', async () => {
  await fs.mkdir(dir);
  watcher.attach();
  watcher.dispose();
  assert.equal(watcher.attached, false);
  assert.equal(watcher.attach(), false);
});
