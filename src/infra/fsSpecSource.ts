// Finds and reads spec files on disk: the Node side of the SpecSource port.

import { promises as fs, type Dirent } from 'node:fs';
import * as path from 'node:path';
import picomatch from 'picomatch';
import type { SpecSource } from '../core/ports';

/** Never worth descending into: dependencies, VCS data, our own worktrees, build output. */
const SKIPPED_DIRS = new Set(['node_modules', '.git', '.conductor', 'dist', 'out']);

/** Directories read at once; enough to keep the disk busy without exhausting file handles. */
const CONCURRENCY = 16;

/** Error codes that mean "this directory is gone or off limits": skip it rather than fail the search. */
const SKIPPABLE = new Set(['ENOENT', 'ENOTDIR', 'EACCES', 'EPERM', 'ELOOP']);

export class FsSpecSource implements SpecSource {
  constructor(private readonly root: string) {}

  async readText(relativePath: string): Promise<string | null> {
    const file = path.resolve(this.root, relativePath);
    try {
      return await fs.readFile(file, 'utf8');
    } catch (err) {
      const code = errorCode(err);
      if (code === 'ENOENT' || code === 'ENOTDIR') return null;
      throw new Error(`Cannot read ${file}: ${errorMessage(err)}`, { cause: err });
    }
  }

  async findFiles(globs: readonly string[]): Promise<string[]> {
    const patterns = globs.map(normalizeGlob).filter((g) => g !== '' && g !== '!');
    const positive = patterns.filter((g) => !g.startsWith('!'));
    if (positive.length === 0) return [];
    // Negated globs exclude; they never widen the search.
    const negative = patterns.filter((g) => g.startsWith('!')).map((g) => g.slice(1));
    const options = { dot: true };
    const include = picomatch(positive, options);
    const exclude = negative.length > 0 ? picomatch(negative, options) : () => false;
    const matches = (rel: string): boolean => include(rel) && !exclude(rel);

    const bases = positive.map((g) => picomatch.scan(g).base);
    const wanted = bases.includes('') ? null : bases;
    const found = await this.walk(matches, wanted);
    return [...new Set(found)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /**
   * Breadth-first walk from the root with a small worker pool. With `bases`, only directories on
   * the way to a base or inside one are read.
   */
  private async walk(matches: (rel: string) => boolean, bases: string[] | null): Promise<string[]> {
    const found: string[] = [];
    const queue: string[] = [''];
    const worthVisiting = (rel: string): boolean =>
      bases === null || bases.some((b) => b === rel || b.startsWith(`${rel}/`) || rel.startsWith(`${b}/`));

    const visit = async (dir: string): Promise<void> => {
      const entries = await this.readDir(dir);
      if (entries === null) return;
      // A nested checkout (worktree or submodule) has a `.git` file: it is someone else's tree.
      if (dir !== '' && entries.some((e) => e.name === '.git' && !e.isDirectory())) return;
      for (const entry of entries) {
        const rel = dir === '' ? entry.name : `${dir}/${entry.name}`;
        if (entry.isDirectory()) {
          if (!SKIPPED_DIRS.has(entry.name) && worthVisiting(rel)) queue.push(rel);
        } else if (entry.isFile()) {
          if (matches(rel)) found.push(rel);
        } else if (entry.isSymbolicLink() && matches(rel) && (await this.isFile(rel))) {
          // Symlinked files count; symlinked directories are never followed (loops, escapes).
          found.push(rel);
        }
      }
    };

    const worker = async (): Promise<void> => {
      for (let dir = queue.shift(); dir !== undefined; dir = queue.shift()) await visit(dir);
    };
    // Workers start as the queue fills; a worker that finds it empty stops, so loop until drained.
    while (queue.length > 0) {
      await Promise.all(Array.from({ length: Math.min(CONCURRENCY, queue.length) }, worker));
    }
    return found;
  }

  private async readDir(rel: string): Promise<Dirent[] | null> {
    const dir = path.join(this.root, rel);
    try {
      return await fs.readdir(dir, { withFileTypes: true });
    } catch (err) {
      if (rel !== '' && SKIPPABLE.has(errorCode(err) ?? '')) return null;
      throw new Error(`Cannot list ${dir}: ${errorMessage(err)}`, { cause: err });
    }
  }

  private async isFile(rel: string): Promise<boolean> {
    try {
      return (await fs.stat(path.join(this.root, rel))).isFile();
    } catch {
      return false; // a dangling or looping link is not a spec file
    }
  }
}

/** Globs are root-relative with forward slashes; a leading `./` adds nothing. */
function normalizeGlob(glob: string): string {
  let g = glob.trim();
  const negated = g.startsWith('!');
  if (negated) g = g.slice(1);
  while (g.startsWith('./')) g = g.slice(2);
  return negated ? `!${g}` : g;
}

function errorCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : undefined;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
