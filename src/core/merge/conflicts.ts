// Merge conflicts as the conductor reports them: which files, of what kind, and which lines of
// each side's version of the file. Pure: callers hand in git's output and the files' text.
import { matchLines } from './lineMatch';

export { parseMergeTreeOutput, parseMergeTreeStdinOutput, conflictsOf, kindOf, messagesFromText } from './mergeTreeOutput';
export type { FileConflict, MergeTreeEntry, MergeTreeMessage, MergeTreeResult, MergeTreeStdinResult } from './mergeTreeOutput';

export type ConflictKind = 'content' | 'add/add' | 'modify/delete' | 'rename' | 'binary' | 'other';

/**
 * One conflicting hunk, as 1-based inclusive line numbers in each side's own version of the file.
 * "Ours" (startLine/endLine) is the first commit given to the merge: the merging branch, i.e. the
 * module's branch (or snapshot of its worktree). "Theirs" (theirsStartLine/theirsEndLine) is the
 * second: the integration branch or the other module. A side that has no lines in the hunk (it
 * deleted them) gets an empty range: endLine = startLine - 1, placed before line startLine.
 */
export interface ConflictRange {
  startLine: number;
  endLine: number;
  theirsStartLine: number;
  theirsEndLine: number;
}

export interface Conflict {
  /** Path in the merge result (forward slashes, relative to the repository root). */
  file: string;
  kind: ConflictKind;
  /** Empty for file-level conflicts (modify/delete, rename, binary, other) and when no hunk was found. */
  ranges: ConflictRange[];
  /** The file's path on our side, when a rename made it differ from `file`. */
  oursFile?: string;
  /** The file's path on their side, when a rename made it differ from `file`. */
  theirsFile?: string;
}

export type MergeCheck =
  | { clean: true; tree: string }
  | { clean: false; tree: string | null; conflicts: Conflict[] };

/** A conflict block in a merged file; 0-based line indexes, sides as half-open [start, end). */
export interface MarkerBlock {
  /** The `<<<<<<<` line. */
  markerStart: number;
  /** The `>>>>>>>` line. */
  markerEnd: number;
  oursStart: number;
  oursEnd: number;
  /** The common ancestor's lines (diff3/zdiff3 style, after `|||||||`), or null. */
  baseStart: number | null;
  baseEnd: number | null;
  theirsStart: number;
  theirsEnd: number;
  /** Text after `<<<<<<< ` and `>>>>>>> `: git writes `<commit>` or `<commit>:<path>` there. */
  oursLabel: string;
  theirsLabel: string;
}

export interface ScanOptions {
  /** Marker length (the `conflict-marker-size` attribute); 7 by default. */
  markerSize?: number;
  /** When set, a block counts only if its opening/closing label is this, or this followed by `:path`. */
  labels?: { ours: string; theirs: string };
}

/** Lines of a text without their line ends (`\n` or `\r\n`); a final line end starts no new line. */
export function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}

/** The label after a marker of exactly `size` characters at the start of `line`, or null. */
function markerLabel(line: string, char: string, size: number): string | null {
  if (line.length < size || line[size] === char) return null;
  for (let i = 0; i < size; i++) if (line[i] !== char) return null;
  if (line.length === size) return '';
  return line[size] === ' ' ? line.slice(size + 1) : null;
}

const labelIs = (label: string, expected: string): boolean => label === expected || label.startsWith(`${expected}:`);

/**
 * Conflict blocks in a merged file (as VS Code's merge-conflict extension finds them): `<<<<<<<`,
 * an optional `|||||||` base section, `=======`, `>>>>>>>`, each at the start of a line and exactly
 * `markerSize` long. A block that is never closed is ignored, as is one interrupted by a new `<<<<<<<`.
 */
