// Follows the agents' status files: `<root>/status/<phase-slug>/<module>.jsonl` and the shared
// `<root>/status.jsonl`. Each file is read incrementally from a byte offset (statusTail.ts), so every complete line is
// delivered exactly once, in file order; a malformed line becomes a Problem and reading goes on.
//
// chokidar watches `status/` only: `.conductor/` itself changes several times per state save, and
// chokidar lists a watched folder and lstats every entry on each change there. The shared
// `status.jsonl` beside it is followed by a plain, non-recursive fs.watch of `.conductor/`, which
// costs nothing per change but a name comparison.
//
// chokidar's raw fs.watch events tell us at once that a file changed; its add/change events can lag
// (new files are found by re-reading the folder, at most once a second) or be swallowed (changes are
// throttled to one per 5 ms per file, and dropped when the mtime did not move). Reading is idempotent,
// so every signal just asks for a read, and two cheap safety nets back them: a follow-up check
// shortly after each read that found data, and a periodic rescan of the folder.

import { watch, type FSWatcher } from 'chokidar';
import * as fsSync from 'node:fs';
import type { Stats } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { Problem } from '../../core/model';
import type { StatusEvent } from '../../core/status/statusLine';
import { Emitter, type Subscription } from './emitter';
import { StatusTail, type StatusSink } from './statusTail';

export interface StatusWatcherOptions {
  /** The `.conductor` folder. Paths in events and problems are relative to its parent (the repository). */
  root: string;
  /** Interval of the safety-net rescan, in ms. */
  rescanMs?: number;
}

const DEFAULT_RESCAN_MS = 2000;
/** How soon after a read that found data the file is checked again, for a change chokidar swallowed. */
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
  private fsw: FSWatcher | null = null;
  /** Plain fs.watch of `root`, for `status.jsonl` (and for `status/` appearing). */
  private rootWatch: fsSync.FSWatcher | null = null;
  private timer: NodeJS.Timeout | null = null;
  private rescanning: Promise<void> | null = null;
  private started = false;
  private disposed = false;
  private markDisposed: () => void = () => undefined;
  private readonly whenDisposed = new Promise<void>((resolve) => {
    this.markDisposed = resolve;
  });

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
    this.markDisposed();
    if (this.timer) clearInterval(this.timer);
    for (const state of this.files.values()) if (state.followUp) clearTimeout(state.followUp);
    const fsw = this.fsw;
    this.fsw = null;
    this.closeRootWatch();
    this.events.clear();
    this.problems.clear();
    this.errors.clear();
    await fsw?.close();
  }

  /** Safety net: (re)attaches chokidar, then checks every status file on disk. Never overlaps itself. */
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

  /** chokidar cannot watch a folder that does not exist yet, so it is attached once `status/` exists. */
  private async ensureWatching(): Promise<void> {
    const [rootExists, exists] = [await isDirectory(this.root), await isDirectory(this.statusDir)];
    if (this.disposed) return;
    if (rootExists && !this.rootWatch) this.watchRoot();
    else if (!rootExists && this.rootWatch) this.closeRootWatch();
    if (exists && !this.fsw) {
      const fsw = watch(this.statusDir, {
        ignoreInitial: false,
        // Waiting for writes to settle would delay and (measured) drop updates; partial lines are carried instead.
        awaitWriteFinish: false,
        ignored: (p, stats) => !this.isWatchedPath(p, stats),
      });
      this.fsw = fsw;
      fsw.on('add', (p) => this.onFileEvent(p));
      fsw.on('change', (p) => this.onFileEvent(p));
      fsw.on('unlink', (p) => void this.forgetIfGone(path.resolve(p)));
      fsw.on('unlinkDir', (p) => this.forgetUnder(path.resolve(p)));
      // The raw fs.watch events arrive at once; chokidar's own add/change can lag behind under load
      // (it re-reads a folder at most once per second to find new files) or be throttled away.
      fsw.on('raw', (_event, name, details) => this.onRawEvent((details as { watchedPath: string }).watchedPath, name as string | null));
      fsw.on('error', (e) => this.reportError(e));
      await Promise.race([new Promise<void>((resolve) => fsw.once('ready', () => resolve())), this.whenDisposed]);
    } else if (!exists && this.fsw) {
      // The whole folder went away; watch it afresh when it comes back.
      const fsw = this.fsw;
      this.fsw = null;
      await fsw.close();
    }
  }

  /** Names only, no listing: `status.jsonl` changed (read it), `status/` appeared (attach chokidar). */
  private watchRoot(): void {
    try {
      const w = fsSync.watch(this.root, { persistent: false }, (_event, name) => {
        if (name === path.basename(this.sharedLog)) void this.schedule(this.sharedLog);
        else if (name === path.basename(this.statusDir) && !this.fsw) void this.rescan();
      });
      // The folder went away (or cannot be watched): the next rescan attaches a new watcher.
      w.on('error', () => {
        if (this.rootWatch === w) this.closeRootWatch();
      });
      this.rootWatch = w;
    } catch (e) {
      if (!isMissing(e)) this.reportError(e);
    }
  }

  private closeRootWatch(): void {
    const w = this.rootWatch;
    this.rootWatch = null;
    w?.close();
  }

  /** Only `status/`, its phase folders, their `*.jsonl` files and `status.jsonl`: never worktrees. */
  private isWatchedPath(p: string, stats?: Stats): boolean {
    const abs = path.resolve(p);
    if (abs === this.root || abs === this.statusDir) return !stats || stats.isDirectory();
    if (abs === this.sharedLog) return !stats || stats.isFile();
    const rel = path.relative(this.statusDir, abs);
    if (rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) return false;
    const depth = rel.split(path.sep).length;
    if (depth === 1) return !stats || stats.isDirectory();
    return depth === 2 && abs.endsWith('.jsonl') && (!stats || stats.isFile());
  }

  private isStatusFile(abs: string): boolean {
    return abs === this.sharedLog || (path.dirname(path.dirname(abs)) === this.statusDir && abs.endsWith('.jsonl'));
  }

  private onFileEvent(p: string): void {
    const abs = path.resolve(p);
    if (this.isStatusFile(abs)) void this.schedule(abs);
  }

  private onRawEvent(watchedPath: string, name: string | null): void {
    const watched = path.resolve(watchedPath);
    // A folder's watcher names the child that changed; a file's watcher names the file itself.
    const abs = this.isStatusFile(watched) ? watched : name ? path.join(watched, name) : null;
    if (abs && this.isStatusFile(abs)) void this.schedule(abs);
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
   * chokidar reports an unlink up to 100 ms late (it waits to see whether the file comes back); by then
   * a new file may be there and already read, and forgetting its offset would deliver its lines twice.
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
