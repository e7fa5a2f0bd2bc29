// Follows the agents' status files: `<root>/status/<phase-slug>/<module>.jsonl` and the shared
// `<root>/status.jsonl`. Each file is read incrementally from a byte offset (statusTail.ts), so every
// complete line is delivered exactly once, in file order; a malformed line becomes a Problem and
// reading goes on.
//
// Plain, non-recursive fs.watch on `.conductor/`, on `status/` and on each phase folder: an event
// names the file that changed, and only that file is read. (chokidar, used before, listed a folder
// and lstat-ed every entry on each change in it: with a file per module, O(n²) over a phase.) An
// event is only a hint to read — reading is idempotent — and two cheap safety nets back them: a
// follow-up check shortly after each read that found data, and a periodic rescan of the folders,
// which also attaches watches to folders that appeared and drops those that went away.

import * as fsSync from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { Problem } from '../../core/model';
import type { StatusEvent } from '../../core/status/statusLine';
import { watchNames } from '../watchNames';
import { Emitter, type Subscription } from './emitter';
import { StatusTail, type StatusSink } from './statusTail';

export interface StatusWatcherOptions {
  /** The `.conductor` folder. Paths in events and problems are relative to its parent (the repository). */
  root: string;
  /** Interval of the safety-net rescan, in ms. */
  rescanMs?: number;
}

const DEFAULT_RESCAN_MS = 2000;
/** How soon after a read that found data the file is checked again, for a change whose event was coalesced away. */
const FOLLOW_UP_MS = 40;

interface FileState {
  /** What has been read of the file so far. */
  tail: StatusTail;
  /** The file's identity and mtime at the last rescan, so the next one can skip unchanged files. */
  ino: number;
  mtimeMs: number;
  /** The read loop in progress; reads of one file never overlap. */
  running: Promise<void> | null;
  /** Something happened while reading: read again before stopping. */
  again: boolean;
  followUp: NodeJS.Timeout | null;
}

export class StatusWatcher {
  private readonly root: string;
  private readonly statusDir: string;
  private readonly sharedLog: string;
  private readonly rescanMs: number;
  private readonly files = new Map<string, FileState>();
  private readonly errors = new Emitter<Error>();
  private readonly events = new Emitter<StatusEvent>((e) => this.reportError(e));
  private readonly problems = new Emitter<Problem>((e) => this.reportError(e));
  private readonly sink: StatusSink = {
    event: (e) => this.events.emit(e),
    problem: (p) => this.problems.emit(p),
    stopped: () => this.disposed,
  };
  /** Watches `status/` (for phase folders that appear) and each phase folder (for its files). */
  private statusWatch: fsSync.FSWatcher | null = null;
  private readonly phaseWatches = new Map<string, fsSync.FSWatcher>();
  /** Plain fs.watch of `root`, for `status.jsonl` (and for `status/` appearing). */
  private rootWatch: fsSync.FSWatcher | null = null;
  private timer: NodeJS.Timeout | null = null;
  private rescanning: Promise<void> | null = null;
  private started = false;
  private disposed = false;

  constructor(options: StatusWatcherOptions) {
    this.root = path.resolve(options.root);
    this.statusDir = path.join(this.root, 'status');
    this.sharedLog = path.join(this.root, 'status.jsonl');
    this.rescanMs = options.rescanMs ?? DEFAULT_RESCAN_MS;
  }

  onEvent(listener: (event: StatusEvent) => void): Subscription {
    return this.events.on(listener);
  }

  onProblem(listener: (problem: Problem) => void): Subscription {
    return this.problems.on(listener);
  }

  /** File-system errors other than a file vanishing, and exceptions thrown by listeners. */
  onError(listener: (error: Error) => void): Subscription {
    return this.errors.on(listener);
  }

  /** Starts watching; resolves once the content already present has been delivered. */
  async start(): Promise<void> {
    if (this.started || this.disposed) return;
    this.started = true;
    this.timer = setInterval(() => void this.rescan(), this.rescanMs);
    this.timer.unref();
    await this.rescan();
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    if (this.timer) clearInterval(this.timer);
    for (const state of this.files.values()) if (state.followUp) clearTimeout(state.followUp);
    this.closeRootWatch();
    this.closeStatusWatches();
    this.events.clear();
    this.problems.clear();
    this.errors.clear();
  }

