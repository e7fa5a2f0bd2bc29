// A non-recursive fs.watch on a folder that passes on only the name of the entry that changed
// (null: an event that cannot say which) — no listing, no stat. Used wherever many files in a few
// folders are followed (status files, agents' exit files).
import * as fs from 'node:fs';

/**
 * `closed` runs when the folder goes away or cannot be watched any more (the watch is closed by
 * then). Null when the watch cannot be made at all; `failed` hears why, unless the folder is missing.
 */
export function watchNames(dir: string, onName: (name: string | null) => void, closed: () => void, failed?: (e: unknown) => void): fs.FSWatcher | null {
  try {
    const w = fs.watch(dir, { persistent: false }, (_event, name) => onName(name === null ? null : String(name)));
    w.on('error', () => {
      w.close();
      closed();
    });
    return w;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') failed?.(e);
    return null;
  }
}
