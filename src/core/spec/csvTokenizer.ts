// A small RFC 4180 tokenizer that remembers where every field starts, so problems in tasks.csv can
// point at the exact cell. It is lenient: it never throws, and reports what it could not read.

export interface CsvField {
  /** The field's text with quotes removed and doubled quotes collapsed. */
  value: string;
  /** 1-based line and column (UTF-16 code units) of the field's first character, quote included. */
  line: number;
  column: number;
  quoted: boolean;
}

export interface CsvRow {
  line: number;
  column: number;
  fields: CsvField[];
}

export interface CsvIssue {
  line: number;
  column: number;
  kind: 'unterminated-quote' | 'text-after-quote';
}

export interface CsvTokens {
  rows: CsvRow[];
  issues: CsvIssue[];
}

/**
 * Splits `text` into rows of fields. Line breaks are CRLF, LF or a lone CR (counted the way editors
 * count lines). Blank lines are dropped. An unterminated quote ends tokenizing: the row it starts
 * is dropped, because everything after the quote would otherwise be swallowed into one cell.
 */
export function tokenizeCsv(text: string): CsvTokens {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const rows: CsvRow[] = [];
  const issues: CsvIssue[] = [];
  let i = 0;
  let line = 1;
  let column = 1;
  let fields: CsvField[] = [];

  /** Consumes a line break at `i` if there is one; returns whether it did. */
  const lineBreak = (): boolean => {
    const c = src[i];
    if (c === '\r') {
      i += src[i + 1] === '\n' ? 2 : 1;
    } else if (c === '\n') {
      i += 1;
    } else {
      return false;
    }
    line += 1;
    column = 1;
    return true;
  };

  const endRow = (): void => {
    const blank = fields.length === 1 && !fields[0].quoted && fields[0].value.trim() === '';
    if (!blank) rows.push({ line: fields[0].line, column: fields[0].column, fields });
    fields = [];
  };

  while (i < src.length) {
    const field: CsvField = { value: '', line, column, quoted: false };
    fields.push(field);

    if (src[i] === '"') {
      field.quoted = true;
      i += 1;
      column += 1;
      let closed = false;
      let value = '';
      while (i < src.length) {
        const c = src[i];
        if (c === '"') {
          if (src[i + 1] === '"') {
            value += '"';
            i += 2;
            column += 2;
            continue;
          }
          i += 1;
          column += 1;
          closed = true;
          break;
        }
        if (c === '\r' || c === '\n') {
          value += c === '\r' && src[i + 1] === '\n' ? '\r\n' : c;
          lineBreak();
          continue;
        }
        value += c;
        i += 1;
        column += 1;
      }
      if (!closed) {
        issues.push({ line: field.line, column: field.column, kind: 'unterminated-quote' });
        return { rows, issues };
      }
      // Anything between the closing quote and the next separator is kept, but reported.
      let trailing = '';
      const trailingLine = line;
      const trailingColumn = column;
      while (i < src.length && src[i] !== ',' && src[i] !== '\r' && src[i] !== '\n') {
        trailing += src[i];
        i += 1;
        column += 1;
      }
      if (trailing.trim() !== '') issues.push({ line: trailingLine, column: trailingColumn, kind: 'text-after-quote' });
      field.value = value + trailing.trimEnd();
    } else {
      const start = i;
      while (i < src.length && src[i] !== ',' && src[i] !== '\r' && src[i] !== '\n') i += 1;
      field.value = src.slice(start, i);
      column += i - start;
    }

    if (src[i] === ',') {
      i += 1;
      column += 1;
      // A separator at the very end of the text still introduces one (empty) last field.
      if (i === src.length) fields.push({ value: '', line, column, quoted: false });
    } else {
      lineBreak();
      endRow();
    }
  }
  if (fields.length > 0) endRow();
  return { rows, issues };
}
