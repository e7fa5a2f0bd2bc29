// A one-pass CommonMark block scanner for phase bodies (the commonmark.js algorithm, trimmed to what
// the plan reads). It keeps only the open containers and reports the top-level blocks, so its cost
// is linear in the text, however deep the lists nest; remark took minutes on a 3000-deep list.
import type { Block, SourceLine } from './blocks';
import { LineCursor, maybeSpecial } from './lineCursor';
import { splitLines } from './sections';
import {
  ATX_START, BULLET, FENCE_CLOSE, FENCE_START, HTML_CLOSE, HTML_OPEN, ORDERED, SETEXT_UNDERLINE,
  definitionStep, isSpaceOrTab, type DefinitionState,
} from './blockSyntax';

type Kind = 'doc' | 'quote' | 'item' | 'para' | 'fence' | 'icode' | 'html';

interface Node {
  kind: Kind;
  parent: Node | null;
  /** A list item: whether it has a child yet (an item may start with at most one blank line). */
  hasChild: boolean;
  /** item: content indent (marker offset + padding); fence: the fence's indent. */
  indent: number;
  fenceChar: string;
  fenceLength: number;
  htmlKind: number;
  /** Lines kept for a block that is reported (top level, or the first paragraph of a top-level item). */
  lines: SourceLine[] | null;
  /** para: its line count, how many leading lines are link reference definitions, and where the last one is. */
  count: number;
  definitions: number;
  definitionState: DefinitionState | 'start';
  /** The text of a label that goes on over lines. */
  pendingLabel: string;
  reportAs: 'paragraph' | 'item' | null;
  /** Ends with the line it started on (see the indented code start). */
  oneLine: boolean;
}

export function scanBlocks(source: string): Block[] {
  return new BlockScanner(source).run();
}

class BlockScanner extends LineCursor {
  private readonly lines: string[];
  private readonly out: Block[] = [];
  private readonly doc: Node = node('doc', null);
  /** Open blocks from the document down; only the last may be a leaf. */
  private open: Node[] = [this.doc];
  private lineNo = 0;
  /**
   * A list item on this line would interrupt a paragraph (so must not be empty nor start at other
   * than 1). As in remark (micromark): decided once per line, when every container continued, and
   * also after an open indented code block, blank lines included: `    code\n\n2) x` is a paragraph.
   */
  private interrupting = false;
  /**
   * An empty item ended at a blank line: remark keeps it open until the next non-blank line, which
   * is then a lazy line (see the indented code start).
   */
  private emptyItemEnded = false;
  /** Index in `open` of the deepest block the current line continued. */
  private matched = 0;

  constructor(source: string) {
    super();
    this.lines = splitLines(source);
  }

  run(): Block[] {
    for (let i = 0; i < this.lines.length; i++) {
      this.lineNo = i + 1;
      this.incorporate(this.lines[i]);
    }
    while (this.open.length > 1) this.close();
    return this.out;
  }

  private get tip(): Node {
    return this.open[this.open.length - 1];
  }

  private incorporate(ln: string): void {
    this.startLine(ln);

    // 1. Which open blocks does this line continue?
    this.findNextNonspace();
    let k = 1;
    for (; k < this.open.length; k++) {
      this.findNextNonspace();
      const r = this.continues(this.open[k]);
      if (r === 'done') return;
      if (r === 'no') break;
    }
    this.matched = k - 1;
    let container = this.open[this.matched];
    const lazyLine = this.matched < this.open.length - 1 || this.emptyItemEnded;
    if (this.blank) {
      if (this.open[k]?.kind === 'item' && !this.open[k].hasChild) this.emptyItemEnded = true;
    } else this.emptyItemEnded = false;
    this.interrupting = this.matched >= this.open.length - 2 && (this.tip.kind === 'para' || this.tip.kind === 'icode');

    // 2. New block starts, as long as the line opens containers.
    let leaf = container.kind !== 'para' && isLeaf(container.kind);
    while (!leaf) {
      this.findNextNonspace();
      if (!this.indented && !maybeSpecial(this.ln.charCodeAt(this.nextNonspace))) {
        this.advanceNextNonspace();
        break;
      }
      const r = this.blockStart(container, this.matched === this.open.length - 1, lazyLine);
      if (r === 'none') {
        container = this.open[this.matched];
        this.advanceNextNonspace();
        break;
      }
      container = this.tip;
      if (r === 'leaf') leaf = true;
      if (r === 'done') return;
    }

    // 3. The rest of the line: lazy paragraph continuation, a leaf's content, or a new paragraph.
    if (this.matched !== this.open.length - 1 && !this.blank && this.tip.kind === 'para') {
      this.addLine(this.tip);
      return;
    }
    this.closeUnmatched();
    if (isLeaf(container.kind)) {
      this.addLine(container);
      if (container.oneLine || (container.kind === 'html' && container.htmlKind <= 5 && HTML_CLOSE[container.htmlKind].test(this.ln.slice(this.offset)))) {
        this.close();
      }
    } else if (this.offset < this.ln.length && !this.blank) {
      this.advanceNextNonspace();
      this.addLine(this.add('para'));
    }
  }

