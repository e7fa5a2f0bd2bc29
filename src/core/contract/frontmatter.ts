// The YAML frontmatter form of a contract: every key and item keeps its position in the file.
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Node, Pair, Scalar, YAMLError } from 'yaml';
import type { Pos } from '../model';
import { contractKey, isNoneMarker, normalizeLabel, type ContractKey } from './fieldNames';
import { emptyParts, fieldProblem, type ContractParts } from './parts';
import { parseSimpleYaml } from './simpleYaml';
import { dependenciesFromText, firstInteger } from './values';

const NOTE_KEYS = new Set(['note', 'notes', 'reason', 'why', 'for', 'description', 'purpose']);

/**
 * Reads a frontmatter block whose first YAML line is line `firstLine` of the file. `fast: false`
 * skips the simple-subset reader (tests compare both paths).
 */
export function parseFrontmatter(file: string, yamlLines: readonly string[], firstLine: number, { fast = true } = {}): ContractParts {
  // yaml recurses once per level: thousands of levels exhaust the stack (reported, or thrown, as
  // "Maximum call stack size exceeded" at no useful place). Far fewer levels than that are already
  // no contract; say where the nesting goes too deep instead of parsing it.
  const simple = fast ? parseSimpleYaml(yamlLines) : null;
  // tooDeep() cannot find too deep a nesting in a simple frontmatter under this bound: skip the scan.
  const deep = simple && simple.nestingBound <= MAX_FRONTMATTER_NESTING ? null : tooDeep(yamlLines);
  if (deep) return nestingProblem(file, firstLine + deep.line, deep.column + 1);
  const src = yamlLines.join('\n');
  const lineCounter = new LineCounter();
  let doc: { contents: Node | null; errors: readonly YAMLError[] };
  if (simple) {
    for (const start of simple.lineStarts) lineCounter.addNewLine(start);
    doc = { contents: simple.contents, errors: [] };
  } else {
    try {
      doc = parseDocument(src, { lineCounter, prettyErrors: false });
    } catch (e) {
      if (e instanceof RangeError) return nestingProblem(file, firstLine, 1);
      throw e;
    }
  }
  const lastLine = firstLine + Math.max(0, yamlLines.length - 1);
  const at = (offset: number): Pos => {
    const p = lineCounter.linePos(offset);
    if (p.line === 0) return { line: firstLine, column: offset + 1 };
    return { line: Math.min(lastLine, p.line + firstLine - 1), column: Math.max(1, p.col) };
  };
  const reader = new FrontmatterReader(file, src, at);

  for (const error of doc.errors) {
    const pos = at(error.pos[0]);
    const detail = error.message.split('\n')[0].trim().replace(/\s+/g, ' ');
    reader.parts.problems.push({
      key: null,
      problem: { file, ...pos, severity: 'error', code: 'malformed-frontmatter', message: `Invalid YAML in the frontmatter: ${detail}` },
    });
  }

  const contents = doc.contents;
  if (isMap(contents)) {
    reader.readMap(contents.items);
    // After a syntax error the shapes yaml recovered are guesses: report the syntax error alone.
    if (doc.errors.length > 0) reader.parts.problems = reader.parts.problems.filter((p) => p.key === null);
  } else if (contents !== null && !(isScalar(contents) && contents.value === null) && doc.errors.length === 0) {
    reader.parts.problems.push({
      key: null,
      problem: {
        file,
        ...reader.nodePos(contents),
        severity: 'error',
        code: 'malformed-frontmatter',
        message: 'The frontmatter must be YAML "key: value" lines (feature_id, provides, depends_on, acceptance_criteria).',
      },
    });
  }
  return reader.parts;
}

/** Deeper than this, nesting is reported instead of parsed. */
export const MAX_FRONTMATTER_NESTING = 64;

function nestingProblem(file: string, line: number, column: number): ContractParts {
  const parts = emptyParts();
  parts.problems.push({
    key: null,
    problem: {
      file,
      line,
      column,
      severity: 'error',
      code: 'malformed-frontmatter',
      message: `The frontmatter nests lists or maps more than ${MAX_FRONTMATTER_NESTING} levels deep here; a contract needs a few.`,
    },
  });
  return parts;
}

