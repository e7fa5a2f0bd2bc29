// Waits for files that agents' wrappers write when they end (their exit codes). One fs.watch per
// folder tells which file appeared, and one slow timer looks at every awaited file as a safety net
// (a watch can miss an event, or not be possible at all) — instead of a timer per agent reading its
// file several times a second, which with hundreds of agents was a steady stream of failed opens.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { watchNames } from '../watchNames';

const SAFETY_NET_MS = 2000;

interface Waiter {
  file: string;
  resolve(text: string): void;
}

export class ExitFiles {
  private readonly waiters = new Map<string, Waiter>();
  private readonly folders = new Map<string, { watch: fs.FSWatcher | null; count: number }>();
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(private readonly safetyNetMs = SAFETY_NET_MS) {}

  /** Resolves with the file's text once it is there; `cancel` stops waiting (the promise never settles then). */
  wait(file: string): { text: Promise<string>; cancel(): void } {
    const abs = path.resolve(file);
    let waiter!: Waiter;
    const text = new Promise<string>((resolve) => {
      waiter = { file: abs, resolve };
    });
    this.cancel(abs);
    this.waiters.set(abs, waiter);
    this.watchFolder(path.dirname(abs));
    this.timer ??= setInterval(() => this.checkAll(), this.safetyNetMs);
    // Written before the watch was there.
    this.check(abs);
    return { text, cancel: () => this.waiters.get(abs) === waiter && this.cancel(abs) };
  }

  dispose(): void {
    for (const file of [...this.waiters.keys()]) this.cancel(file);
  }

  private cancel(abs: string): void {
    if (!this.waiters.delete(abs)) return;
    this.unwatchFolder(path.dirname(abs));
    if (this.waiters.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  private check(abs: string): void {
    const waiter = this.waiters.get(abs);
    if (!waiter) return;
    fs.readFile(abs, 'utf8', (err, text) => {
      // An empty file is being written: its next change (or the safety net) reads it again.
      if (err || text === '' || this.waiters.get(abs) !== waiter) return;
      this.cancel(abs);
      waiter.resolve(text);
    });
  }

  private checkAll(): void {
    for (const file of this.waiters.keys()) this.check(file);
  }

  private watchFolder(dir: string): void {
    const known = this.folders.get(dir);
    if (known) {
      known.count++;
      return;
    }
    // A folder that cannot be watched (or goes away) leaves the safety net to go on alone.
    const watch = watchNames(
      dir,
      (name) => (name === null ? this.checkAll() : this.check(path.join(dir, name))),
      () => {
        const entry = this.folders.get(dir);
        if (entry) entry.watch = null;
      },
    );
    this.folders.set(dir, { watch, count: 1 });
  }

  private unwatchFolder(dir: string): void {
    const entry = this.folders.get(dir);
    if (!entry || --entry.count > 0) return;
    entry.watch?.close();
    this.folders.delete(dir);
  }
}