  private continues(n: Node): 'yes' | 'no' | 'done' {
    switch (n.kind) {
      case 'quote':
        if (this.indented || this.ln[this.nextNonspace] !== '>') return 'no';
        this.advanceNextNonspace();
        this.advanceOffset(1, false);
        if (isSpaceOrTab(this.ln[this.offset])) this.advanceOffset(1, true);
        return 'yes';
      case 'item':
        if (this.blank) {
          if (!n.hasChild) return 'no';
          this.advanceNextNonspace();
        } else if (this.indent >= n.indent) this.advanceOffset(n.indent, true);
        else return 'no';
        return 'yes';
      case 'fence': {
        const rest = this.ln.slice(this.nextNonspace);
        const m = this.indent <= 3 && rest[0] === n.fenceChar ? FENCE_CLOSE.exec(rest) : null;
        if (m && m[0].length >= n.fenceLength) {
          this.matched = this.open.length - 1;
          this.close();
          return 'done';
        }
        for (let i = n.indent; i > 0 && isSpaceOrTab(this.ln[this.offset]); i--) this.advanceOffset(1, true);
        return 'yes';
      }
      case 'icode':
        if (this.indent >= 4) this.advanceOffset(4, true);
        else if (this.blank) this.advanceNextNonspace();
        else return 'no';
        return 'yes';
      case 'html':
        return this.blank && n.htmlKind >= 6 ? 'no' : 'yes';
      case 'para':
        return this.blank ? 'no' : 'yes';
      default:
        return 'no';
    }
  }

  /** Tries each block start in CommonMark's order: 'container' (look again), 'leaf', 'done' (line used) or 'none'. */
  private blockStart(container: Node, allClosed: boolean, lazyLine: boolean): 'container' | 'leaf' | 'done' | 'none' {
    const rest = this.ln.slice(this.nextNonspace);
    const c = rest[0];
    if (this.indented) {
      if (this.tip.kind === 'para' || this.blank) return 'none';
      this.advanceOffset(4, true);
      // On a line that closed a container, remark's indented code holds that line only.
      this.add('icode').oneLine = lazyLine;
      return 'leaf';
    }
    if (c === '>') {
      this.advanceNextNonspace();
      this.advanceOffset(1, false);
      if (isSpaceOrTab(this.ln[this.offset])) this.advanceOffset(1, true);
      this.closeUnmatched();
      this.add('quote');
      return 'container';
    }
    if (c === '#' && ATX_START.test(rest)) {
      const parent = this.parentForNew();
      parent.hasChild = true;
      if (parent === this.doc) this.out.push({ kind: 'heading', raw: rest, line: this.lineNo, column: this.nextNonspace + 1 });
      return 'done';
    }
    if (c === '`' || c === '~') {
      const m = FENCE_START.exec(rest);
      if (m) {
        this.closeUnmatched();
        const f = this.add('fence');
        f.fenceChar = c;
        f.fenceLength = m[0].length;
        f.indent = this.indent;
        return 'done';
      }
    }
    if (c === '<') {
      const lazy = !allClosed && !this.blank && this.tip.kind === 'para';
      for (let t = 1; t <= 7; t++) {
        if (HTML_OPEN[t].test(rest) && (t < 7 || (container.kind !== 'para' && !lazy))) {
          this.closeUnmatched();
          this.add('html').htmlKind = t;
          return 'leaf';
        }
      }
    }
    if (container.kind === 'para' && (c === '=' || c === '-') && SETEXT_UNDERLINE.test(rest)) {
      this.closeUnmatched();
      if (container.definitions < container.count) {
        this.setextHeading(container);
        return 'done';
      }
      // Definitions are no heading; as in remark, the underline starts a paragraph unless it is a break.
      if (!this.isThematicBreak(c)) {
        this.close();
        return 'none';
      }
    }
    if ((c === '*' || c === '_' || c === '-') && this.isThematicBreak(c)) {
      this.parentForNew().hasChild = true;
      return 'done';
    }
    return this.listItem(rest) ? 'container' : 'none';
  }

