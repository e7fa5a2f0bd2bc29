// The markdown form of a contract (seed 001): sections introduced by a heading, numbered item, bullet,
// bold line or `key: value` line naming a field, read line by line so positions stay exact and
// re-validating a contract stays cheap.
import type { Pos } from '../model';
import { contractKey, isNoneMarker, normalizeLabel, type ContractKey } from './fieldNames';
import { appendContinuation, entryPos, posAt, type Entry } from './entry';
import { emptyParts, fieldProblem, type ContractParts } from './parts';
import { dependenciesFromText, firstInteger, firstToken, globsFromText, providesFromText } from './values';

interface Section {
  key: ContractKey;
  pos: Pos;
  /** Written as the ambiguous word "feature" rather than feature_id; an explicit feature_id replaces it. */
  weak: boolean;
  entries: Entry[];
}

type LineKind = 'heading' | 'item' | 'bold' | 'plain';

type Classified =
  | {
      kind: 'header';
      key: ContractKey;
      weak: boolean;
      column: number;
      value: string;
      valueColumn: number;
      setext: boolean;
      itemIndent: number | null;
    }
  | { kind: 'boundary'; setext: boolean }
  | { kind: 'content' };

const LIST_KEYS: ReadonlySet<ContractKey> = new Set(['provides', 'depends_on', 'acceptance_criteria', 'owns']);
const ATX = /^ {0,3}(#{1,6})(?:[ \t]+|$)/;
const THEMATIC_BREAK = /^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/;
const SETEXT_UNDERLINE = /^ {0,3}(?:=+|-{2,})[ \t]*$/;
const LIST_MARKER = /^[ \t]*(?:[-*+]|\d{1,9}[.)])(?:[ \t]+|$)/;
const BULLET = /^([-*+]|\d{1,9}[.)])(?:[ \t]+|$)/;
const CHECKBOX = /^\[[ xX]\](?:[ \t]+|$)/;
const FENCE_OPEN = /^[ \t]*(`{3,}|~{3,})(.*)$/;
const COMMENT_OPEN = /^[ \t]*<!--/;

/** Reads the body, from 0-based line `from` to the end. */
export function parseMarkdownBody(file: string, lines: readonly string[], from: number): ContractParts {
  const sections = new Map<ContractKey, Section>();
  let current: Section | null = null;
  // Indent of the list item that opened the current section, or null when a heading/line opened it.
  let currentItemIndent: number | null = null;
  let fence: { char: string; length: number } | null = null;
  let inComment = false;
  let blankBefore = false;

  for (let i = from; i < lines.length; i++) {
    const line = lines[i];
    if (fence !== null) {
      if (closesFence(line, fence)) fence = null;
      continue;
    }
    // Cheap substring checks first: most lines open no fence and no comment.
    const open = line.includes('```') || line.includes('~~~') ? FENCE_OPEN.exec(line) : null;
    if (open && !(open[1][0] === '`' && open[2].includes('`'))) {
      fence = { char: open[1][0], length: open[1].length };
      continue;
    }
    if (inComment) {
      if (line.includes('-->')) inComment = false;
      continue;
    }
    const commentAt = line.includes('<!--') && COMMENT_OPEN.test(line) ? line.indexOf('<!--') : -1;
    if (commentAt >= 0) {
      inComment = !line.includes('-->', commentAt + 4);
      continue;
    }
    if (line.trim() === '') {
      blankBefore = true;
      continue;
    }

    const c = classify(line, lines[i + 1], current?.key ?? null, currentItemIndent);
    if (c.kind === 'header') {
      current = openSection(sections, c.key, { line: i + 1, column: c.column + 1 }, c.weak);
      currentItemIndent = c.itemIndent;
      if (c.value !== '') current.entries.push(newEntry(c.value, i, c.valueColumn, 0, false, c.valueColumn));
      if (c.setext) i++;
    } else if (c.kind === 'boundary') {
      current = null;
      if (c.setext) i++;
    } else if (current !== null) {
      addContentLine(current, line, i, blankBefore);
    }
    blankBefore = false;
  }
  return interpret(file, sections);
}

function openSection(sections: Map<ContractKey, Section>, key: ContractKey, pos: Pos, weak: boolean): Section {
  const existing = sections.get(key);
  if (existing && !(existing.weak && !weak)) return existing;
  const section: Section = { key, pos, weak, entries: [] };
  sections.set(key, section);
  return section;
}

