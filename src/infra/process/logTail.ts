// Follows a growing log file line by line: the agent writes its output straight into the file (no
// pipe through the engine, so it survives the engine's death), and the engine reads it back here.
import { promises as fs } from 'node:fs';

const POLL_MS = 200;
/** A line longer than this is passed on cut, so one runaway line cannot hold the engine's memory. */
const MAX_LINE = 1024 * 1024;

export class LogTail {
  private offset: number;
  private pending = '';
  private readonly decoder = new TextDecoder();
  private timer: NodeJS.Timeout | undefined;
  private reading: Promise<void> = Promise.resolve();
  private skipping = false;

  /** Starts at `fromOffset` (the file's size when the agent started: earlier attempts' output is not read again). */
  constructor(
    private readonly file: string,
    fromOffset: number,
    private readonly emit: (line: string) => void,
  ) {
    this.offset = fromOffset;
  }

  start(): void {
    this.timer = setInterval(() => void this.poll(), POLL_MS);
    this.timer.unref?.();
  }

  /** Reads what is left, emits a last partial line, and stops. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.poll();
    const rest = this.pending + this.decoder.decode();
    this.pending = '';
    if (rest !== '' && !this.skipping) this.emit(rest);
  }

  private poll(): Promise<void> {
    this.reading = this.reading.then(() => this.readMore()).catch(() => undefined);
    return this.reading;
  }

  private async readMore(): Promise<void> {
    const handle = await fs.open(this.file, 'r').catch(() => null);
    if (!handle) return;
    try {
      const buffer = Buffer.alloc(64 * 1024);
      for (;;) {
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, this.offset);
        if (bytesRead === 0) return;
        this.offset += bytesRead;
        this.push(this.decoder.decode(buffer.subarray(0, bytesRead), { stream: true }));
      }
    } finally {
      await handle.close();
    }
  }

  private push(text: string): void {
    const lines = (this.pending + text).split(/\r?\n/);
    this.pending = lines.pop() ?? '';
    for (const line of lines) {
      if (this.skipping) this.skipping = false;
      else this.emit(line);
    }
    if (this.pending.length > MAX_LINE) {
      if (!this.skipping) this.emit(this.pending.slice(0, MAX_LINE));
      this.pending = '';
      this.skipping = true;
    }
  }
}
