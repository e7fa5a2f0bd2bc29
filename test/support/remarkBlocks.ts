// The blocks of a phase body read from remark's tree: the reference the block scanner is tested against
// (remark read phase bodies until the scanner replaced it).
import { unified } from 'unified';
import remarkParse from 'remark-parse';
import type { Code, ListItem, Node, Root } from 'mdast';
import type { Block, SourceLine } from '../../src/core/spec/blocks';

const processor = unified().use(remarkParse);

export function remarkBlocks(source: string): Block[] {
  const tree = processor.parse(source) as Root;
  const blocks: Block[] = [];
  for (const node of tree.children) {
    if (node.type === 'heading') blocks.push({ kind: 'heading', raw: rawText(node, source), ...start(node) });
    else if (node.type === 'paragraph') blocks.push({ kind: 'paragraph', lines: rawLines(node, source) });
    else if (node.type === 'code') blocks.push({ kind: 'code', lines: codeLines(node, source) });
    else if (node.type === 'list') {
      for (const item of node.children as ListItem[]) {
        const first = item.children[0];
        if (first?.type === 'paragraph') blocks.push({ kind: 'item', lines: rawLines(first, source) });
      }
    }
  }
  return blocks;
}

/**
 * Each line of the code's value at its line and column in the source. (The remark-based parser put an
 * indented block's lines one line too low, and columns of a fence's under-indented lines too far right.)
 */
function codeLines(node: Code, source: string): SourceLine[] {
  const pos = start(node);
  const fenced = /^ {0,3}(`{3,}|~{3,})/.test(rawText(node, source));
  const sourceLines = source.split('\n');
  return node.value.split('\n').flatMap((raw, i) => {
    const text = raw.trim();
    if (!text) return [];
    const line = pos.line + (fenced ? 1 : 0) + i;
    // The value loses some indentation (tabs partly), never the text: find the text in its line.
    const column = (sourceLines[line - 1] ?? raw).indexOf(text) + 1;
    return [{ text, line, column }];
  });
}

function rawLines(node: Node, source: string): SourceLine[] {
  const pos = start(node);
  return rawText(node, source)
    .split(/\r\n|\r|\n/)
    .map((text, i) => ({ text, line: pos.line + i, column: i === 0 ? pos.column : 1 }));
}

function start(node: Node): { line: number; column: number } {
  return { line: node.position?.start.line ?? 1, column: node.position?.start.column ?? 1 };
}

function rawText(node: Node, source: string): string {
  const s = node.position?.start.offset;
  const e = node.position?.end.offset;
  return s === undefined || e === undefined ? '' : source.slice(s, e);
}
