// Reading field values out of free text: the first token of a line, dependency lines, provides lines.
// Offsets returned are into the text given, so callers can map them to file positions.
import { codeSpans, inSpan } from './codeSpans';
import { isNoneMarker } from './fieldNames';

export interface TextValue {
  value: string;
  offset: number;
}

export interface DependencyText extends TextValue {
  kind: string;
  note: string;
}

export interface ProvidesText extends TextValue {
  category: string | null;
}

const QUOTES = /^["'“‘*]+|["'”’*]+$/g;

/** The first code span's content, else the first word (quotes and trailing punctuation dropped). */
export function firstToken(text: string): TextValue | null {
  const span = codeSpans(text).find((s) => s.value !== '');
  if (span) return { value: span.value, offset: span.start };
  const word = /\S+/.exec(text);
  if (!word) return null;
  const value = word[0].replace(/[.,;:]+$/, '').replace(QUOTES, '');
  return value === '' ? null : { value, offset: word.index };
}

/** The first whole number written in the text. */
export function firstInteger(text: string): TextValue | null {
  const m = /\d+/.exec(text);
  if (!m) return null;
  return { value: m[0], offset: m.index };
}

// `Label: rest` at the start of a line. A label is a few words, never a path or URL.
const LEADING_LABEL = /^([A-Za-z][A-Za-z0-9 _.&-]{0,40}?)[ \t]*:(?=\s|$)/;
// A Title Case label further along a line, as in "API: `GET /a` Data Model: `Product`".
const INNER_LABEL = /(?<=\s)([A-Z][A-Za-z0-9]*(?: [A-Z][A-Za-z0-9]*){0,3}):(?=\s|$)/g;
const HTTP_METHOD = /^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\b/;

function leadingLabel(text: string): { label: string; rest: number } | null {
  const m = LEADING_LABEL.exec(text);
  if (!m || HTTP_METHOD.test(m[1])) return null;
  let rest = m[0].length;
  while (rest < text.length && /\s/.test(text[rest])) rest++;
  return { label: m[1].trim().replace(/\s+/g, ' ').toLowerCase(), rest };
}

interface Segment {
  category: string | null;
  start: number;
  end: number;
}

/** Splits a provides line into its labelled parts. */
function providesSegments(text: string): Segment[] {
  const spans = codeSpans(text);
  const lead = leadingLabel(text);
  const segments: Segment[] = [{ category: lead?.label ?? null, start: lead?.rest ?? 0, end: text.length }];
  for (const m of text.matchAll(INNER_LABEL)) {
    const current = segments[segments.length - 1];
    const at = m.index;
    if (at < current.start || inSpan(spans, at)) continue;
    // Only after some code values: otherwise "Returns the Product: ..." would split prose.
    if (!spans.some((s) => s.start >= current.start && s.end <= at)) continue;
    current.end = at;
    let rest = at + m[0].length;
    while (rest < text.length && /\s/.test(text[rest])) rest++;
    segments.push({ category: m[1].toLowerCase(), start: rest, end: text.length });
  }
  return segments;
}

/**
 * What one provides line names: one value per code span, or the whole text when it has none.
 * A line that is only a label ("API:") yields `{ labelOnly }` so the entries below it inherit it.
 */
export function providesFromText(text: string): { values: ProvidesText[]; labelOnly: string | null } {
  const values: ProvidesText[] = [];
  const segments = providesSegments(text);
  for (const seg of segments) {
    const body = text.slice(seg.start, seg.end);
    const spans = codeSpans(body).filter((s) => s.value !== '');
    if (spans.length > 0) {
      for (const s of spans) values.push({ category: seg.category, value: s.value, offset: seg.start + s.start });
      continue;
    }
    // "src/a.ts, src/b.ts" lists several values; prose with commas ("schema (id, name)") stays whole.
    const pieces = body.split(',');
    if (pieces.length > 1 && pieces.every((p) => /^\s*\S+\s*$/.test(p))) {
      let at = seg.start;
      for (const p of pieces) {
        const word = /\S+/.exec(p);
        if (word) values.push({ category: seg.category, value: word[0], offset: at + word.index });
        at += p.length + 1;
      }
      continue;
    }
    const trimmed = body.trim();
    if (trimmed !== '') {
      values.push({ category: seg.category, value: trimmed, offset: seg.start + body.indexOf(trimmed) });
    }
  }
  const labelOnly = values.length === 0 && segments.length === 1 ? segments[0].category : null;
  return { values, labelOnly };
}

const RUN_SEPARATOR = /^\s*(?:,|;|&|\band\b|\bor\b)?\s*$/i;
const NOTE_SEPARATOR = /\s+\(|\s+[—–-]\s+|[,;]\s+/;

/**
 * The dependencies one depends_on line names: "Feature: `feature-001-auth` (for user context)",
 * "Service: `Shared Logging Service`", "`a`, `b`", "feature-001, feature-002" or a bare id.
 * A line naming one dependency reports offset 0 (the entry start); several report each value's own.
 */
export function dependenciesFromText(text: string): DependencyText[] {
  // Kinds are plain words ("Service:"), so "feature-001-auth: for login" is an id with a note.
  const label = /^[A-Za-z][A-Za-z _]{0,30}:(?=\s|$)/.test(text) ? leadingLabel(text) : null;
  const kind = label ? label.label : 'feature';
  const restStart = label ? label.rest : 0;
  const rest = text.slice(restStart);
  const spans = codeSpans(rest).filter((s) => s.value !== '');
  const found: DependencyText[] = [];
  if (spans.length > 0) {
    // A run of code spans separated only by commas/"and" names several dependencies.
    let last = 0;
    for (let i = 0; i < spans.length; i++) {
      if (i > 0 && !RUN_SEPARATOR.test(rest.slice(spans[i - 1].end, spans[i].start))) break;
      last = i;
    }
    const before = rest.slice(0, spans[0].start).trim();
    const after = stripLeadingSeparator(rest.slice(spans[last].end));
    const note = [before, after].filter((s) => s !== '').join(' ');
    for (let i = 0; i <= last; i++) {
      found.push({ kind, value: spans[i].value, note, offset: restStart + spans[i].start });
    }
  } else if (kind === 'feature' || kind === 'module') {
    const pieces = rest.split(',');
    if (pieces.length > 1 && pieces.every((p) => /^\s*\S+\s*$/.test(p))) {
      let at = restStart;
      for (const p of pieces) {
        const word = /\S+/.exec(p);
        if (word) found.push({ kind, value: clean(word[0]), note: '', offset: at + word.index });
        at += p.length + 1;
      }
    } else {
      const word = /\S+/.exec(rest);
      if (word) {
        const note = stripLeadingSeparator(rest.slice(word.index + word[0].length));
        found.push({ kind, value: clean(word[0]), note, offset: restStart + word.index });
      }
    }
  } else {
    const sep = NOTE_SEPARATOR.exec(rest);
    const value = clean((sep ? rest.slice(0, sep.index) : rest).trim());
    const note = sep ? stripLeadingSeparator(rest.slice(sep.index)) : '';
    if (value !== '') found.push({ kind, value, note, offset: restStart });
  }
  const kept = found.filter((d) => !isNoneMarker(d.value));
  if (kept.length === 1) kept[0].offset = 0;
  return kept;
}

function clean(word: string): string {
  return word.replace(/[.,;:]+$/, '').replace(QUOTES, '');
}

function stripLeadingSeparator(text: string): string {
  return text.trim().replace(/^[—–,;-]\s*/, '').trim();
}

/** Path globs on one owns line: each code span, else each comma-separated word. */
export function globsFromText(text: string): TextValue[] {
  const spans = codeSpans(text).filter((s) => s.value !== '');
  if (spans.length > 0) return spans.map((s) => ({ value: s.value, offset: s.start }));
  const found: TextValue[] = [];
  let at = 0;
  for (const piece of text.split(',')) {
    const word = /\S+/.exec(piece);
    if (word) {
      // Globs keep their stars; only quotes around them go.
      const value = word[0].replace(/^["'“‘]+|["'”’]+$/g, '');
      if (value !== '') found.push({ value, offset: at + word.index });
    }
    at += piece.length + 1;
  }
  return found;
}
