// The blocks of a phase body read from remark's tree (the reference the line scanner is tested against).
import { unified } from 'unified';
import remarkParse from 'remark-parse';
import type { Code, ListItem, Node, Root } from 'mdast';
import type { Block, SourceLine } from './blocks';

const processor = unified().use(remarkParse);

export function remarkBlocks(source: string): Block[] {
  const tree = processor.parse(source) as Root;
  const blocks: Block[] = [];
  for (const node of tree.children) {
    if (node.type === 'heading') blocks.push({ kind: 'heading', raw: rawText(node, source), ...start(node) });
    else if (node.type === 'paragraph') blocks.push({ kind: 'paragraph', lines: rawLines(node, source) });
    else if (node.type === 'code') blocks.push({ kind: 'code', lines: codeLines(node) });
    else if (node.type === 'list') {
      for (const item of node.children as ListItem[]) {
        const first = item.children[0];
        if (first?.type === 'paragraph') blocks.push({ kind: 'item', lines: rawLines(first, source) });
      }
    }
  }
  return blocks;
}

function codeLines(node: Code): SourceLine[] {
  const pos = start(node);
  return node.value.split('\n').map((text, i) => ({ text, line: pos.line + 1 + i, column: pos.column }));
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
