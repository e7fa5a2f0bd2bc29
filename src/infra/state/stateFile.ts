// `.conductor/state.json`: written atomically (temp file + rename) after every change, one write at
// a time, so a crash at any moment leaves the old or the new state, never half of one.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { emptyState, type RunStateFile } from '../../core/run/model';
import { parseState } from '../../core/run/validateState';

export type LoadedState = { state: RunStateFile; note: string | null };

export class StateFile {
  private queue: Promise<void> = Promise.resolve();
  private counter = 0;

  constructor(readonly file: string) {}

  /** The saved state; a missing file is an empty state, a corrupt one is set aside and reported in `note`. */
  async load(): Promise<LoadedState> {
    let text: string;
    try {
      text = await fs.readFile(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { state: emptyState(), note: null };
      throw e;
    }
    const read = parseState(text);
    if (read.ok) return { state: read.state, note: null };
    const aside = `${this.file}.corrupt-${Date.now()}`;
    await fs.rename(this.file, aside).catch(() => undefined);
    return { state: emptyState(), note: `${path.basename(this.file)} was unreadable (${read.reason}); kept as ${path.basename(aside)} and rebuilt from the repository` };
  }

  save(state: RunStateFile): Promise<void> {
    const text = `${JSON.stringify(state, null, 2)}\n`;
    const run = this.queue.then(() => this.write(text));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async write(text: string): Promise<void> {
    await fs.mkdir(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.${this.counter++}.tmp`;
    const handle = await fs.open(tmp, 'w');
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, this.file);
  }
}
