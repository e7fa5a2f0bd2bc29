// One entry of a markdown contract section: a bullet or line, with any continuation lines joined on.
import type { Pos } from '../model';

export interface Entry {
  /** The entry's text, continuation lines joined with a space. */
  text: string;
  /** Where each joined piece starts: `start` is its offset in `text`. The first piece starts at 0. */
  pieces: { start: number; line: number; column: number }[];
  /** Width of the indentation before the entry's bullet (or text), tabs counted as 4. */
  indent: number;
  /** The entry was a bullet or numbered item, whose text may continue after a blank line. */
  bulleted: boolean;
  /** Width of everything before the entry's text (indentation, bullet, checkbox), tabs counted as 4. */
  textIndent: number;
}

export function entryPos(entry: Entry): Pos {
  return posAt(entry, 0);
}

/** The file position of a character of the entry's joined text. */
export function posAt(entry: Entry, offset: number): Pos {
  let piece = entry.pieces[0];
  for (const p of entry.pieces) {
    if (p.start <= offset) piece = p;
    else break;
  }
  return { line: piece.line, column: piece.column + Math.max(0, offset - piece.start) };
}

export function appendContinuation(entry: Entry, text: string, line: number, column: number): void {
  entry.text += ' ';
  entry.pieces.push({ start: entry.text.length, line, column });
  entry.text += text;
}
