// What has been read of one status file: the byte offset, the start of a line still being written,
// a UTF-8 sequence split between reads, the line count (for positions) — so that every complete line
// is delivered exactly once, in file order, however the file grows, and a rewrite is read afresh.
import * as fsSync from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { setImmediate as setImmediatePromise } from 'node:timers/promises';
import type { Problem } from '../../core/model';
import { isBlankLine, MAX_STATUS_LINE_CHARS, parseStatusLine, splitLines, statusProblem, type StatusEvent } from '../../core/status/statusLine';

const CHUNK_BYTES = 16 * 1024;
/** Bytes kept from just before the offset: if they change, the file was rewritten, not appended to. */
const TAIL_BYTES = 64;
/** A longer "line" is garbage (or a writer that never ends its line): it is reported and skipped, never held whole. */
const MAX_LINE_CHARS = MAX_STATUS_LINE_CHARS;

export interface StatusSink {
  event(e: StatusEvent): void;
  problem(p: Problem): void;
  /** Reading stops (the watcher was disposed). */
  stopped(): boolean;
}

export class StatusTail {
  /** Bytes consumed so far. */
  offset = 0;
  /** Text after the last newline, waiting for the rest of its line. */
  private carry = '';
  /** Holds a UTF-8 sequence split between two reads. */
  private decoder = new StringDecoder('utf8');
  /** Complete lines consumed so far (the next line's number is lines + 1). */
  private lines = 0;
  private tail = Buffer.alloc(0);
  /** Inside an over-long line that was already reported. */
  private discarding = false;

  /** `file`: the file as events and problems name it (relative to the repository). */
  constructor(private readonly file: string) {}

  /**
   * Reads from the offset to the end of the file; true when there were new bytes. Each read starts a
   * few bytes early so that the bytes we already know come back first: if they differ (or are not
   * there), the file was truncated or rewritten and is read again from the top.
   *
   * The reads are synchronous on purpose. They are small (what was appended since the last event)
   * and local, and asynchronous ones queue in libuv's four-thread pool behind other file-system
   * work: measured with 100 agents (behind chokidar's listings, used then), p95 latency was 50-150 ms
   * asynchronous against 15-30 ms synchronous. A long backlog yields between chunks.
   */
  async readNew(abs: string, sink: StatusSink): Promise<boolean> {
    let fd: number;
    try {
      // Never through a symlink: a status file pointed elsewhere (another module's file) is not read.
      fd = fsSync.openSync(abs, fsSync.constants.O_RDONLY | fsSync.constants.O_NOFOLLOW);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP') return false;
      throw e;
    }
    try {
      let found = false;
      while (!sink.stopped()) {
        const known = this.tail.length;
        const buffer = Buffer.allocUnsafe(known + CHUNK_BYTES);
        const bytesRead = fsSync.readSync(fd, buffer, 0, buffer.length, this.offset - known);
        if (bytesRead < known || !buffer.subarray(0, known).equals(this.tail)) {
          this.reset();
          continue;
        }
        if (bytesRead === known) break;
        found = true;
        this.offset += bytesRead - known;
        this.tail = Buffer.from(buffer.subarray(Math.max(0, bytesRead - TAIL_BYTES), bytesRead));
        this.consume(this.decoder.write(buffer.subarray(known, bytesRead)), sink);
        if (bytesRead < buffer.length) break; // a short read: that was the end of the file
        await setImmediatePromise();
      }
      return found;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EISDIR') return false;
      throw e;
    } finally {
      fsSync.closeSync(fd);
    }
  }

  private consume(text: string, sink: StatusSink): void {
    const { lines, carry } = splitLines(text, this.carry);
    for (const line of lines) {
      this.lines++;
      if (this.discarding) {
        this.discarding = false; // the end of an over-long line, already reported
        continue;
      }
      if (isBlankLine(line)) continue;
      const parsed = parseStatusLine(line, { file: this.file, line: this.lines });
      if (sink.stopped()) return;
      if ('event' in parsed) sink.event(parsed.event);
      else sink.problem(parsed.problem);
    }
    this.carry = carry;
    if (this.carry.length > MAX_LINE_CHARS) {
      if (!this.discarding) sink.problem(statusProblem({ file: this.file, line: this.lines + 1 }, `the line is longer than ${MAX_LINE_CHARS} characters`));
      this.discarding = true;
      this.carry = '';
    }
  }

  /** The file was truncated or rewritten: read it from the top. */
  private reset(): void {
    this.offset = 0;
    this.carry = '';
    this.decoder = new StringDecoder('utf8');
    this.lines = 0;
    this.tail = Buffer.alloc(0);
    this.discarding = false;
  }
}