export function scanConflictMarkers(text: string | readonly string[], options: ScanOptions = {}): MarkerBlock[] {
  const lines = typeof text === 'string' ? splitLines(text) : text;
  const size = options.markerSize ?? 7;
  const blocks: MarkerBlock[] = [];
  let open: { start: number; oursLabel: string; base: number | null; sep: number | null } | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const start = markerLabel(line, '<', size);
    if (start !== null && (!options.labels || labelIs(start, options.labels.ours))) {
      open = { start: i, oursLabel: start, base: null, sep: null };
      continue;
    }
    if (!open) continue;
    if (open.sep === null) {
      if (open.base === null && markerLabel(line, '|', size) !== null) open.base = i;
      else if (markerLabel(line, '=', size) === '') open.sep = i;
      continue;
    }
    const end = markerLabel(line, '>', size);
    if (end !== null && (!options.labels || labelIs(end, options.labels.theirs))) {
      const oursEnd = open.base ?? open.sep;
      blocks.push({
        markerStart: open.start,
        markerEnd: i,
        oursStart: open.start + 1,
        oursEnd,
        baseStart: open.base === null ? null : open.base + 1,
        baseEnd: open.base === null ? null : open.sep,
        theirsStart: open.sep + 1,
        theirsEnd: i,
        oursLabel: open.oursLabel,
        theirsLabel: end,
      });
      open = null;
    }
  }
  return blocks;
}

/** A half-open range of 0-based line indexes. */
interface Span {
  start: number;
  end: number;
}

/**
 * Where each block's side lies in the file resolved wholly to that side (every block replaced by
 * its ours, or its theirs, lines): lines outside blocks plus that side's lines of earlier blocks.
 * That is each side's own version, except for lines the other side changed cleanly elsewhere.
 */
export function resolvedSpans(lines: readonly string[], blocks: readonly MarkerBlock[], side: 'ours' | 'theirs'): { lines: string[]; spans: Span[] } {
  const resolved: string[] = [];
  const spans: Span[] = [];
  let at = 0;
  for (const b of blocks) {
    for (let i = at; i < b.markerStart; i++) resolved.push(lines[i]);
    const [from, to] = side === 'ours' ? [b.oursStart, b.oursEnd] : [b.theirsStart, b.theirsEnd];
    const start = resolved.length;
    for (let i = from; i < to; i++) resolved.push(lines[i]);
    spans.push({ start, end: resolved.length });
    at = b.markerEnd + 1;
  }
  for (let i = at; i < lines.length; i++) resolved.push(lines[i]);
  return { lines: resolved, spans };
}

/** Carries a span of `from` into `to` along a line match; returns 1-based inclusive lines. */
function carry(span: Span, match: Int32Array | null, toLength: number): [number, number] {
  if (!match) return [span.start + 1, span.end];
  // The `to` line of `from` line i: its match, or counted on from the nearest matched line before it.
  const before = (i: number): number => {
    for (let j = i - 1; j >= 0; j--) if (match[j] >= 0) return match[j] + (i - j);
    return i;
  };
  const lineOf = (i: number): number => Math.min(match[i] >= 0 ? match[i] : before(i), Math.max(toLength - 1, 0));
  if (span.end === span.start) {
    // An empty side sits just after the last line kept before it.
    let at = 0;
    for (let j = span.start - 1; j >= 0; j--) {
      if (match[j] >= 0) {
        at = match[j] + 1;
        break;
      }
    }
    return [at + 1, at];
  }
  const first = lineOf(span.start);
  const last = Math.max(first, lineOf(span.end - 1));
  return [first + 1, last + 1];
}

export interface RangeOptions extends ScanOptions {
  /** Our side's version of the file; when given, lines the other side merged cleanly are not counted. */
  ours?: string | null;
  /** Their side's version of the file, likewise. */
  theirs?: string | null;
}

/** The conflicting hunks of a merged file with markers, as line ranges in each side's version. */
export function conflictRanges(merged: string, options: RangeOptions = {}): ConflictRange[] {
  const lines = splitLines(merged);
  const blocks = scanConflictMarkers(lines, options);
  if (blocks.length === 0) return [];
  const sideRanges = (side: 'ours' | 'theirs'): [number, number][] => {
    const { lines: resolved, spans } = resolvedSpans(lines, blocks, side);
    const own = options[side];
    const ownLines = own == null ? null : splitLines(own);
    const match = ownLines ? matchLines(resolved, ownLines) : null;
    return spans.map((s) => carry(s, match, ownLines ? ownLines.length : resolved.length));
  };
  const ours = sideRanges('ours');
  const theirs = sideRanges('theirs');
  return blocks.map((_, i) => ({
    startLine: ours[i][0],
    endLine: ours[i][1],
    theirsStartLine: theirs[i][0],
    theirsEndLine: theirs[i][1],
  }));
}

/** The path a marker label names after `<commit>:`, when git added one (renames). */
export function labelPath(label: string, commit: string): string | null {
  return label.startsWith(`${commit}:`) ? label.slice(commit.length + 1) : null;
}
