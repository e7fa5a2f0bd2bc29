// `.conductor/state.json`: written atomically (temp file + rename) after every change, one write at
// a time, so a crash at any moment leaves the old or the new state, never half of one.
//
// A file that cannot be used is never moved away or overwritten silently. Commands that only read
// the state (status, merge, clean, …) refuse it with what is wrong (read()); conducting a phase
// rebuilds that phase's record from its branches and status files (load()), after keeping a copy of
// the unreadable file. A file from a newer version is refused by both: this build must not rewrite
// what it does not understand.
import { constants as fsConstants, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { emptyState, STATE_VERSION, type PhaseRun, type RunStateFile } from '../../core/run/model';
import { parseState } from '../../core/run/validateState';
import { asWriteError } from '../fsErrors';
import { withWriteLock } from './writeLock';

export type LoadedState = { state: RunStateFile; note: string | null };

/** state.json exists but cannot be used: the message names the file and what is wrong. */
export class StateFileError extends Error {
  override readonly name = 'StateFileError';
  constructor(
    readonly file: string,
    readonly reason: 'unreadable' | 'newer',
    message: string,
  ) {
    super(message);
  }
}

export class StateFile {
  private queue: Promise<void> = Promise.resolve();
  private counter = 0;
  /** Per phase, the save queued behind the write under way (not started yet), if any. */
  private readonly waiting = new Map<string, { run: PhaseRun; done: Promise<void> }>();

  constructor(readonly file: string) {}

  /**
   * For commands that only read the state: a missing file is an empty state; a corrupt file or one
   * from a newer version is refused (StateFileError) and left exactly as it is.
   */
  async read(): Promise<RunStateFile> {
    const text = await this.text();
    if (text === null) return emptyState();
    const read = parseState(text);
    if (read.ok) return read.state;
    if (read.newerVersion !== null) throw this.newer(read.newerVersion);
    throw new StateFileError(
      this.file,
      'unreadable',
      `${this.file} is unreadable: ${read.reason}. It was left as it is. Conducting a phase again ("conductor conduct <phase>") rebuilds its record from its branches and status files and keeps a copy of this file; or restore the file from a backup.`,
    );
  }

  /**
   * For conducting: a missing file is an empty state; a corrupt one is copied aside (never moved) and
   * reported in `note`, and the caller rebuilds its phase from the repository; one from a newer
   * version is refused (StateFileError).
   */
  async load(): Promise<LoadedState> {
    const text = await this.text();
    if (text === null) return { state: emptyState(), note: null };
    const read = parseState(text);
    if (read.ok) return { state: read.state, note: null };
    if (read.newerVersion !== null) throw this.newer(read.newerVersion);
    const aside = `${this.file}.corrupt-${Date.now()}`;
    await fs.copyFile(this.file, aside, fsConstants.COPYFILE_EXCL);
    return {
      state: emptyState(),
      note: `${this.file} was unreadable (${read.reason}); the phase's record is rebuilt from its branches and status files; the unreadable file is kept as ${path.basename(aside)}`,
    };
  }

  save(state: RunStateFile): Promise<void> {
    const text = `${JSON.stringify(state, null, 2)}\n`;
    const run = this.queue.then(() => this.write(text));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Writes one phase's record over what is on disk now, leaving the other phases as they are there
   * (another process may be conducting one of them).
   *
   * Saves of a phase that come while an earlier write is under way are coalesced: the waiting write
   * takes the newest record, and every caller's promise resolves once a record at least as new as
   * its own is on disk. So a save still means "durable when it resolves", but four agents reporting
   * at once cost two writes (each a lock, a re-read, an fsync and a rename), not four.
   */
  savePhase(run: PhaseRun): Promise<void> {
    const waiting = this.waiting.get(run.slug);
    if (waiting) {
      waiting.run = run;
      return waiting.done;
    }
    const entry: { run: PhaseRun; done: Promise<void> } = { run, done: Promise.resolve() };
    this.waiting.set(run.slug, entry);
    entry.done = this.queue.then(() => {
      // From here on the record to write is fixed: a later save waits for the next write.
      this.waiting.delete(run.slug);
      const record = entry.run;
      return withWriteLock(`${this.file}.lock`, async () => {
        const current = await this.current();
        const next: RunStateFile = { ...current, phases: { ...current.phases, [record.slug]: record } };
        await this.write(`${JSON.stringify(next, null, 2)}\n`);
      });
    });
    this.queue = entry.done.catch(() => undefined);
    return entry.done;
  }

  /**
   * The state on disk for a write of one phase: a file from a newer version is refused; an
   * unreadable one counts as empty (load() kept a copy of it before the phase was rebuilt).
   */
  private async current(): Promise<RunStateFile> {
    const text = await this.text();
    if (text === null) return emptyState();
    const read = parseState(text);
    if (read.ok) return read.state;
    if (read.newerVersion !== null) throw this.newer(read.newerVersion);
    return emptyState();
  }

  /** Forgets phases (a rollback), leaving the others as they are on disk. */
  removePhases(slugs: readonly string[]): Promise<void> {
    const step = this.queue.then(() =>
      withWriteLock(`${this.file}.lock`, async () => {
        const current = await this.read();
        const phases = Object.fromEntries(Object.entries(current.phases).filter(([slug]) => !slugs.includes(slug)));
        await this.write(`${JSON.stringify({ ...current, phases }, null, 2)}\n`);
      }),
    );
    this.queue = step.catch(() => undefined);
    return step;
  }

  private async text(): Promise<string | null> {
    try {
      return await fs.readFile(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
  }

  private newer(version: number): StateFileError {
    return new StateFileError(
      this.file,
      'newer',
      `${this.file} was written by a newer Spec Conductor (state version ${version}; this one reads version ${STATE_VERSION}). Update Spec Conductor to use it; the file was left as it is.`,
    );
  }

  private async write(text: string): Promise<void> {
    const tmp = `${this.file}.${process.pid}.${this.counter++}.tmp`;
    try {
      await fs.mkdir(path.dirname(this.file), { recursive: true });
      const handle = await fs.open(tmp, 'w');
      try {
        await handle.writeFile(text, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      await fs.rename(tmp, this.file);
    } catch (e) {
      // The previous save is still in place; a half-written temp file would only take more space.
      await fs.rm(tmp, { force: true }).catch(() => undefined);
      throw asWriteError(e, this.file);
    }
  }
}
