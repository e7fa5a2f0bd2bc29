// The status watcher on real files with real fs.watch. Assertions are about counts and content;
// the only waits are "until the expected events arrived" (with a generous give-up so a bug fails
// instead of hanging) and short pauses that give the watcher a chance to see a partial write.

import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as realFs from 'node:fs';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Problem } from '../../src/core/model';
import type { StatusEvent } from '../../src/core/status/statusLine';
import { StatusWatcher } from '../../src/infra/status/statusWatcher';

const RESCAN_MS = 200;
const GIVE_UP_MS = 30_000;

function statusLine(summary: string, extra: Record<string, unknown> = {}): string {
  return `${JSON.stringify({ status: 'progress', ts: new Date().toISOString(), summary, ...extra })}\n`;
}

class Recorder {
  readonly events: StatusEvent[] = [];
  readonly problems: Problem[] = [];
  readonly errors: Error[] = [];

  constructor(watcher: StatusWatcher) {
    watcher.onEvent((e) => this.events.push(e));
    watcher.onProblem((p) => this.problems.push(p));
    watcher.onError((e) => this.errors.push(e));
  }

  async until(what: string, done: () => boolean): Promise<void> {
    const giveUp = Date.now() + GIVE_UP_MS;
    while (!done()) {
      if (Date.now() > giveUp) {
        assert.fail(`gave up waiting for ${what}: ${this.events.length} events, ${this.problems.length} problems`);
      }
      await sleep(10);
    }
  }

  summaries(file?: string): string[] {
    return this.events.filter((e) => !file || e.file === file).map((e) => e.summary);
  }
}

