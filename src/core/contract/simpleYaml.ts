// A fast reader for the plain YAML that contract frontmatter is nearly always written in: block maps
// of `key: value`, block lists of `- value`, one-line `[a, b]` lists, plain or simply quoted
// scalars. yaml's full parser costs ~0.6 ms for a 40-line frontmatter, most of a small plan's time.
// This builds yaml's own node classes with the offsets yaml would give them, so the frontmatter
// reader runs on either unchanged. Anything outside the subset (comments, tabs, anchors, block
// scalars, flow maps, escapes, multi-line scalars, any doubt at all) returns null: yaml parses it.
import { Pair, Scalar, YAMLMap, YAMLSeq } from 'yaml';
import type { Node } from 'yaml';

export interface SimpleYaml {
  contents: YAMLMap;
  /** Offsets where each line starts, as yaml's LineCounter records them. */
  lineStarts: number[];
  /**
   * At least the nesting tooDeep() can count here: its indentation stack holds distinct indents
   * (at most the deepest + 1), its bracket count at most the `[` and `{` written, and no line of
   * this subset has compact `- -` items.
   */
  nestingBound: number;
}

interface Line {
  indent: number;
  /** The line without its indentation. */
  text: string;
  /** Offset of `text` in the joined source. */
  offset: number;
}

/**
 * Printable characters that are neither YAML-special nor whitespace to JavaScript's trim() (which
 * the reader applies; yaml trims spaces only). `#` (comments) and tabs are left to yaml.
 */
const SAFE_TEXT = /^[\x20-\x22\x24-\x7e\u00a1-\u167f\u1681-\u1fff\u200b-\u2027\u2030-\u205e\u2060-\u2fff\u3001-\ud7ff\ue000-\ufefe\uff00-\ufffd]*$/;
const KEY = /^([A-Za-z_][\w -]*):(?: (.*))?$/;
/** Core-schema words that are not strings. */
const RESERVED = /^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE)$/;
/** Characters a plain scalar may not start with (indicators), nor digits, `.`, `+` (numbers). */
const PLAIN_START = /^[^-?:,[\]{}#&*!|>'"%@`.+0-9 ]/;
const FLOW_SPECIAL = /[,[\]{}:]/;
const INTEGER = /^[0-9]{1,15}$/;
/** Blocks nested deeper go to yaml (and its depth check); keeps this reader's recursion shallow. */
const MAX_DEPTH = 64;

/** The frontmatter's map, or null when it is not in the simple subset. */
export function parseSimpleYaml(yamlLines: readonly string[]): SimpleYaml | null {
  const lineStarts: number[] = [];
  const lines: Line[] = [];
  let offset = 0;
  let maxIndent = 0;
  let brackets = 0;
  for (const raw of yamlLines) {
    lineStarts.push(offset);
    if (!SAFE_TEXT.test(raw)) return null;
    let indent = 0;
    while (raw.charCodeAt(indent) === 32) indent++;
    if (indent < raw.length) lines.push({ indent, text: trimSpacesEnd(raw.slice(indent)), offset: offset + indent });
    maxIndent = Math.max(maxIndent, indent);
    brackets += countBrackets(raw);
    offset += raw.length + 1;
  }
  if (lines.length === 0 || lines[0].indent !== 0) return null;
  const parsed = new BlockReader(lines).map(0, 0, 1);
  if (!parsed || parsed.next !== lines.length) return null;
  return { contents: parsed.node, lineStarts, nestingBound: maxIndent + 1 + brackets };
}

function countBrackets(text: string): number {
  let n = 0;
  for (let at = text.indexOf('['); at >= 0; at = text.indexOf('[', at + 1)) n++;
  for (let at = text.indexOf('{'); at >= 0; at = text.indexOf('{', at + 1)) n++;
  return n;
}

function trimSpacesEnd(text: string): string {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 32) end--;
  return text.slice(0, end);
}

const isSeqItem = (text: string): boolean => text.startsWith('- ');

class BlockReader {
  constructor(private readonly lines: readonly Line[]) {}

