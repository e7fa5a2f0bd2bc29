// Reads `.conductor/discoveries.jsonl` for the commands that show discoveries (status, report); the
// engine itself keeps the log through the FilesPort (core/run/discoveryRecorder.ts).
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parseDiscoveryLog, type Discovery } from '../core/discoveries/discovery';
import { DISCOVERIES_LOG } from '../core/run/paths';

/** Every discovery recorded, each once, in the order recorded; none when there is no log yet. */
export async function readDiscoveries(conductorDir: string): Promise<Discovery[]> {
  let text: string;
  try {
    text = await fs.readFile(path.join(conductorDir, DISCOVERIES_LOG), 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw e;
  }
  return parseDiscoveryLog(text).entries;
}
