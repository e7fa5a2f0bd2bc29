// Splits READY.md into phase sections with a fence-aware line scan, so that the block scanner sees one
// phase at a time: per-section text is a natural cache key while the user edits one phase.

export interface Heading {
  level: number;
  text: string;
  /** 1-based line of the heading. */
  line: number;
  /** 1-based column of the first `#`. */
  column: number;
}

export interface PhaseSection {
  heading: Heading;
  /** The lines after the heading, up to the next heading of level <= 3 (joined with "\n"). */
  body: string;
  /** 1-based file line of the body's first line. */
  bodyLine: number;
}

export interface SectionScan {
  /** The `## Implementation Phases` heading, or null when there is none. */
  phasesHeading: Heading | null;
  sections: PhaseSection[];
  /** Level-3 headings inside the phases section that are not phase headings by their look. */
  strayHeadings: Heading[];
  lineCount: number;
}

const ATX = /^( {0,3})(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;
const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})(.*)$/;
const PHASES_TITLE = /^(?:implementation\s+)?phases\b/i;
/** Headings that start a phase (validated more strictly later). */
export const PHASE_LIKE = /^\W*phase\b/i;

export function splitLines(text: string): string[] {
  // A plain string split is several times faster than the regex, and the same without any CR.
  return text.includes('\r') ? text.split(/\r\n|\r|\n/) : text.split('\n');
}

export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Walks the lines, calling `visit` for every ATX heading outside fenced code. */
export function scanHeadings(lines: readonly string[], visit: (h: Heading, index: number) => void): void {
  let fence: { char: string; length: number } | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (fence) {
      const close = /^ {0,3}(`{3,}|~{3,})[ \t]*$/.exec(line);
      if (close && close[1][0] === fence.char && close[1].length >= fence.length) fence = null;
      continue;
    }
    const open = FENCE_OPEN.exec(line);
    if (open && !(open[1][0] === '`' && open[2].includes('`'))) {
      fence = { char: open[1][0], length: open[1].length };
      continue;
    }
    if (line.length === 0 || (line[0] !== '#' && line[0] !== ' ')) continue;
    const m = ATX.exec(line);
    if (m) visit({ level: m[2].length, text: (m[3] ?? '').trim(), line: i + 1, column: m[1].length + 1 }, i);
  }
}

export function scanSections(text: string): SectionScan {
  const lines = splitLines(stripBom(text));
  const headings: { h: Heading; index: number }[] = [];
  scanHeadings(lines, (h, index) => headings.push({ h, index }));

  const result: SectionScan = { phasesHeading: null, sections: [], strayHeadings: [], lineCount: lines.length };
  const start = headings.findIndex(({ h }) => h.level <= 2 && PHASES_TITLE.test(h.text));
  if (start < 0) return result;
  const top = headings[start].h;
  result.phasesHeading = top;

  let end = headings.findIndex(({ h }, k) => k > start && h.level <= top.level);
  if (end < 0) end = headings.length;
  const endLine = end < headings.length ? headings[end].index : lines.length;

  // Level-3 headings split the section; deeper headings belong to the phase body.
  const splits = headings.slice(start + 1, end).filter(({ h }) => h.level === 3);
  splits.forEach(({ h, index }, k) => {
    const next = k + 1 < splits.length ? splits[k + 1].index : endLine;
    if (!PHASE_LIKE.test(h.text)) {
      result.strayHeadings.push(h);
      return;
    }
    result.sections.push({ heading: h, body: lines.slice(index + 1, next).join('\n'), bodyLine: index + 2 });
  });
  return result;
}
