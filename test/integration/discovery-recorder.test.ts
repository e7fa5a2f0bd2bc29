// The recorder on the real file system (NodeFiles): many discoveries at once, writes that fail, and
// a log replaced by a symlink.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DiscoveryRecorder } from '../../src/core/run/discoveryRecorder';
import { parseDiscoveryLog, type Discovery } from '../../src/core/discoveries/discovery';
import { parseDiscoveriesMarkdown } from '../../src/core/discoveries/discoveriesMarkdown';
import { NodeFiles } from '../../src/infra/nodeFiles';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'conductor-discoveries-'));
  dirs.push(dir);
  return dir;
}

const d = (i: number): Discovery => ({
  phase: 1, phaseSlug: 'phase-1-base', phaseName: 'Base', module: `m${i % 5}`, kind: i % 3 === 0 ? 'spec-correction' : 'discovery',
  at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(), text: `note ${i}`, attempt: 1, runId: 'r',
});

describe('DiscoveryRecorder', () => {
  test('30 discoveries at once (and each again): 30 log lines, 30 entries in DISCOVERIES.md', async () => {
    const dir = tempDir();
    const where = { log: path.join(dir, '.conductor', 'discoveries.jsonl'), markdown: path.join(dir, 'DISCOVERIES.md') };
    const notes: string[] = [];
    const recorder = new DiscoveryRecorder(new NodeFiles(), where, () => 'phase-1-base', (t) => notes.push(t));
    await recorder.load();
    const fresh = Array.from({ length: 30 }, (_, i) => recorder.record(d(i)));
    const repeated = Array.from({ length: 30 }, (_, i) => recorder.record(d(i)));
    await recorder.flushed();
    assert.deepEqual([fresh.every(Boolean), repeated.some(Boolean)], [true, false]);
    assert.deepEqual(notes, []);
    assert.equal(readFileSync(where.log, 'utf8').trim().split('\n').length, 30);
    assert.equal(parseDiscoveryLog(readFileSync(where.log, 'utf8')).entries.length, 30);
    assert.equal(parseDiscoveriesMarkdown(readFileSync(where.markdown, 'utf8')).entries.length, 30);
    assert.equal(recorder.all.length, 30);
  });

  test('a DISCOVERIES.md that cannot be written is noted; the discovery is still in the log and in memory', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'blocker'), '');
    const where = { log: path.join(dir, 'discoveries.jsonl'), markdown: path.join(dir, 'blocker', 'DISCOVERIES.md') };
    const notes: string[] = [];
    const recorder = new DiscoveryRecorder(new NodeFiles(), where, () => 's', (t) => notes.push(t));
    await recorder.load();
    assert.equal(recorder.record(d(1)), true);
    await recorder.flushed();
    assert.equal(notes.length, 1);
    assert.match(notes[0], /^discoveries: .*blocker/);
    assert.equal(parseDiscoveryLog(readFileSync(where.log, 'utf8')).entries.length, 1);
    assert.deepEqual(recorder.all.map((x) => x.text), ['note 1']);
  });

  test('a log replaced by a symlink is not written through', async () => {
    const dir = tempDir();
    const elsewhere = path.join(dir, 'elsewhere.jsonl');
    const where = { log: path.join(dir, 'discoveries.jsonl'), markdown: path.join(dir, 'DISCOVERIES.md') };
    symlinkSync(elsewhere, where.log);
    const notes: string[] = [];
    const recorder = new DiscoveryRecorder(new NodeFiles(), where, () => 's', (t) => notes.push(t));
    recorder.record(d(2));
    await recorder.flushed();
    assert.equal(existsSync(elsewhere), false);
    assert.match(notes.join('\n'), /ELOOP|symbolic link/);
  });
});