  /** Safety net: (re)attaches the watches, then checks every status file on disk. Never overlaps itself. */
  private rescan(): Promise<void> {
    this.rescanning ??= this.doRescan()
      .catch((e) => this.reportError(e))
      .finally(() => {
        this.rescanning = null;
      });
    return this.rescanning;
  }

  private async doRescan(): Promise<void> {
    await this.ensureWatching();
    const onDisk = await this.listStatusFiles();
    // Forget a file only once it is really gone: it may have appeared since the listing.
    for (const [known, state] of [...this.files]) {
      if (!onDisk.has(known) && !state.running && !(await isFile(known))) this.forget(known);
    }
    await Promise.all([...onDisk].map((file) => this.checkFile(file)));
  }

  /** Watches can only be put on folders that exist: attached as they appear, dropped as they go. */
  private async ensureWatching(): Promise<void> {
    const [rootExists, exists] = [await isDirectory(this.root), await isDirectory(this.statusDir)];
    if (this.disposed) return;
    if (rootExists && !this.rootWatch) this.watchRoot();
    else if (!rootExists && this.rootWatch) this.closeRootWatch();
    if (!exists) {
      this.closeStatusWatches();
      return;
    }
    this.statusWatch ??= this.watchFolder(this.statusDir, () => void this.watchPhaseFolders(), () => (this.statusWatch = null));
    await this.watchPhaseFolders();
  }

  /** A watch on each phase folder (and none on one that went away); files already in a new one are read. */
  private async watchPhaseFolders(): Promise<void> {
    const folders = new Set((await readDirectory(this.statusDir)).filter((e) => e.isDirectory()).map((e) => path.join(this.statusDir, e.name)));
    if (this.disposed) return;
    for (const [dir, w] of this.phaseWatches) {
      if (folders.has(dir)) continue;
      w.close();
      this.phaseWatches.delete(dir);
      this.forgetUnder(dir);
    }
    for (const dir of folders) {
      if (this.phaseWatches.has(dir)) continue;
      const w = this.watchFolder(dir, (name) => this.onPhaseEvent(dir, name), () => this.phaseWatches.delete(dir));
      if (!w) continue;
      this.phaseWatches.set(dir, w);
      // Files written before the watch was there.
      for (const e of await readDirectory(dir)) if (e.isFile() && e.name.endsWith('.jsonl')) void this.schedule(path.join(dir, e.name));
    }
  }

  private onPhaseEvent(dir: string, name: string | null): void {
    // No name: something happened the event cannot say; look at the whole folder.
    if (name === null) return void this.rescan();
    if (!name.endsWith('.jsonl')) return;
    const abs = path.join(dir, name);
    // A deletion, a rename or a new file: read it if it is there (a new file, a replacement), forget it if not.
    void isFile(abs).then((there) => (there ? this.schedule(abs) : this.forgetIfGone(abs)));
  }

  /** A non-recursive watch whose events give the name of the entry that changed; null when it cannot be made. */
  private watchFolder(dir: string, onName: (name: string | null) => void, onClosed: () => void): fsSync.FSWatcher | null {
    // The folder went away (or cannot be watched any more): the next rescan attaches a new watch.
    return watchNames(dir, (name) => !this.disposed && onName(name), onClosed, (e) => this.reportError(e));
  }

  private closeStatusWatches(): void {
    this.statusWatch?.close();
    this.statusWatch = null;
    for (const w of this.phaseWatches.values()) w.close();
    this.phaseWatches.clear();
  }

  /** Names only, no listing: `status.jsonl` changed (read it), `status/` appeared (attach its watches). */
  private watchRoot(): void {
    const w = this.watchFolder(
      this.root,
      (name) => {
        if (name === path.basename(this.sharedLog)) void this.schedule(this.sharedLog);
        else if (name === path.basename(this.statusDir) && !this.statusWatch) void this.rescan();
      },
      () => {
        if (this.rootWatch === w) this.rootWatch = null;
      },
    );
    this.rootWatch = w;
  }

