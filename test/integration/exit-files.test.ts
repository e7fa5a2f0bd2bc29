// ExitFiles on real files and real fs.watch: the exit codes agents' wrappers write when they end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ExitFiles } from '../../src/infra/process/exitFiles';

function folder(): string {
  return mkdtempSync(path.join(tmpdir(), 'exit-files-'));
}

test('each waiter gets its own file\'s text once it is written, the others keep waiting', async () => {
  const dir = folder();
  const exits = new ExitFiles(60_000); // no safety net during the test: the watch must tell
  try {
    const done = new Map<string, string>();
    const waits = Array.from({ length: 30 }, (_, i) => exits.wait(path.join(dir, `m${i}.log.exit`)));
    waits.forEach((w, i) => void w.text.then((t) => done.set(`m${i}`, t)));
    writeFileSync(path.join(dir, 'm7.log.exit'), '3');
    assert.equal(await waits[7].text, '3');
    // Written in two steps, as a shell's `>` does: created empty, then written.
    writeFileSync(path.join(dir, 'm8.log.exit'), '');
    writeFileSync(path.join(dir, 'm8.log.exit'), '0');
    assert.equal(await waits[8].text, '0');
    assert.deepEqual([...done.keys()].sort(), ['m7', 'm8']);
  } finally {
    exits.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a file already there is read at once; a folder that does not exist yet is covered by the safety net', async () => {
  const dir = folder();
  const exits = new ExitFiles(50);
  try {
    writeFileSync(path.join(dir, 'early.exit'), '1');
    assert.equal(await exits.wait(path.join(dir, 'early.exit')).text, '1');
    const later = path.join(dir, 'not-yet', 'late.exit');
    const waiting = exits.wait(later);
    mkdirSync(path.dirname(later));
    writeFileSync(later, '2');
    assert.equal(await waiting.text, '2');
  } finally {
    exits.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a cancelled wait never settles; waiting again for the same file works', async () => {
  const dir = folder();
  const exits = new ExitFiles(60_000);
  try {
    const file = path.join(dir, 'm.exit');
    let settled = false;
    const first = exits.wait(file);
    void first.text.then(() => (settled = true));
    first.cancel();
    const again = exits.wait(file);
    const other = exits.wait(path.join(dir, 'other.exit'));
    writeFileSync(file, '5');
    writeFileSync(path.join(dir, 'other.exit'), '6');
    assert.equal(await again.text, '5');
    assert.equal(await other.text, '6');
    assert.equal(settled, false);
  } finally {
    exits.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
});
