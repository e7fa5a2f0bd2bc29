// Finds "unfinished work" markers in the lines a phase added, read from `git diff -U0` output, so a
// TODO that was already in the repository before the phase is never blamed on it.
//
// What counts as a marker (a warning, not a failure):
// - TODO, FIXME, XXX, HACK in capitals as a whole word, anywhere on the line (`TODO:`, `// FIXME`).
//   Whole word means `TODOS`, `TODO_LIST` and `todoItems` do not count.
// - the same words in any case, and "stub", right after a comment opener (`// todo`, `# fixme`,
//   `/* Stub */`, `-- hack`) in code files: in code, a lower-case `todo` is usually a name (a to-do app's
//   `todo.title`, a test's `const stub = sinon.stub()`), so outside comments it is not flagged.
// - STUB in capitals as a whole word.
// - In prose files (Markdown, text) only the capitalised words: `# Todo app` is a heading there.
// - NotImplemented / NotImplementedError / NotImplementedException, Rust's `todo!()` and
//   `unimplemented!()`, and a string literal saying "not (yet) implemented" (`throw new
//   Error('not implemented')`, `panic("Not implemented")`).

export type TodoMarker = 'TODO' | 'FIXME' | 'XXX' | 'HACK' | 'STUB' | 'NOT-IMPLEMENTED';

export interface AddedLineMarker {
  /** Repository-relative path in the new tree. */
  file: string;
  /** 1-based line in the new version of the file. */
  line: number;
  /** 1-based column where the marker starts. */
  column: number;
  /** The line, trimmed and cut to 200 characters. */
  text: string;
  marker: TodoMarker;
}

const MAX_TEXT = 200;
// Longer lines are generated or minified content, not something an agent left unfinished.
const MAX_SCANNED_LINE = 2000;

type Pattern = [RegExp, (m: RegExpExecArray) => TodoMarker];