/** A line that opens a block scalar (`|`, `>`), whose lines are then text. */
const BLOCK_SCALAR = /(?:^|[\s:-])[|>][+-]?\d*\s*(?:#.*)?$/;

/**
 * Where (0-based line and column) the YAML first nests deeper than MAX_FRONTMATTER_NESTING, counting
 * block indentation levels, compact sequences (`- - x`) and flow brackets; null when it never does.
 * A linear scan that skips quotes, comments and block scalars (roughly: it may under-count, never
 * over-count what a contract really writes).
 */
export function tooDeep(lines: readonly string[]): { line: number; column: number } | null {
  const indents: number[] = [];
  let flow = 0;
  /** Inside a block scalar (`|`, `>`): its lines are text, however they look. */
  let scalarIndent: number | null = null;
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i];
    const indent = text.length - text.trimStart().length;
    if (indent === text.length || text[indent] === '#') continue;
    if (scalarIndent !== null && indent > scalarIndent) continue;
    scalarIndent = flow === 0 && (text.includes('|') || text.includes('>')) && BLOCK_SCALAR.test(text) ? indent : null;
    if (flow === 0) {
      while (indents.length > 0 && indents[indents.length - 1] >= indent) indents.pop();
      indents.push(indent);
    }
    if (indents.length + flow > MAX_FRONTMATTER_NESTING) return { line: i, column: indent };
    let compact = 0;
    let leading = true;
    let quote: string | null = null;
    for (let c = indent; c < text.length; c++) {
      const ch = text[c];
      if (quote) {
        if (ch === quote) quote = null;
        continue;
      }
      if (ch === '"' || ch === "'") quote = ch;
      else if (ch === '#' && /\s/.test(text[c - 1] ?? ' ')) break;
      else if (ch === '[' || ch === '{') flow++;
      else if (ch === ']' || ch === '}') flow = Math.max(0, flow - 1);
      else if (ch === '-' && leading && flow === 0 && (c + 1 === text.length || text[c + 1] === ' ')) {
        if (c > indent) compact++;
        continue;
      } else if (ch !== ' ') leading = false;
      if (indents.length + flow + compact > MAX_FRONTMATTER_NESTING) return { line: i, column: c };
    }
    if (indents.length + flow + compact > MAX_FRONTMATTER_NESTING) return { line: i, column: indent };
  }
  return null;
}

class FrontmatterReader {
  readonly parts: ContractParts = emptyParts();

  constructor(
    private readonly file: string,
    private readonly src: string,
    private readonly at: (offset: number) => Pos,
  ) {}

  nodePos(node: Node | null | undefined, fallback?: Pos): Pos {
    const range = node?.range;
    if (range) return this.at(range[0]);
    return fallback ?? { line: this.at(0).line, column: 1 };
  }

  readMap(items: readonly Pair<unknown, unknown>[]): void {
    // A bare `feature:` key is often a title ("feature: Shopping cart"); an explicit feature_id wins.
    const hasFeatureId = items.some((p) => isScalar(p.key) && normalizeLabel(String(p.key.value)) !== 'feature'
      && contractKey(String(p.key.value)) === 'feature_id');
    for (const pair of items) {
      if (!isPair(pair) || !isScalar(pair.key)) continue;
      const label = String(pair.key.value);
      const key = contractKey(label);
      if (key === null || this.parts.fields[key] !== undefined) continue;
      if (hasFeatureId && normalizeLabel(label) === 'feature') continue;
      const keyPos = this.nodePos(pair.key);
      this.parts.fields[key] = keyPos;
      this.readField(key, keyPos, (pair.value ?? null) as Node | null);
    }
  }