  private closeRootWatch(): void {
    const w = this.rootWatch;
    this.rootWatch = null;
    w?.close();
  }

  private async listStatusFiles(): Promise<Set<string>> {
    const found = new Set<string>();
    if (await isFile(this.sharedLog)) found.add(this.sharedLog);
    for (const phase of await readDirectory(this.statusDir)) {
      if (!phase.isDirectory()) continue;
      const phaseDir = path.join(this.statusDir, phase.name);
      for (const entry of await readDirectory(phaseDir)) {
        if (entry.isFile() && entry.name.endsWith('.jsonl')) found.add(path.join(phaseDir, entry.name));
      }
    }
    return found;
  }

  /** Reads a file the rescan found unless it is already being read or is unchanged since the last read. */
  private async checkFile(abs: string): Promise<void> {
    const state = this.files.get(abs);
    if (state?.running) return state.running;
    if (state) {
      const stat = await fs.stat(abs).catch(() => null);
      if (!stat) return;
      const unchanged = stat.size === state.tail.offset && stat.ino === state.ino && stat.mtimeMs === state.mtimeMs;
      state.ino = stat.ino;
      state.mtimeMs = stat.mtimeMs;
      if (unchanged) return;
    }
    return this.schedule(abs);
  }

  /** Reads whatever is new in `abs`; a request during a read makes that read loop once more. */
  private schedule(abs: string): Promise<void> {
    if (this.disposed) return Promise.resolve();
    let state = this.files.get(abs);
    if (!state) {
      state = newFileState(this.relative(abs));
      this.files.set(abs, state);
    }
    if (state.running) {
      state.again = true;
      return state.running;
    }
    const s = state;
    const loop = async (): Promise<void> => {
      // The first read is synchronous and emits events: let `running` be set before it starts.
      await Promise.resolve();
      let foundData = false;
      try {
        do {
          s.again = false;
          if (await s.tail.readNew(abs, this.sink)) foundData = true;
        } while (s.again && !this.disposed && this.files.get(abs) === s);
      } catch (e) {
        this.reportError(e);
      } finally {
        // Cleared in the same tick as the last `again` check, so no request can slip between them.
        s.running = null;
      }
      if (foundData && !s.followUp && !this.disposed && this.files.get(abs) === s) {
        s.followUp = setTimeout(() => {
          s.followUp = null;
          if (this.files.get(abs) === s) void this.schedule(abs);
        }, FOLLOW_UP_MS);
      }
    };
    s.running = loop();
    return s.running;
  }

  private forget(abs: string): void {
    const state = this.files.get(abs);
    if (!state) return;
    if (state.followUp) clearTimeout(state.followUp);
    this.files.delete(abs);
  }

  /**
   * A deletion is forgotten only once the file is really gone: by the time its event is handled, a
   * new file may be there and already read, and forgetting its offset would deliver its lines twice.
   */
  private async forgetIfGone(abs: string): Promise<void> {
    if (!(await isFile(abs))) this.forget(abs);
  }

  private forgetUnder(dir: string): void {
    for (const abs of [...this.files.keys()]) if (abs.startsWith(dir + path.sep)) void this.forgetIfGone(abs);
  }

  /** Relative to the repository (the parent of `.conductor`), with forward slashes, as Problems expect. */
  private relative(abs: string): string {
    return path.relative(path.dirname(this.root), abs).split(path.sep).join('/');
  }

  private reportError(e: unknown): void {
    if (this.disposed) return;
    this.errors.emit(e instanceof Error ? e : new Error(String(e)));
  }
}

function newFileState(file: string): FileState {
  return { tail: new StatusTail(file), ino: 0, mtimeMs: 0, running: null, again: false, followUp: null };
}

function isMissing(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

async function isDirectory(p: string): Promise<boolean> {
  return (await fs.stat(p).catch(() => null))?.isDirectory() ?? false;
}

async function isFile(p: string): Promise<boolean> {
  return (await fs.stat(p).catch(() => null))?.isFile() ?? false;
}

async function readDirectory(dir: string) {
  try {
    return await fs.readdir(dir, { withFileTypes: true });
  } catch (e) {
    if (isMissing(e)) return [];
    throw e;
  }
}