  /** The block map whose keys sit at `indent`, from line `at`. */
  map(at: number, indent: number, depth: number): { node: YAMLMap; next: number } | null {
    if (depth > MAX_DEPTH) return null;
    const map = new YAMLMap();
    map.range = [this.lines[at].offset, this.lines[at].offset, this.lines[at].offset];
    const keys = new Set<string>();
    let i = at;
    while (i < this.lines.length && this.lines[i].indent === indent) {
      const line = this.lines[i];
      const m = KEY.exec(line.text);
      if (!m) return null;
      const key = m[1];
      if (key.endsWith(' ') || RESERVED.test(key) || keys.has(key)) return null;
      keys.add(key);
      const keyNode = plainScalar(key, line.offset);
      let value: Node | null;
      i++;
      if (m[2] !== undefined && m[2] !== '') {
        const start = line.offset + key.length + 2;
        const lead = m[2].length - m[2].trimStart().length;
        value = inlineValue(m[2].slice(lead), start + lead);
        if (value === null) return null;
      } else {
        const nested = this.nested(i, indent, depth);
        if (nested === null) return null;
        if (nested === 'none') {
          value = emptyScalar(line.offset + key.length + 1);
        } else {
          value = nested.node;
          i = nested.next;
        }
      }
      if (i < this.lines.length && this.lines[i].indent > indent) return null;
      map.items.push(new Pair(keyNode, value));
    }
    return { node: map, next: i };
  }

  /** What follows `key:` with nothing after it: a deeper block, a list at the key's own indent, or none. */
  private nested(at: number, indent: number, depth: number): { node: Node; next: number } | 'none' | null {
    const line = this.lines[at];
    if (line === undefined || line.indent < indent) return 'none';
    if (line.indent === indent) return isSeqItem(line.text) ? this.seq(at, indent) : 'none';
    return isSeqItem(line.text) ? this.seq(at, line.indent) : this.map(at, line.indent, depth + 1);
  }

  /** The block list whose `-` sit at `indent`, from line `at`. */
  private seq(at: number, indent: number): { node: YAMLSeq; next: number } | null {
    const seq = new YAMLSeq();
    seq.range = [this.lines[at].offset, this.lines[at].offset, this.lines[at].offset];
    let i = at;
    while (i < this.lines.length && this.lines[i].indent === indent && isSeqItem(this.lines[i].text)) {
      const line = this.lines[i];
      const rest = line.text.slice(2);
      const lead = rest.length - rest.trimStart().length;
      const item = inlineValue(rest.slice(lead), line.offset + 2 + lead);
      if (item === null) return null;
      seq.items.push(item);
      i++;
      if (i < this.lines.length && this.lines[i].indent > indent) return null;
    }
    return { node: seq, next: i };
  }
}

/** A value on the rest of a line (no surrounding spaces) at `offset`: a `[...]` list or a scalar. */
function inlineValue(text: string, offset: number): Node | null {
  if (text === '') return null;
  if (text[0] !== '[') return scalar(text, offset, false);
  if (!text.endsWith(']')) return null;
  const seq = new YAMLSeq();
  seq.flow = true;
  seq.range = [offset, offset + text.length, offset + text.length];
  const inner = text.slice(1, -1);
  if (inner.trim() === '') return seq;
  let at = offset + 1;
  for (const part of inner.split(',')) {
    const lead = part.length - part.trimStart().length;
    const item = trimSpacesEnd(part.slice(lead));
    if (item === '') return null;
    const node = scalar(item, at + lead, true);
    if (node === null) return null;
    seq.items.push(node);
    at += part.length + 1;
  }
  return seq;
}

/** A plain, single- or double-quoted scalar spanning all of `text`; null for any other form. */
function scalar(text: string, offset: number, flow: boolean): Scalar | null {
  const quote = text[0];
  if (quote === '"' || quote === "'") {
    const inner = text.slice(1, -1);
    if (text.length < 2 || text[text.length - 1] !== quote || inner.includes(quote) || inner.includes('\\')) return null;
    const node = new Scalar(inner);
    node.type = quote === '"' ? Scalar.QUOTE_DOUBLE : Scalar.QUOTE_SINGLE;
    node.source = inner;
    node.range = [offset, offset + text.length, offset + text.length];
    return node;
  }
  if (INTEGER.test(text)) {
    const node = plainScalar(text, offset);
    node.value = Number(text);
    return node;
  }
  if (!PLAIN_START.test(text) || RESERVED.test(text) || text.includes(': ') || text.endsWith(':')) return null;
  if (flow && FLOW_SPECIAL.test(text)) return null;
  return plainScalar(text, offset);
}

function plainScalar(text: string, offset: number): Scalar {
  const node = new Scalar<unknown>(text);
  node.type = Scalar.PLAIN;
  node.source = text;
  node.range = [offset, offset + text.length, offset + text.length];
  return node;
}

/** `key:` with no value: yaml's null scalar just after the colon. */
function emptyScalar(offset: number): Scalar {
  const node = new Scalar<unknown>(null);
  node.type = Scalar.PLAIN;
  node.source = '';
  node.range = [offset, offset, offset];
  return node;
}
