// FilesPort on the local file system. Writes go through a temp file and a rename, so a reader
// (an agent reading its prompt, VS Code reading settings) never sees half a file.
import { constants, promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { FilesPort } from '../core/ports';
import { asWriteError } from './fsErrors';

export class NodeFiles implements FilesPort {
  private counter = 0;

  async write(file: string, text: string, options: { mode?: number } = {}): Promise<void> {
    const tmp = `${file}.${process.pid}.${this.counter++}.tmp`;
    try {
      await fs.mkdir(path.dirname(file), { recursive: true });
      await fs.writeFile(tmp, text, { mode: options.mode });
      await fs.rename(tmp, file);
    } catch (e) {
      await fs.rm(tmp, { force: true }).catch(() => undefined);
      throw asWriteError(e, file);
    }
  }

  async read(file: string): Promise<string | null> {
    try {
      return await fs.readFile(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return null;
      throw e;
    }
  }

  async append(file: string, text: string): Promise<void> {
    try {
      await fs.mkdir(path.dirname(file), { recursive: true });
      const handle = await fs.open(file, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW, 0o644);
      try {
        const data = Buffer.from(text, 'utf8');
        let written = 0;
        // A short write on a regular file means a full disk or similar: finish rather than leave half a line.
        while (written < data.length) written += (await handle.write(data, written, data.length - written)).bytesWritten;
      } finally {
        await handle.close();
      }
    } catch (e) {
      throw asWriteError(e, file);
    }
  }

  async exists(file: string): Promise<boolean> {
    return fs.access(file).then(
      () => true,
      () => false,
    );
  }

  async ensureDir(dir: string): Promise<void> {
    await fs.mkdir(dir, { recursive: true }).catch((e: unknown) => {
      throw asWriteError(e, dir);
    });
  }

  async realPath(file: string): Promise<string | null> {
    try {
      return await fs.realpath(file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return null;
      throw e;
    }
  }

  async copyIfMissing(from: string, to: string): Promise<boolean> {
    if (!(await this.exists(from)) || (await this.exists(to))) return false;
    await fs.mkdir(path.dirname(to), { recursive: true });
    await fs.copyFile(from, to);
    return true;
  }
}