describe('StatusWatcher', () => {
  let repo: string;
  let root: string;
  let phaseDir: string;
  let watcher: StatusWatcher;
  let rec: Recorder;

  beforeEach(async () => {
    repo = await fs.mkdtemp(path.join(os.tmpdir(), 'conductor-watch-'));
    root = path.join(repo, '.conductor');
    phaseDir = path.join(root, 'status', 'phase-1-core');
    await fs.mkdir(phaseDir, { recursive: true });
    watcher = new StatusWatcher({ root, rescanMs: RESCAN_MS });
    rec = new Recorder(watcher);
  });

  afterEach(async () => {
    await watcher.dispose();
    await fs.rm(repo, { recursive: true, force: true });
    assert.deepEqual(rec.errors, []);
  });

  test('content present before start is delivered by start(), with module, phase and line numbers', async () => {
    await fs.writeFile(path.join(phaseDir, 'auth.jsonl'), statusLine('a1') + statusLine('a2'));
    await fs.writeFile(path.join(root, 'status.jsonl'), statusLine('shared', { feature_id: 'feature-007' }));
    await watcher.start();
    assert.equal(rec.events.length, 3);
    const auth = rec.events.filter((e) => e.module === 'auth');
    assert.deepEqual(auth.map((e) => [e.summary, e.line, e.phase, e.file]), [
      ['a1', 1, 'phase-1-core', '.conductor/status/phase-1-core/auth.jsonl'],
      ['a2', 2, 'phase-1-core', '.conductor/status/phase-1-core/auth.jsonl'],
    ]);
    const shared = rec.events.find((e) => e.file === '.conductor/status.jsonl');
    assert.equal(shared?.module, 'feature-007');
  });

  test('a line appended in pieces is delivered once, whole; a partial line is never reported', async () => {
    const file = path.join(phaseDir, 'api.jsonl');
    await watcher.start();
    const text = statusLine('assembled ✓ from pieces');
    const bytes = Buffer.from(text);
    // Split inside the multi-byte "✓" as well as elsewhere.
    const cut = bytes.indexOf(Buffer.from('✓')) + 1;
    for (const piece of [bytes.subarray(0, 7), bytes.subarray(7, cut), bytes.subarray(cut, bytes.length - 1), bytes.subarray(bytes.length - 1)]) {
      await fs.appendFile(file, piece);
      await sleep(30);
    }
    await rec.until('the assembled line', () => rec.events.length === 1);
    assert.equal(rec.events[0].summary, 'assembled ✓ from pieces');
    assert.equal(rec.events[0].line, 1);
    assert.deepEqual(rec.problems, []);
  });

  test('a partial line waits (across rescans) until it is completed', async () => {
    const file = path.join(phaseDir, 'api.jsonl');
    await watcher.start();
    const second = statusLine('second');
    await fs.appendFile(file, statusLine('first') + second.slice(0, 12));
    await rec.until('the first line', () => rec.events.length === 1);
    await sleep(RESCAN_MS * 3);
    assert.equal(rec.events.length, 1);
    assert.deepEqual(rec.problems, []);
    await fs.appendFile(file, second.slice(12));
    await rec.until('the completed line', () => rec.events.length === 2);
    assert.deepEqual(rec.events.map((e) => [e.summary, e.line]), [['first', 1], ['second', 2]]);
  });

  test('a garbage line is reported with its line number and the next good line is still delivered', async () => {
    const file = path.join(phaseDir, 'db.jsonl');
    await watcher.start();
    await fs.appendFile(file, `${statusLine('ok 1')}this is not json\n\n${JSON.stringify({ status: 'finished', ts: 'x' })}\n${statusLine('ok 2')}`);
    await rec.until('both good lines', () => rec.events.length === 2);
    await rec.until('both problems', () => rec.problems.length === 2);
    assert.deepEqual(rec.events.map((e) => [e.summary, e.line]), [['ok 1', 1], ['ok 2', 5]]);
    assert.deepEqual(rec.problems.map((p) => [p.file, p.line, p.code]), [
      ['.conductor/status/phase-1-core/db.jsonl', 2, 'malformed-status'],
      ['.conductor/status/phase-1-core/db.jsonl', 4, 'malformed-status'],
    ]);
    assert.match(rec.problems[1].message, /"status" must be one of/);
  });

  test('a truncated file is read again from the top', async () => {
    const file = path.join(phaseDir, 'ui.jsonl');
    await fs.writeFile(file, statusLine('old 1') + statusLine('old 2') + statusLine('old 3'));
    await watcher.start();
    assert.equal(rec.events.length, 3);
    await fs.truncate(file, 0);
    await fs.appendFile(file, statusLine('new 1'));
    await rec.until('the new line', () => rec.events.length === 4);
    assert.deepEqual([rec.events[3].summary, rec.events[3].line], ['new 1', 1]);
  });

  test('a file rewritten in place with longer content is read again from the top', async () => {
    const file = path.join(phaseDir, 'ui.jsonl');
    await fs.writeFile(file, statusLine('old'));
    await watcher.start();
    // Same path, new content, already longer than the offset when the watcher looks.
    await fs.writeFile(file, statusLine('rewritten 1') + statusLine('rewritten 2'));
    await rec.until('the rewritten lines', () => rec.events.length === 3);
    assert.deepEqual(rec.events.map((e) => [e.summary, e.line]), [['old', 1], ['rewritten 1', 1], ['rewritten 2', 2]]);
  });

  test('a file atomically replaced (rename) by a copy with one more line delivers just that line', async () => {
    const file = path.join(phaseDir, 'atomic.jsonl');
    const first = statusLine('first');
    await fs.writeFile(file, first);
    await watcher.start();
    const temp = path.join(phaseDir, 'atomic.jsonl.tmp');
    await fs.writeFile(temp, first + statusLine('second'));
    await fs.rename(temp, file);
    await rec.until('the new line', () => rec.events.length === 2);
    await sleep(RESCAN_MS * 3);
    assert.deepEqual(rec.events.map((e) => [e.summary, e.line]), [['first', 1], ['second', 2]]);
  });

  test('an over-long line is reported once and skipped; the next line is delivered', async () => {
    const file = path.join(phaseDir, 'long.jsonl');
    await watcher.start();
    await fs.appendFile(file, statusLine('before'));
    await fs.appendFile(file, 'x'.repeat(3 * 1024 * 1024));
    await fs.appendFile(file, `${'y'.repeat(1000)}\n${statusLine('after')}`);
    await rec.until('the line after', () => rec.events.length === 2);
    assert.deepEqual(rec.events.map((e) => [e.summary, e.line]), [['before', 1], ['after', 3]]);
    assert.equal(rec.problems.length, 1);
    assert.equal(rec.problems[0].line, 2);
    assert.match(rec.problems[0].message, /longer than/);
  });

  test('a listener that throws is reported as an error and delivery goes on', async () => {
    const file = path.join(phaseDir, 'throws.jsonl');
    watcher.onEvent((e) => {
      if (e.summary === 'boom') throw new Error('listener failed');
    });
    await watcher.start();
    await fs.appendFile(file, statusLine('boom') + statusLine('fine'));
    await rec.until('both lines', () => rec.events.length === 2);
    assert.deepEqual(rec.errors.map((e) => e.message), ['listener failed']);
    rec.errors.length = 0;
  });

  test('a deleted and recreated file is read from its first line', async () => {
    const file = path.join(phaseDir, 'gone.jsonl');
    await fs.writeFile(file, statusLine('before'));
    await watcher.start();
    await fs.rm(file);
    await sleep(RESCAN_MS * 2);
    await fs.writeFile(file, statusLine('after'));
    await rec.until('the recreated line', () => rec.events.length === 2);
    assert.deepEqual([rec.events[1].summary, rec.events[1].line], ['after', 1]);
  });

  test('new module files and new phase folders appearing after start are followed', async () => {
    await watcher.start();
    await fs.appendFile(path.join(phaseDir, 'late.jsonl'), statusLine('late'));
    const phase2 = path.join(root, 'status', 'phase-2-extras');
    await fs.mkdir(phase2);
    await fs.appendFile(path.join(phase2, 'search.jsonl'), statusLine('search'));
    await fs.appendFile(path.join(root, 'status.jsonl'), statusLine('shared', { module: 'billing' }));
    await rec.until('three lines', () => rec.events.length === 3);
    assert.deepEqual(rec.events.map((e) => `${e.phase}/${e.module}`).sort(), ['null/billing', 'phase-1-core/late', 'phase-2-extras/search']);
  });

  test('a .conductor folder created after start is picked up', async () => {
    await fs.rm(root, { recursive: true });
    await watcher.start();
    await fs.mkdir(phaseDir, { recursive: true });
    await fs.appendFile(path.join(phaseDir, 'early.jsonl'), statusLine('hello'));
    await rec.until('the line', () => rec.events.length === 1);
    await fs.appendFile(path.join(phaseDir, 'early.jsonl'), statusLine('again'));
    await rec.until('the second line', () => rec.events.length === 2);
    assert.deepEqual(rec.summaries(), ['hello', 'again']);
  });

  test('worktrees, other files and deeper folders are not read', async () => {
    const worktreeStatus = path.join(root, 'worktrees', 'auth', '.conductor', 'status', 'phase-1-core');
    await fs.mkdir(worktreeStatus, { recursive: true });
    await fs.mkdir(path.join(phaseDir, 'nested'), { recursive: true });
    await watcher.start();
    await fs.appendFile(path.join(worktreeStatus, 'auth.jsonl'), statusLine('from a worktree'));
    await fs.appendFile(path.join(root, 'worktrees', 'status.jsonl'), statusLine('nope', { module: 'x' }));
    await fs.appendFile(path.join(phaseDir, 'notes.txt'), 'not a status file\n');
    await fs.appendFile(path.join(phaseDir, 'nested', 'deep.jsonl'), statusLine('too deep'));
    await fs.appendFile(path.join(root, 'status', 'top.jsonl'), statusLine('no phase folder'));
    await fs.appendFile(path.join(phaseDir, 'real.jsonl'), statusLine('real'));
    await rec.until('the real line', () => rec.events.length === 1);
    await sleep(RESCAN_MS * 3);
    assert.deepEqual(rec.summaries(), ['real']);
    assert.deepEqual(rec.problems, []);
  });

  test('saves of state.json next to status/ do not make the watcher list .conductor again', async () => {
    // Every state save creates, links, renames and removes files in .conductor/. Watching that
    // whole folder made chokidar list it and lstat every entry on each of those changes (thousands of
    // lstat calls for a 20-module phase); only status/ and status.jsonl concern the watcher.
    await fs.writeFile(path.join(root, 'state.json'), '{}\n');
    await watcher.start();
    const lstats: string[] = [];
    const original = realFs.promises.lstat;
    realFs.promises.lstat = ((p: realFs.PathLike, ...rest: unknown[]) => {
      if (path.dirname(String(p)) === root) lstats.push(String(p));
      return (original as (...a: unknown[]) => unknown)(p, ...rest);
    }) as typeof original;
    try {
      for (let i = 0; i < 30; i++) {
        const tmp = path.join(root, `state.json.${i}.tmp`);
        await fs.writeFile(tmp, `{"n":${i}}\n`);
        await fs.rename(tmp, path.join(root, 'state.json'));
        await sleep(5);
      }
      await fs.appendFile(path.join(phaseDir, 'm.jsonl'), statusLine('after the saves'));
      await fs.appendFile(path.join(root, 'status.jsonl'), statusLine('shared', { module: 'm' }));
      await rec.until('both lines', () => rec.events.length === 2);
      await sleep(RESCAN_MS * 2);
    } finally {
      realFs.promises.lstat = original;
    }
    assert.deepEqual(lstats, []);
    assert.deepEqual(rec.summaries().sort(), ['after the saves', 'shared']);
  });

  test('a change to one status file does not make the watcher look at the others (no listing per change)', async () => {
    // chokidar listed the phase folder and lstat-ed every entry on each change in it: with one file
    // per module, a phase of n modules cost O(n) per status line, O(n²) in all.
    for (let i = 0; i < 40; i++) await fs.writeFile(path.join(phaseDir, `other${i}.jsonl`), statusLine(`other ${i}`));
    // No safety-net rescan during the test: whatever looks at the other files is a change's doing.
    await watcher.dispose();
    watcher = new StatusWatcher({ root, rescanMs: 600_000 });
    rec = new Recorder(watcher);
    await watcher.start();
    await rec.until('the existing lines', () => rec.events.length === 40);
    const looked: string[] = [];
    const patched = ['lstat', 'stat'] as const;
    const originals = patched.map((k) => realFs.promises[k]);
    patched.forEach((k, i) => {
      realFs.promises[k] = ((p: realFs.PathLike, ...rest: unknown[]) => {
        if (path.basename(String(p)).startsWith('other')) looked.push(`${k} ${path.basename(String(p))}`);
        return (originals[i] as (...a: unknown[]) => unknown)(p, ...rest);
      }) as never;
    });
    const file = path.join(phaseDir, 'm.jsonl');
    try {
      for (let i = 0; i < 20; i++) {
        await fs.appendFile(file, statusLine(`m ${i}`));
        await rec.until(`line ${i}`, () => rec.summaries(path.relative(repo, file)).length === i + 1);
      }
    } finally {
      patched.forEach((k, i) => (realFs.promises[k] = originals[i] as never));
    }
    assert.deepEqual(looked.slice(0, 5), [], `the other files were looked at on changes to m.jsonl (${looked.length} calls)`);
  });

  test('after dispose nothing more is delivered', async () => {
    const file = path.join(phaseDir, 'm.jsonl');
    await watcher.start();
    await fs.appendFile(file, statusLine('one'));
    await rec.until('the line', () => rec.events.length === 1);
    await watcher.dispose();
    await fs.appendFile(file, statusLine('two'));
    await sleep(RESCAN_MS * 3);
    assert.equal(rec.events.length, 1);
  });

  test('50 writers x 20 lines at once: every line delivered exactly once, in file order', async () => {
    const writers = 50;
    const perWriter = 20;
    await watcher.start();
    const phases = ['phase-1-core', 'phase-2-extras', 'phase-3-more'];
    for (const p of phases) await fs.mkdir(path.join(root, 'status', p), { recursive: true });
    await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        const file = path.join(root, 'status', phases[w % phases.length], `w${w}.jsonl`);
        for (let i = 1; i <= perWriter; i++) {
          await fs.appendFile(file, statusLine(`w${w}#${i}`));
          if (i % 3 === 0) await sleep(Math.random() * 5);
        }
      }),
    );
    await rec.until('all lines', () => rec.events.length >= writers * perWriter);
    // Let a few rescans and follow-ups pass: a duplicate would show up now.
    await sleep(RESCAN_MS * 4);
    assert.equal(rec.events.length, writers * perWriter);
    assert.equal(new Set(rec.summaries()).size, writers * perWriter);
    for (let w = 0; w < writers; w++) {
      const mine = rec.events.filter((e) => e.module === `w${w}`);
      assert.deepEqual(mine.map((e) => e.summary), Array.from({ length: perWriter }, (_, i) => `w${w}#${i + 1}`));
      assert.deepEqual(mine.map((e) => e.line), Array.from({ length: perWriter }, (_, i) => i + 1));
    }
    assert.deepEqual(rec.problems, []);
  });
});
