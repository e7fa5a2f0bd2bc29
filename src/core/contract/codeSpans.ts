// Inline code spans (`...`) in one line of text: contract values are usually written as code.

export interface Span {
  /** Offset of the opening backtick(s). */
  start: number;
  /** Offset just after the closing backtick(s). */
  end: number;
  /** The code, trimmed. */
  value: string;
}

/** Code spans in order; an unmatched backtick run is literal text, as in CommonMark. */
export function codeSpans(text: string): Span[] {
  const spans: Span[] = [];
  let i = 0;
  while (i < text.length) {
    const open = text.indexOf('`', i);
    if (open < 0) break;
    let runEnd = open;
    while (text[runEnd] === '`') runEnd++;
    const fence = text.slice(open, runEnd);
    const close = findRun(text, fence, runEnd);
    if (close < 0) {
      i = runEnd;
      continue;
    }
    spans.push({ start: open, end: close + fence.length, value: text.slice(runEnd, close).trim() });
    i = close + fence.length;
  }
  return spans;
}

/** The next backtick run of exactly `fence`'s length at or after `from`, or -1. */
function findRun(text: string, fence: string, from: number): number {
  let i = from;
  while (i < text.length) {
    const at = text.indexOf(fence, i);
    if (at < 0) return -1;
    let end = at + fence.length;
    if (text[end] !== '`' && (at === 0 || text[at - 1] !== '`')) return at;
    while (text[end] === '`') end++;
    i = end;
  }
  return -1;
}

/** Whether `offset` falls inside one of the spans. */
export function inSpan(spans: readonly Span[], offset: number): boolean {
  return spans.some((s) => offset >= s.start && offset < s.end);
}