  private readField(key: ContractKey, keyPos: Pos, value: Node | null): void {
    switch (key) {
      case 'feature_id':
      case 'module': {
        const text = this.scalarText(value);
        if (text !== null && text.trim() !== '') {
          const located = { value: text.trim(), ...this.nodePos(value, keyPos) };
          if (key === 'feature_id') this.parts.featureId = located;
          else this.parts.module = located;
        } else if (isEmpty(value)) {
          // An empty feature_id is the plan validator's "missing-field"; an empty module only worth a warning.
          if (key === 'module') this.problem(key, keyPos, 'module has no value.', 'warning');
        } else {
          this.problem(key, keyPos, `${key} must be a single value, such as ${key === 'module' ? 'cart' : 'feature-002-catalog'}.`);
        }
        return;
      }
      case 'phase': {
        const text = this.scalarText(value);
        const fractional = isScalar(value) && typeof value.value === 'number' && !Number.isInteger(value.value);
        const number = text === null || fractional ? null : firstInteger(text);
        if (number !== null) this.parts.phase = { value: Number(number.value), ...this.nodePos(value, keyPos) };
        else if (isEmpty(value)) this.problem(key, keyPos, 'phase has no value.', 'warning');
        else this.problem(key, keyPos, 'phase must be a phase number, such as 2.');
        return;
      }
      case 'provides':
        return this.readProvides(value, keyPos);
      case 'depends_on':
        return this.readDependsOn(value, keyPos);
      case 'acceptance_criteria':
        return this.readCriteria(value, keyPos);
      case 'owns':
        return this.readOwns(value, keyPos);
    }
  }

  private readProvides(value: Node | null, keyPos: Pos): void {
    const add = (node: Node | null, category: string | null): boolean => {
      const text = this.scalarText(node);
      if (text === null) return isEmpty(node);
      if (!isNoneMarker(text)) this.parts.provides.push({ category, value: text.trim(), ...this.nodePos(node, keyPos) });
      return true;
    };
    const addGroup = (pair: Pair<unknown, unknown>): void => {
      const category = isScalar(pair.key) ? String(pair.key.value).trim().toLowerCase() : null;
      const v = (pair.value ?? null) as Node | null;
      const ok = isSeq(v) ? v.items.every((item) => add(item as Node, category)) : add(v, category);
      if (!ok) this.problem('provides', this.nodePos(v, keyPos), `provides: the "${category}" entries must be a list of values.`);
    };
    if (isSeq(value)) {
      for (const item of value.items as Node[]) {
        if (isMap(item)) item.items.forEach(addGroup);
        else if (!add(item, null)) this.problem('provides', this.nodePos(item, keyPos), 'provides: each entry must be a value or a "category: values" pair.');
      }
    } else if (isMap(value)) {
      value.items.forEach(addGroup);
    } else if (!add(value, null)) {
      this.problem('provides', keyPos, 'provides must be a list, or a map of categories (api, files, data) to lists.');
    }
  }

  private readDependsOn(value: Node | null, keyPos: Pos): void {
    const fromText = (node: Node, text: string): void => {
      if (isNoneMarker(text)) return;
      const base = this.nodePos(node, keyPos);
      // Offsets inside a plain one-line scalar map straight onto the file; anything else keeps the node's position.
      const exact = node.range && this.src.slice(node.range[0], node.range[1]) === text;
      for (const d of dependenciesFromText(text.trim())) {
        const shift = exact ? text.length - text.trimStart().length + d.offset : 0;
        this.parts.dependsOn.push({ kind: d.kind, value: d.value, note: d.note, line: base.line, column: base.column + shift });
      }
    };
    const fromMap = (items: readonly Pair<unknown, unknown>[], fallback: Pos): void => {
      const noteParts: string[] = [];
      const deps: { kind: string; node: Node }[] = [];
      for (const pair of items) {
        if (!isScalar(pair.key)) continue;
        const kind = String(pair.key.value).trim().toLowerCase();
        const v = (pair.value ?? null) as Node | null;
        if (NOTE_KEYS.has(kind)) {
          const note = this.scalarText(v);
          if (note !== null) noteParts.push(note.trim());
        } else if (isSeq(v)) {
          for (const item of v.items as Node[]) deps.push({ kind, node: item });
        } else if (v !== null) {
          deps.push({ kind, node: v });
        }
      }
      const note = noteParts.join(' ');
      for (const d of deps) {
        const text = this.scalarText(d.node);
        if (text === null) {
          if (!isEmpty(d.node)) this.problem('depends_on', this.nodePos(d.node, fallback), `depends_on: the ${d.kind} must be a name, such as feature-001-auth.`);
          continue;
        }
        if (text.trim() === '' || isNoneMarker(text)) continue;
        this.parts.dependsOn.push({ kind: d.kind, value: text.trim(), note, ...this.nodePos(d.node, fallback) });
      }
    };
    if (isSeq(value)) {
      for (const item of value.items as Node[]) {
        const text = this.scalarText(item);
        if (text !== null) fromText(item, text);
        else if (isMap(item)) fromMap(item.items, this.nodePos(item, keyPos));
        else if (!isEmpty(item)) this.problem('depends_on', this.nodePos(item, keyPos), 'depends_on: each entry must be a feature id or a map such as {feature: feature-001-auth}.');
      }
    } else if (isMap(value)) {
      fromMap(value.items, keyPos);
    } else {
      const text = this.scalarText(value);
      if (text !== null && value !== null) fromText(value, text);
      else if (!isEmpty(value)) this.problem('depends_on', keyPos, 'depends_on must be a list of feature ids.');
    }
  }

