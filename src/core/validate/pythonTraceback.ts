// Python tracebacks in tool output: a run of `  File "path", line N, in fn` frames (with their
// source and caret lines indented under them), ended by the exception line (`ValueError: bad`).
// One traceback is one finding, at its innermost frame inside the repository — the code that raised,
// or called into a library that did — with the exception as its message.

export interface TracebackFinding {
  file: string;
  line: number;
  message: string;
}

interface Frame {
  file: string;
  line: number;
  fn: string | null;
}

const FRAME = /^\s*File "(?<file>[^"]+)", line (?<line>\d+)(?:, in (?<fn>.+))?$/;
// `ValueError: msg`, `mod.CustomError`, `KeyboardInterrupt`: a dotted name at the start of a line.
const EXCEPTION = /^(?<name>[A-Za-z_][\w.]*)(?::\s?(?<msg>.*))?$/;

export class TracebackReader {
  private frames: Frame[] = [];

  /** @param inRepo whether a path as printed lies inside the repository (frames there are preferred). */
  constructor(private readonly inRepo: (file: string) => boolean) {}

  /**
   * Reads one output line. `consumed`: it belongs to a traceback (no other parser needs it);
   * `finding`: a traceback ended (with this line, or just before it).
   */
  read(line: string): { consumed: boolean; finding: TracebackFinding | null } {
    const frame = FRAME.exec(line);
    if (frame?.groups) {
      this.frames.push({ file: frame.groups.file, line: Number(frame.groups.line), fn: frame.groups.fn ?? null });
      return { consumed: true, finding: null };
    }
    if (this.frames.length === 0) return { consumed: false, finding: null };
    // Source lines, carets and notes of a frame are indented under it.
    if (/^\s/.test(line)) return { consumed: true, finding: null };
    const exception = EXCEPTION.exec(line);
    if (exception?.groups) {
      const { name, msg } = exception.groups;
      return { consumed: true, finding: this.end(msg ? `${name}: ${msg}` : name) };
    }
    // The output went on without an exception line (cut short, or interleaved).
    return { consumed: false, finding: this.end(null) };
  }

  /** A traceback still open when the output ends. */
  flush(): TracebackFinding | null {
    return this.frames.length > 0 ? this.end(null) : null;
  }

  private end(exception: string | null): TracebackFinding {
    const frames = this.frames;
    this.frames = [];
    const innermost = [...frames].reverse().find((f) => this.inRepo(f.file)) ?? frames[frames.length - 1];
    const where = innermost.fn ? ` (in ${innermost.fn})` : '';
    return { file: innermost.file, line: innermost.line, message: `${exception ?? 'Python traceback'}${where}` };
  }
}
