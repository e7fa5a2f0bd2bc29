// What `git worktree list --porcelain` says, and how its entries are matched to folders on disk
// (paths compared with symlinks resolved; what is in the way of a new worktree).
import path from 'node:path';
import { lstat, readdir, realpath } from 'node:fs/promises';
import type { WorktreeInfo } from '../../core/ports';

export function parseWorktreeList(output: string, separator: '\0' | '\n'): WorktreeInfo[] {
  const list: WorktreeInfo[] = [];
  let current: WorktreeInfo | null = null;
  for (const line of output.split(separator)) {
    if (line === '') {
      current = null;
      continue;
    }
    const space = line.indexOf(' ');
    const key = space < 0 ? line : line.slice(0, space);
    const value = space < 0 ? '' : line.slice(space + 1);
    if (key === 'worktree') {
      current = { path: value, head: null, branch: null, bare: false, detached: false, locked: false, prunable: false };
      list.push(current);
    } else if (current) {
      if (key === 'HEAD') current.head = /^0+$/.test(value) ? null : value;
      else if (key === 'branch') current.branch = value.replace(/^refs\/heads\//, '');
      else if (key === 'bare') current.bare = true;
      else if (key === 'detached') current.detached = true;
      else if (key === 'locked') {
        current.locked = true;
        if (value) current.lockReason = value;
      } else if (key === 'prunable') {
        current.prunable = true;
        if (value) current.prunableReason = value;
      }
    }
  }
  return list;
}

/** The path with symlinks resolved where it exists (macOS /tmp vs /private/tmp), for comparing. */
export async function canonicalPath(p: string): Promise<string> {
  const abs = path.resolve(p);
  const real = await realpath(abs).catch(() => null);
  if (real) return real;
  const parent = path.dirname(abs);
  return parent === abs ? abs : path.join(await canonicalPath(parent), path.basename(abs));
}

export async function findByPath(list: WorktreeInfo[], p: string): Promise<WorktreeInfo | undefined> {
  const want = await canonicalPath(p);
  for (const w of list) if ((await canonicalPath(w.path)) === want) return w;
  return undefined;
}

/** What is in the way at `p`, or null when a worktree may be made there (missing or an empty folder). */
export async function occupiedBy(p: string): Promise<string | null> {
  const s = await lstat(p).catch(() => null);
  if (!s) return null;
  if (s.isSymbolicLink()) return 'a symbolic link';
  if (!s.isDirectory()) return 'a file';
  const entries = await readdir(p);
  return entries.length === 0 ? null : `a folder with ${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}`;
}