  private readCriteria(value: Node | null, keyPos: Pos): void {
    const shapeError = 'acceptance_criteria must be a list of criteria, one measurable statement per item.';
    const addPairs = (items: readonly Pair<unknown, unknown>[], fallback: Pos): boolean => {
      let ok = true;
      for (const pair of items) {
        const label = isScalar(pair.key) ? String(pair.key.value).trim() : '';
        const v = (pair.value ?? null) as Node | null;
        const values = isSeq(v) ? (v.items as Node[]) : [v];
        for (const item of values) {
          const text = this.scalarText(item);
          if (text === null) {
            ok = ok && isEmpty(item);
            continue;
          }
          // `- Performance: GET < 100ms` parses as a map; it is still one criterion.
          const pos = values.length === 1 && pair.key ? this.nodePos(pair.key as Node, fallback) : this.nodePos(item, fallback);
          this.parts.acceptanceCriteria.push({ value: label ? `${label}: ${text.trim()}` : text.trim(), ...pos });
        }
      }
      return ok;
    };
    if (isSeq(value)) {
      for (const item of value.items as Node[]) {
        const text = this.scalarText(item);
        if (text !== null) {
          if (text.trim() !== '') this.parts.acceptanceCriteria.push({ value: text.trim(), ...this.nodePos(item, keyPos) });
        } else if (isMap(item)) {
          if (!addPairs(item.items, this.nodePos(item, keyPos))) this.problem('acceptance_criteria', this.nodePos(item, keyPos), shapeError);
        } else if (!isEmpty(item)) {
          this.problem('acceptance_criteria', this.nodePos(item, keyPos), shapeError);
        }
      }
    } else if (isMap(value)) {
      if (!addPairs(value.items, keyPos)) this.problem('acceptance_criteria', keyPos, shapeError);
    } else if (isScalar(value) && typeof value.value === 'string') {
      if (value.value.trim() !== '') this.parts.acceptanceCriteria.push({ value: value.value.trim(), ...this.nodePos(value, keyPos) });
    } else if (!isEmpty(value)) {
      this.problem('acceptance_criteria', keyPos, shapeError);
    }
  }

  private readOwns(value: Node | null, keyPos: Pos): void {
    const add = (node: Node | null): boolean => {
      const text = this.scalarText(node);
      if (text === null) return isEmpty(node);
      if (!isNoneMarker(text)) this.parts.owns.push({ value: text.trim(), ...this.nodePos(node, keyPos) });
      return true;
    };
    if (isSeq(value)) {
      for (const item of value.items as Node[]) {
        if (!add(item)) this.problem('owns', this.nodePos(item, keyPos), 'owns: each entry must be a path glob, such as src/cart/**.');
      }
    } else if (!add(value)) {
      this.problem('owns', keyPos, 'owns must be a list of path globs, such as src/cart/**.');
    }
  }

  /** The text of a scalar node; numbers keep their source spelling (`002`). Null for anything else. */
  private scalarText(node: Node | null | undefined): string | null {
    if (!isScalar(node)) return null;
    const v = (node as Scalar).value;
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') {
      const source = (node as Scalar).source;
      return typeof source === 'string' && source !== '' ? source : String(v);
    }
    return null;
  }

  private problem(key: ContractKey, at: Pos, message: string, severity: 'error' | 'warning' = 'error'): void {
    fieldProblem(this.parts, this.file, key, at, message, severity);
  }
}

/** No node, or a null scalar (`key:` with nothing after it). */
function isEmpty(node: Node | null | undefined): boolean {
  return node === null || node === undefined || (isScalar(node) && (node.value === null || node.value === undefined));
}