function classify(line: string, next: string | undefined, currentKey: ContractKey | null, currentItemIndent: number | null): Classified {
  const atx = ATX.exec(line);
  if (atx) {
    const content = line.slice(atx[0].length).replace(/(?:^|[ \t]+)#+[ \t]*$/, '').trimEnd();
    return header(content, atx[0].length, 'heading', currentKey, false) ?? { kind: 'boundary', setext: false };
  }
  if (THEMATIC_BREAK.test(line)) return { kind: 'boundary', setext: false };
  const indent = line.length - line.trimStart().length;
  if (next !== undefined && SETEXT_UNDERLINE.test(next) && !LIST_MARKER.test(line) && indentWidth(line.slice(0, indent)) < 4) {
    return header(line.slice(indent).trimEnd(), indent, 'heading', currentKey, true) ?? { kind: 'boundary', setext: true };
  }
  const marker = BULLET.exec(line.slice(indent));
  if (marker) {
    // In a list section, items are its entries ("- Phase: 2 ships first") unless they sit at the level
    // of the item that opened it, as in a contract written as one list of "- key: value" items.
    const width = indentWidth(line.slice(0, indent));
    if (currentKey !== null && LIST_KEYS.has(currentKey) && (currentItemIndent === null || width > currentItemIndent)) {
      return { kind: 'content' };
    }
    const start = indent + marker[0].length;
    const h = header(line.slice(start).trimEnd(), start, 'item', currentKey, false);
    return h?.kind === 'header' ? { ...h, itemIndent: width } : (h ?? { kind: 'content' });
  }
  if (/^(\*\*|__)/.test(line.slice(indent))) {
    return header(line.slice(indent).trimEnd(), indent, 'bold', currentKey, false) ?? { kind: 'content' };
  }
  if (indent === 0) return header(line.trimEnd(), 0, 'plain', currentKey, false) ?? { kind: 'content' };
  return { kind: 'content' };
}

/** The header a line's text (starting at 0-based column `column`) makes, or null. */
function header(content: string, column: number, lineKind: LineKind, currentKey: ContractKey | null, setext: boolean): Classified | null {
  const split = splitLabel(content, lineKind === 'plain');
  if (split === null) return null;
  const key = contractKey(split.label);
  if (key === null) return null;
  const word = normalizeLabel(split.label);
  const value = content.slice(split.valueOffset).trimEnd();
  // "feature" and "module" are also dependency kinds ("Feature: `feature-001-auth`") and prose words:
  // inside a list section only a real heading (or a bold line, outside depends_on) starts a new section.
  if (word === 'feature' || word === 'module') {
    if (lineKind !== 'heading' && currentKey !== null && LIST_KEYS.has(currentKey)) {
      if (currentKey === 'depends_on' || lineKind !== 'bold' || column !== 0) return null;
    }
    if (word === 'feature') {
      if (lineKind === 'plain') return null;
      // "# Feature: Shopping cart" is a title, not an id.
      if (/\s/.test(value) && !value.includes('`')) return null;
    }
  }
  return {
    kind: 'header',
    key,
    weak: word === 'feature',
    column,
    value,
    valueColumn: column + split.valueOffset,
    setext,
    itemIndent: null,
  };
}

const CLOSERS: Readonly<Record<string, string>> = { '‘': '’', '“': '”' };

/**
 * Splits "label: value" where the label may be bold, code or quoted (`**feature_id:** x`,
 * "`depends_on`: none", "'provides'"). Without a colon the whole text is the label.
 */
function splitLabel(content: string, requireColon: boolean): { label: string; valueOffset: number } | null {
  let label: string;
  let after: number;
  let colon = false;
  const open = /^(\*\*|__|`+|["'‘“])/.exec(content);
  if (open) {
    const closer = CLOSERS[open[1]] ?? open[1];
    const close = content.indexOf(closer, open[1].length);
    if (close < 0) return null;
    label = content.slice(open[1].length, close);
    after = close + closer.length;
    // Bold labels may wrap further code or quotes: **`feature_id`:**
    if (/^(\*\*|__)/.test(open[1])) label = label.replace(/^[`"']+|[`"']+(?=:?\s*$)/g, '');
    colon = /:\s*$/.test(label);
    const trailing = /^[ \t]*:/.exec(content.slice(after));
    if (trailing) {
      colon = true;
      after += trailing[0].length;
    } else if (!colon && content.slice(after).trim() !== '') {
      return null;
    }
  } else {
    const at = content.indexOf(':');
    if (at >= 0) {
      label = content.slice(0, at);
      after = at + 1;
      colon = true;
    } else {
      label = content;
      after = content.length;
    }
  }
  if (requireColon && !colon) return null;
  while (after < content.length && /\s/.test(content[after])) after++;
  return { label, valueOffset: after };
}

function addContentLine(section: Section, line: string, index: number, blankBefore: boolean): void {
  const indentChars = line.length - line.trimStart().length;
  const indent = indentWidth(line.slice(0, indentChars));
  const marker = BULLET.exec(line.slice(indentChars));
  let textStart = indentChars + (marker ? marker[0].length : 0);
  const box = marker ? CHECKBOX.exec(line.slice(textStart)) : null;
  if (box) textStart += box[0].length;
  const text = line.slice(textStart).trimEnd();
  const prev = section.entries[section.entries.length - 1];
  if (!marker && prev !== undefined) {
    const continues = blankBefore ? prev.bulleted && indent >= prev.textIndent : indent > prev.indent;
    if (continues) {
      if (prev.text === '') {
        prev.text = text;
        prev.pieces = [{ start: 0, line: index + 1, column: textStart + 1 }];
      } else {
        appendContinuation(prev, text, index + 1, textStart + 1);
      }
      return;
    }
  }
  const textIndent = indentWidth(line.slice(0, textStart));
  section.entries.push(newEntry(text, index, textStart, indent, marker !== null, textIndent));
}

function newEntry(text: string, index: number, start: number, indent: number, bulleted: boolean, textIndent: number): Entry {
  return { text, pieces: [{ start: 0, line: index + 1, column: start + 1 }], indent, bulleted, textIndent };
}

function closesFence(line: string, fence: { char: string; length: number }): boolean {
  const m = /^[ \t]*(`{3,}|~{3,})[ \t]*$/.exec(line);
  return m !== null && m[1][0] === fence.char && m[1].length >= fence.length;
}

/** Indentation width with tabs to the next multiple of 4, as CommonMark counts it. */
function indentWidth(whitespace: string): number {
  let width = 0;
  for (const ch of whitespace) width = ch === '\t' ? width + 4 - (width % 4) : width + 1;
  return width;
}

function interpret(file: string, sections: Map<ContractKey, Section>): ContractParts {
  const parts = emptyParts();
  for (const section of sections.values()) {
    parts.fields[section.key] = section.pos;
    const entries = section.entries.filter((e) => e.text.trim() !== '');
    switch (section.key) {
      case 'feature_id':
      case 'module': {
        const entry = entries[0];
        const token = entry ? firstToken(entry.text) : null;
        if (entry && token) {
          const located = { value: token.value, ...posAt(entry, token.offset) };
          if (section.key === 'feature_id') parts.featureId = located;
          else parts.module = located;
        } else if (section.key === 'module') {
          // An empty feature_id is the plan validator's "missing-field".
          fieldProblem(parts, file, 'module', section.pos, 'module has no value.', 'warning');
        }
        break;
      }
      case 'phase': {
        const entry = entries[0];
        const number = entry ? firstInteger(entry.text) : null;
        if (entry && number) parts.phase = { value: Number(number.value), ...posAt(entry, number.offset) };
        else fieldProblem(parts, file, 'phase', section.pos, 'phase must be a phase number, such as 2.', entry ? 'error' : 'warning');
        break;
      }
      case 'provides':
        readProvides(parts, entries);
        break;
      case 'depends_on':
        for (const entry of entries) {
          if (isNoneMarker(entry.text)) continue;
          for (const d of dependenciesFromText(entry.text)) {
            parts.dependsOn.push({ kind: d.kind, value: d.value, note: d.note, ...posAt(entry, d.offset) });
          }
        }
        break;
      case 'acceptance_criteria':
        for (const entry of entries) parts.acceptanceCriteria.push({ value: entry.text.trim(), ...entryPos(entry) });
        break;
      case 'owns':
        for (const entry of entries) {
          if (isNoneMarker(entry.text)) continue;
          for (const g of globsFromText(entry.text)) parts.owns.push({ value: g.value, ...posAt(entry, g.offset) });
        }
        break;
    }
  }
  return parts;
}

/** Provides lines; a label-only line ("API:") gives its category to the entries nested under it. */
function readProvides(parts: ContractParts, entries: readonly Entry[]): void {
  let inherited: { category: string; indent: number; bulleted: boolean } | null = null;
  for (const entry of entries) {
    if (isNoneMarker(entry.text)) continue;
    const { values, labelOnly } = providesFromText(entry.text);
    if (labelOnly !== null) {
      inherited = { category: labelOnly, indent: entry.indent, bulleted: entry.bulleted };
      continue;
    }
    if (inherited && (entry.indent < inherited.indent || (entry.indent === inherited.indent && entry.bulleted === inherited.bulleted))) {
      inherited = null;
    }
    for (const v of values) {
      parts.provides.push({ category: v.category ?? inherited?.category ?? null, value: v.value, ...posAt(entry, v.offset) });
    }
  }
}
