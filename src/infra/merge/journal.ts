// An append-only record of the integration ref's moves. The ref itself only moves by
// compare-and-swap, so after a crash it is at its old or new commit; the journal tells the next run
// which step was under way.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

export type JournalEntry =
  | { step: 'create'; ref: string; commit: string }
  | { step: 'intent'; module: string; old: string; new: string }
  | { step: 'merged'; module: string; commit: string }
  | { step: 'done'; commit: string };

export class MergeJournal {
  constructor(readonly file: string) {}

  async append(entry: JournalEntry): Promise<void> {
    await fs.mkdir(path.dirname(this.file), { recursive: true });
    await fs.appendFile(this.file, `${JSON.stringify({ ts: new Date().toISOString(), ...entry })}\n`);
  }

  async last(): Promise<JournalEntry | null> {
    const text = await fs.readFile(this.file, 'utf8').catch(() => '');
    const lines = text.split('\n').filter(Boolean);
    for (let i = lines.length - 1; i >= 0; i--) {
      try {
        return JSON.parse(lines[i]) as JournalEntry;
      } catch {
        // a line cut by a crash: look further back
      }
    }
    return null;
  }
}
