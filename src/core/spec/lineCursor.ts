// A position in one line of markdown as CommonMark counts it: character offset and column, with tabs
// to the next multiple of 4 and partly consumed tabs (commonmark.js's bookkeeping).

export class LineCursor {
  protected ln = '';
  protected offset = 0;
  protected column = 0;
  protected nextNonspace = 0;
  protected nextNonspaceColumn = 0;
  protected indent = 0;
  protected indented = false;
  protected blank = false;
  protected partiallyConsumedTab = false;
  /** nextNonspace is known for this line (from an offset at or before the current one). */
  protected nonspaceFound = false;
  /** Per line and break character: the last index holding another non-space character, and the index of its third-last occurrence. */
  protected breakScan: Record<string, { lastOther: number; thirdLast: number }> | null = null;

  protected startLine(ln: string): void {
    this.ln = ln;
    this.nonspaceFound = false;
    this.breakScan = null;
    this.offset = 0;
    this.column = 0;
    this.blank = false;
    this.partiallyConsumedTab = false;
  }

  /**
   * A thematic break from nextNonspace (three or more of `c`, spaces and tabs only), in constant time
   * after one scan of the line: a line of nested markers (`- - - … x`) would otherwise be tested once
   * per level.
   */
  protected isThematicBreak(c: string): boolean {
    this.breakScan ??= {};
    let scan = this.breakScan[c];
    if (!scan) {
      scan = { lastOther: -1, thirdLast: -1 };
      let seen = 0;
      for (let i = this.ln.length - 1; i >= 0; i--) {
        const ch = this.ln[i];
        if (ch === c) {
          if (++seen === 3) scan.thirdLast = i;
        } else if (ch !== ' ' && ch !== '\t') {
          scan.lastOther = i;
          break;
        }
      }
      this.breakScan[c] = scan;
    }
    return scan.lastOther < this.nextNonspace && scan.thirdLast >= this.nextNonspace;
  }

  /**
   * Finds the next non-space character from the offset. Within one run of spaces the answer does not
   * change (columns are absolute), so it is reused: rescanning the indentation once per open container
   * made deep lists cubic.
   */
  protected findNextNonspace(): void {
    if (this.nonspaceFound && this.offset <= this.nextNonspace) {
      this.indent = this.nextNonspaceColumn - this.column;
      this.indented = this.indent >= 4;
      return;
    }
    this.nonspaceFound = true;
    const ln = this.ln;
    let i = this.offset;
    let cols = this.column;
    for (;;) {
      const c = ln.charCodeAt(i);
      if (c === 32) {
        i++;
        cols++;
      } else if (c === 9) {
        i++;
        cols += 4 - (cols % 4);
      } else break;
    }
    this.blank = i >= ln.length;
    this.nextNonspace = i;
    this.nextNonspaceColumn = cols;
    this.indent = cols - this.column;
    this.indented = this.indent >= 4;
  }

  protected advanceNextNonspace(): void {
    this.offset = this.nextNonspace;
    this.column = this.nextNonspaceColumn;
    this.partiallyConsumedTab = false;
  }

  /** Moves `count` characters, or `count` columns when `columns` (a tab may be consumed in part). */
  protected advanceOffset(count: number, columns: boolean): void {
    const ln = this.ln;
    while (count > 0 && this.offset < ln.length) {
      if (ln.charCodeAt(this.offset) === 9) {
        const toTab = 4 - (this.column % 4);
        if (columns) {
          this.partiallyConsumedTab = toTab > count;
          const step = toTab > count ? count : toTab;
          this.column += step;
          this.offset += this.partiallyConsumedTab ? 0 : 1;
          count -= step;
        } else {
          this.partiallyConsumedTab = false;
          this.column += toTab;
          this.offset += 1;
          count -= 1;
        }
      } else {
        this.partiallyConsumedTab = false;
        this.offset++;
        this.column++;
        count--;
      }
    }
  }
}

/** `#`, backquote, `~`, `*`, `+`, `_`, `=`, `<`, `>`, a digit or `-`: a block other than a paragraph may start here. */
export function maybeSpecial(c: number): boolean {
  return c === 35 || c === 96 || c === 126 || c === 42 || c === 43 || c === 95 || c === 61 || c === 60 || c === 62 || c === 45 || (c >= 48 && c <= 57);
}