const CAPITALS: Pattern = [/\b(TODO|FIXME|XXX|HACK|STUB)\b/, (m) => m[1] as TodoMarker];
// `//` but not in a URL, `/*`, a `*` continuing a block comment, `#`, `--`, `<!--`; JSDoc's `@todo`.
// Bounded repeats (`///`, not `/+`) keep a line of 2000 slashes from taking quadratic time.
const IN_COMMENT: Pattern = [
  /(?:(?<![:/])\/\/\/?|\/\*\*?|^\s*\*\*?|(?:^|\s)#{1,3}|(?:^|\s)--|<!--)\s*@?(todo|fixme|xxx|hack|stub)\b/i,
  (m) => m[1].toUpperCase() as TodoMarker,
];
const NOT_IMPLEMENTED: Pattern[] = [
  [/\bNotImplemented(?:Error|Exception)?\b|\b(?:todo|unimplemented)!\s*\(/, () => 'NOT-IMPLEMENTED'],
  [/["'`][^"'`]*\bnot\s+(?:yet\s+)?implemented\b/i, () => 'NOT-IMPLEMENTED'],
];
const CODE_PATTERNS = [CAPITALS, IN_COMMENT, ...NOT_IMPLEMENTED];
// In Markdown `# Todo list` is a heading, not a comment: only the capitalised words count there.
const PROSE_PATTERNS = [CAPITALS];

function isProse(file: string): boolean {
  return /\.(md|markdown|mdx|txt|rst|adoc)$/i.test(file);
}

/** The leftmost marker on a line of `file`, or null. */
export function findMarker(text: string, file = ''): { marker: TodoMarker; index: number } | null {
  let best: { marker: TodoMarker; index: number } | null = null;
  for (const [pattern, name] of isProse(file) ? PROSE_PATTERNS : CODE_PATTERNS) {
    const m = pattern.exec(text);
    if (!m) continue;
    // Point at the word itself, not at the comment opener or quote in front of it.
    const word = m[1] ?? m[0];
    const index = m.index + m[0].lastIndexOf(word);
    if (best === null || index < best.index) best = { marker: name(m), index };
  }
  return best;
}

// git writes unusual paths as C-style quoted strings, non-ASCII bytes in octal: "b/caf\303\251.ts".
const C_ESCAPES: Record<string, number> = { n: 10, t: 9, r: 13, a: 7, b: 8, f: 12, v: 11, '"': 34, '\\': 92 };

function unquote(path: string): string {
  if (path.length < 2 || !path.startsWith('"') || !path.endsWith('"')) return path;
  const chars = Array.from(path.slice(1, -1));
  const bytes: number[] = [];
  const encoder = new TextEncoder();
  for (let i = 0; i < chars.length; i++) {
    if (chars[i] !== '\\' || i + 1 >= chars.length) {
      bytes.push(...encoder.encode(chars[i]));
      continue;
    }
    const octal = chars.slice(i + 1, i + 4).join('');
    if (/^[0-7]{3}$/.test(octal)) {
      bytes.push(parseInt(octal, 8) & 0xff);
      i += 3;
    } else {
      const next = chars[i + 1];
      if (next in C_ESCAPES) bytes.push(C_ESCAPES[next]);
      else bytes.push(...encoder.encode(next));
      i += 1;
    }
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}

/** The path of a `+++ b/path` (or `--- a/path`) header line; null for /dev/null. */
function headerPath(rest: string): string | null {
  const p = unquote(rest.replace(/\r$/, '').replace(/\t$/, ''));
  if (p === '/dev/null') return null;
  return p.replace(/^[ab]\//, '');
}

const HUNK = /^@@ -\d+(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;

/**
 * Markers in the added lines of a unified diff (`git diff -U0`, any context size works). Handles
 * new, deleted, renamed and binary files and "\ No newline at end of file" lines.
 */
export function scanAddedLines(unifiedDiffU0: string): AddedLineMarker[] {
  const out: AddedLineMarker[] = [];
  let file: string | null = null;
  // Lines still expected in the current hunk; outside a hunk both are 0.
  let oldLeft = 0;
  let newLeft = 0;
  let newLine = 0;
  for (const line of unifiedDiffU0.split('\n')) {
    if (oldLeft > 0 || newLeft > 0) {
      // Inside a hunk the counts say what a line is, so an added "++ x" line is not a header.
      const c = line[0];
      if (c === '+' && newLeft > 0) {
        const text = line.slice(1).replace(/\r$/, '');
        if (file !== null && text.length <= MAX_SCANNED_LINE) {
          const found = findMarker(text, file);
          if (found) out.push({ file, line: newLine, column: found.index + 1, text: text.trim().slice(0, MAX_TEXT), marker: found.marker });
        }
        newLine++;
        newLeft--;
        continue;
      }
      if (c === '-' && oldLeft > 0) {
        oldLeft--;
        continue;
      }
      if (c === ' ' && oldLeft > 0 && newLeft > 0) {
        oldLeft--;
        newLeft--;
        newLine++;
        continue;
      }
      if (c === '\\') continue;
      // A malformed hunk: fall through and read the line as a header.
      oldLeft = newLeft = 0;
    }
    if (line.startsWith('\\')) continue; // "\ No newline at end of file" after a hunk's last line
    if (line.startsWith('diff --git ') || line.startsWith('diff --cc ') || line.startsWith('diff --combined ')) {
      file = null;
      continue;
    }
    if (line.startsWith('+++ ')) {
      file = headerPath(line.slice(4));
      continue;
    }
    const hunk = HUNK.exec(line);
    if (hunk) {
      oldLeft = hunk[1] === undefined ? 1 : Number(hunk[1]);
      newLeft = hunk[3] === undefined ? 1 : Number(hunk[3]);
      newLine = Number(hunk[2]);
    }
    // Everything else (index, mode, rename, similarity, "Binary files … differ", ---) says nothing
    // about added lines.
  }
  return out;
}
