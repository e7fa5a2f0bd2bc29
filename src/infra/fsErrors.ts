// File-system failures a user can fix (a full disk, a read-only or forbidden folder, a file where a
// folder should be), said as one line naming the path and the cause, instead of a raw errno message
// or a stack trace.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

const CAUSES: Readonly<Record<string, string>> = {
  ENOSPC: 'no space is left on the device',
  EDQUOT: 'the disk quota is used up',
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'the operation is not permitted',
  ENOTDIR: 'a part of that path is a file, not a folder',
  EISDIR: 'it is a folder, not a file',
  EMFILE: 'too many files are open',
};

/** A write that failed for a reason outside the program: `cannot write <path>: <cause> (<CODE>)`. */
export class WriteError extends Error {
  override readonly name = 'WriteError';
  constructor(
    readonly path: string,
    readonly code: string,
    detail = '',
  ) {
    super(`cannot write ${path}: ${CAUSES[code] ?? code} (${code})${detail}`);
  }
}

const errnoCode = (e: unknown): string | undefined => (e instanceof Error ? (e as NodeJS.ErrnoException).code : undefined);

/** `e` as a WriteError naming `file` when it is one of the causes above; anything else unchanged. */
export function asWriteError(e: unknown, file: string): unknown {
  if (e instanceof WriteError) return e;
  const code = errnoCode(e);
  return code && code in CAUSES ? new WriteError(file, code) : e;
}

/** One line for an error a command could not handle: known file-system causes with their path. */
export function describeError(e: unknown): string {
  if (e instanceof WriteError) return e.message;
  const code = errnoCode(e);
  const file = (e as NodeJS.ErrnoException | undefined)?.path;
  if (code && code in CAUSES && file) return `${(e as NodeJS.ErrnoException).syscall ?? 'access'} ${file}: ${CAUSES[code]} (${code})`;
  return e instanceof Error ? e.message : String(e);
}

/**
 * Checks that `dir` (the `.conductor` folder) can be created and written, before anything is started:
 * throws a WriteError naming `dir` and the cause. A recursive mkdir is not used on purpose: on a
 * read-only file system it reports ENOENT, not EROFS.
 */
export async function checkWritable(dir: string, detail = ''): Promise<void> {
  const fail = (e: unknown): never => {
    const code = errnoCode(e);
    throw code && code in CAUSES ? new WriteError(dir, code, detail) : e;
  };
  await fs.mkdir(dir).catch((e: unknown) => (errnoCode(e) === 'EEXIST' ? undefined : fail(e)));
  const stat = await fs.stat(dir);
  if (!stat.isDirectory()) fail(Object.assign(new Error('not a directory'), { code: 'ENOTDIR' }));
  const probe = path.join(dir, `.write-check-${process.pid}`);
  try {
    const handle = await fs.open(probe, 'w');
    try {
      await handle.writeFile('ok\n');
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (e) {
    await fs.rm(probe, { force: true }).catch(() => undefined);
    fail(e);
  }
  await fs.rm(probe, { force: true });
}