  private listItem(rest: string): boolean {
    let marker: string;
    const bullet = BULLET.exec(rest);
    if (bullet) marker = bullet[0];
    else {
      const ordered = ORDERED.exec(rest);
      if (!ordered || (this.interrupting && ordered[1] !== '1')) return false;
      marker = ordered[0];
    }
    const after = this.ln[this.nextNonspace + marker.length];
    if (!(after === undefined || isSpaceOrTab(after))) return false;
    if (this.interrupting && !/\S/.test(this.ln.slice(this.nextNonspace + marker.length))) return false;
    const markerOffset = this.indent;
    this.advanceNextNonspace();
    this.advanceOffset(marker.length, true);
    const spacesStartCol = this.column;
    const spacesStartOffset = this.offset;
    do this.advanceOffset(1, true);
    while (this.column - spacesStartCol < 5 && isSpaceOrTab(this.ln[this.offset]));
    const blankItem = this.ln[this.offset] === undefined;
    const spaces = this.column - spacesStartCol;
    let padding: number;
    if (spaces >= 5 || spaces < 1 || blankItem) {
      padding = marker.length + 1;
      this.column = spacesStartCol;
      this.offset = spacesStartOffset;
      if (isSpaceOrTab(this.ln[this.offset])) this.advanceOffset(1, true);
    } else padding = marker.length + spaces;
    this.closeUnmatched();
    this.add('item').indent = markerOffset + padding;
    return true;
  }

  private setextHeading(para: Node): void {
    // remark places the heading at the paragraph's start, leading definitions included.
    const lines = para.lines;
    if (para.reportAs === 'paragraph' && lines) {
      const raw = [...lines.map((l) => l.text), this.ln].join('\n');
      this.out.push({ kind: 'heading', raw, line: lines[0].line, column: lines[0].column });
    }
    para.reportAs = null; // a heading first: the item has no paragraph to report
    this.close();
  }

  /** Closes the unmatched blocks, and a leaf left open (a leaf holds no block): the new block's parent. */
  private parentForNew(): Node {
    this.closeUnmatched();
    while (isLeaf(this.tip.kind)) this.close();
    return this.tip;
  }

  private add(kind: Kind): Node {
    const parent = this.parentForNew();
    const n = node(kind, parent);
    if (kind === 'para') {
      if (parent === this.doc) n.reportAs = 'paragraph';
      else if (parent.kind === 'item' && !parent.hasChild && parent.parent === this.doc) n.reportAs = 'item';
      if (n.reportAs) n.lines = [];
    } else if ((kind === 'fence' || kind === 'icode') && parent === this.doc) n.lines = [];
    parent.hasChild = true;
    this.open.push(n);
    this.matched = this.open.length - 1;
    return n;
  }

  private addLine(n: Node): void {
    if (n.kind === 'para') {
      n.count++;
      if (n.definitionState !== null) {
        const text = this.ln.slice(this.offset);
        const state = definitionStep(text, n.definitionState, n.pendingLabel);
        n.pendingLabel = state === 'label' ? (n.definitionState === 'label' ? `${n.pendingLabel}\n${text.trimStart()}` : text.trimStart()) : '';
        n.definitionState = state;
        if (state === 'title' || state === 'done') n.definitions = n.count;
      }
    }
    if (!n.lines) return;
    if (n.kind === 'para') {
      const first = n.lines.length === 0;
      const start = first ? this.nextNonspace : 0;
      n.lines.push({ text: first ? this.ln.slice(start) : this.ln, line: this.lineNo, column: start + 1 });
    } else {
      const text = this.ln.trim();
      if (text) n.lines.push({ text, line: this.lineNo, column: this.ln.indexOf(text) + 1 });
    }
  }

  private closeUnmatched(): void {
    while (this.open.length - 1 > this.matched) this.close();
  }

  /** Closes the tip, reporting it when it is a top-level block the plan reads. */
  private close(): void {
    const n = this.open.pop();
    if (!n) return;
    if (this.matched > this.open.length - 1) this.matched = this.open.length - 1;
    if (n.kind === 'para' && n.reportAs && n.lines) {
      // An item whose first block is a definition has no first paragraph.
      if (n.definitions === 0) this.out.push({ kind: n.reportAs, lines: n.lines });
      else if (n.reportAs === 'paragraph' && n.definitions < n.count) this.out.push({ kind: 'paragraph', lines: afterDefinitions(n.lines, n.definitions) });
    } else if ((n.kind === 'fence' || n.kind === 'icode') && n.lines) {
      this.out.push({ kind: 'code', lines: n.lines });
    }
  }

}

function node(kind: Kind, parent: Node | null): Node {
  return {
    kind, parent, hasChild: false, indent: 0, fenceChar: '', fenceLength: 0, htmlKind: 0, lines: null,
    count: 0, definitions: 0, definitionState: 'start', pendingLabel: '', reportAs: null, oneLine: false,
  };
}

const isLeaf = (kind: Kind): boolean => kind === 'para' || kind === 'fence' || kind === 'icode' || kind === 'html';

/** The paragraph after its leading definitions: it starts at the next line's first character. */
function afterDefinitions(lines: readonly SourceLine[], count: number): SourceLine[] {
  if (count === 0) return [...lines];
  const [head, ...tail] = lines.slice(count);
  const lead = head.text.length - head.text.trimStart().length;
  return [{ text: head.text.slice(lead), line: head.line, column: head.column + lead }, ...tail];
}
