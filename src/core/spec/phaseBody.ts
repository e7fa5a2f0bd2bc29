// Interprets the markdown tree of one phase body. Positions here are relative to the body (line 1 is
// the first line after the phase heading), so a cached result can be reused wherever the phase moves.
import type { Code, Heading, List, ListItem, Node, Paragraph, Root, RootContent } from 'mdast';
import type { Located, ProblemCode, Severity } from '../model';
import { parseCommandLine } from '../validate/commandLine';
import { isCommandSection, lookupLabel, matchLabelLine, type CommandSection, type SectionKind } from './labels';

export interface BodyProblem {
  line: number;
  column: number;
  endLine?: number;
  endColumn?: number;
  severity: Severity;
  code: ProblemCode;
  message: string;
  data?: Record<string, string>;
  /**
   * Another place the message refers to ("first at …"), body-relative like the rest: the caller
   * shifts it and appends it to the message, so a cached body never carries a wrong line.
   */
  firstAt?: { line: number; column: number };
}

export interface BodyModule {
  id: Located;
  goals: Located[];
}

/** Where a module was named: a list (`Modules:` line or items) or its own `#### Module:` section. */
type Declaration = 'list' | 'section';

export interface PhaseBody {
  goals: Located[];
  successCriteria: Located[];
  gotchas: Located[];
  expectedFiles: Located[];
  testCommands: Located[];
  lintCommands: Located[];
  checkCommands: Located[];
  modules: BodyModule[];
  dependsOn: Located<number>[] | null;
  gate: 'manual' | null;
  problems: BodyProblem[];
}

type Target = { kind: SectionKind } | { kind: 'module'; module: BodyModule } | { kind: 'ignore' };

const MODULE_HEADING = /^module\s*[:\-—–]\s*(.+)$/i;
const NO_VALUE = /^(none|n\/a|-|—)$/i;

export function interpretPhaseBody(tree: Root, source: string): PhaseBody {
  const body: PhaseBody = {
    goals: [],
    successCriteria: [],
    gotchas: [],
    expectedFiles: [],
    testCommands: [],
    lintCommands: [],
    checkCommands: [],
    modules: [],
    dependsOn: null,
    gate: null,
    problems: [],
  };
  let target: Target = { kind: 'goals' };

  const declared = new Map<string, Set<Declaration>>();
  // A module may be listed once and also have its own section; naming it twice the same way is a mistake.
  const moduleNamed = (id: Located, how: Declaration): BodyModule => {
    // Case-insensitive: module names become folder names, and some file systems ignore case.
    const key = id.value.toLowerCase();
    const ways = declared.get(key) ?? new Set<Declaration>();
    const existing = body.modules.find((m) => m.id.value.toLowerCase() === key);
    if (existing && ways.has(how)) {
      body.problems.push({
        line: id.line,
        column: id.column,
        endLine: id.line,
        endColumn: id.column + id.value.length,
        severity: 'error',
        code: 'duplicate-module',
        message: `Module "${id.value}" is named twice in this phase`,
        firstAt: { line: existing.id.line, column: existing.id.column },
      });
    }
    ways.add(how);
    declared.set(key, ways);
    if (existing) return existing;
    const created = { id, goals: [] };
    body.modules.push(created);
    return created;
  };

  const push = (item: Located, t: Target): void => {
    switch (t.kind) {
      case 'ignore':
        return;
      case 'module':
        t.module.goals.push(item);
        return;
      case 'modules': {
        // `- catalog — browse the books`: the first word names the module, the rest is its goal.
        const m = /^`?([^\s`:,—–]+)`?\s*(?:[:—–-]\s*)?(.*)$/.exec(item.value);
        if (!m) return;
        const mod = moduleNamed({ value: m[1], line: item.line, column: item.column }, 'list');
        if (m[2]) mod.goals.push({ value: m[2], line: item.line, column: item.column + item.value.indexOf(m[2]) });
        return;
      }
      case 'expectedFiles':
        body.expectedFiles.push({ ...item, value: firstPath(item.value) });
        return;
      case 'testCommands':
      case 'lintCommands':
      case 'checkCommands':
        command(body, t.kind, { ...item, value: stripCode(item.value) });
        return;
      default:
        body[t.kind].push(item);
    }
  };

  for (const node of tree.children) {
    switch (node.type) {
      case 'heading':
        target = headingTarget(node, source, moduleNamed);
        break;
      case 'paragraph':
        target = paragraph(node, source, target, body, push, moduleNamed);
        break;
      case 'list':
        for (const item of listItems(node, source)) {
          if (item.kind === 'item') push(item.item, target);
          else target = labelLines(item.lines, target, body, push, moduleNamed);
        }
        break;
      case 'code':
        if (isCommandSection(target.kind)) codeLines(node).forEach((c) => push(c, target));
        break;
      default:
        break;
    }
  }
  return body;
}

function headingTarget(node: Heading, source: string, moduleNamed: (id: Located, how: Declaration) => BodyModule): Target {
  const text = rawText(node, source).replace(/^#+\s*/, '').replace(/\s+#+\s*$/, '').trim();
  const pos = start(node);
  const m = MODULE_HEADING.exec(text.replace(/[*_]/g, ''));
  if (m) {
    const name = m[1].replace(/`/g, '').trim();
    const offset = text.indexOf(m[1]);
    const headingPrefix = rawText(node, source).indexOf(text);
    return { kind: 'module', module: moduleNamed({ value: name, line: pos.line, column: pos.column + headingPrefix + offset }, 'section') };
  }
  const label = lookupLabel(text);
  if (label?.kind === 'section') return { kind: label.section };
  return { kind: 'ignore' };
}

interface SourceLine {
  text: string;
  line: number;
  /** 1-based column of the text's first character. */
  column: number;
}

function paragraph(
  node: Paragraph,
  source: string,
  target: Target,
  body: PhaseBody,
  push: (item: Located, t: Target) => void,
  moduleNamed: (id: Located, how: Declaration) => BodyModule,
): Target {
  const pos = start(node);
  const lines = rawText(node, source)
    .split(/\r\n|\r|\n/)
    .map((text, i) => ({ text, line: pos.line + i, column: i === 0 ? pos.column : 1 }));
  return labelLines(lines, target, body, push, moduleNamed);
}

/** `Label: value` lines set the phase's facts or switch the section that following items go to. */
function labelLines(
  lines: SourceLine[],
  target: Target,
  body: PhaseBody,
  push: (item: Located, t: Target) => void,
  moduleNamed: (id: Located, how: Declaration) => BodyModule,
): Target {
  for (const { text: line, line: line1, column: col0 } of lines) {
    const labelled = matchLabelLine(line);
    if (!labelled) {
      // Prose is not a goal; only a line that is entirely inline code counts, and only as a command.
      const code = /^\s*`([^`]+)`\s*$/.exec(line);
      if (code && isCommandSection(target.kind)) {
        push({ value: line.trim(), line: line1, column: col0 + line.indexOf('`') }, target);
      }
      continue;
    }
    const value = labelled.value;
    const column = col0 + labelled.valueIndex;
    if (labelled.label.kind === 'inline') {
      if (labelled.label.inline === 'dependsOn') body.dependsOn = phaseNumbers(value, line1, column);
      else setGate(body, value, line1, column);
      continue;
    }
    const section = labelled.label.section;
    if (section === 'modules') {
      splitNames(value, line1, column).forEach((id) => moduleNamed(id, 'list'));
    } else if (value) {
      push({ value, line: line1, column }, { kind: section });
    }
    target = { kind: section };
  }
  return target;
}

const COMMAND_NAMES: Record<CommandSection, string> = { testCommands: 'Test', lintCommands: 'Lint', checkCommands: 'Check' };

/**
 * Keeps a command and warns, at its position, when Merge & Validate could not run it: commands are
 * split into arguments and never given to a shell (see core/validate/commandLine.ts).
 */
function command(body: PhaseBody, section: CommandSection, item: Located): void {
  body[section].push(item);
  const parsed = parseCommandLine(item.value);
  if (!('error' in parsed)) return;
  body.problems.push({
    line: item.line,
    column: item.column,
    severity: 'warning',
    code: 'unrunnable-command',
    message: `${COMMAND_NAMES[section]} command ${JSON.stringify(item.value)} cannot be run: ${parsed.error}.`,
  });
}

function setGate(body: PhaseBody, value: string, line: number, column: number): void {
  const v = value.replace(/[`*_]/g, '').trim().toLowerCase();
  if (/^(manual|approval|manual approval|human|human approval|required)$/.test(v)) body.gate = 'manual';
  else if (/^(auto|automatic|none|no)$/.test(v)) body.gate = null;
  else {
    body.problems.push({
      line,
      column,
      severity: 'warning',
      code: 'unknown-gate',
      message: `Unknown gate "${value}": use "Gate: manual" for a phase that needs approval before it starts.`,
    });
  }
}

function phaseNumbers(value: string, line: number, column: number): Located<number>[] {
  if (NO_VALUE.test(value.trim())) return [];
  const found: Located<number>[] = [];
  for (const m of value.matchAll(/\d+/g)) {
    found.push({ value: Number(m[0]), line, column: column + (m.index ?? 0) });
  }
  return found;
}

function splitNames(value: string, line: number, column: number): Located[] {
  const names: Located[] = [];
  const re = /[^,;]+/g;
  for (const m of value.matchAll(re)) {
    const raw = m[0];
    const name = raw.replace(/`/g, '').trim();
    if (!name || NO_VALUE.test(name)) continue;
    const lead = raw.search(/[^\s`]/);
    names.push({ value: name, line, column: column + (m.index ?? 0) + Math.max(0, lead) });
  }
  return names;
}

type ListPart = { kind: 'item'; item: Located } | { kind: 'labels'; lines: SourceLine[] };

/**
 * The first paragraph of each top-level item, as written (markdown kept, lines folded). An unindented
 * `Label: value` line after an item is a lazy continuation to markdown, but its author meant a label.
 */
function listItems(list: List, source: string): ListPart[] {
  const parts: ListPart[] = [];
  for (const item of list.children as ListItem[]) {
    const first = item.children[0];
    if (!first || first.type !== 'paragraph') continue;
    const pos = start(first);
    const raw = rawText(first, source).split(/\r\n|\r|\n/);
    let cut = raw.findIndex((l, i) => i > 0 && !/^\s/.test(l) && matchLabelLine(l) !== null);
    if (cut < 0) cut = raw.length;
    let text = raw.slice(0, cut).map((l) => l.trim()).join(' ').trim();
    let column = pos.column;
    const box = /^\[[ xX]\]\s+/.exec(text); // a task-list checkbox is not part of the goal
    if (box) {
      text = text.slice(box[0].length);
      column += box[0].length;
    }
    if (text) parts.push({ kind: 'item', item: { value: text, line: pos.line, column } });
    if (cut < raw.length) {
      parts.push({ kind: 'labels', lines: raw.slice(cut).map((t, i) => ({ text: t, line: pos.line + cut + i, column: 1 })) });
    }
  }
  return parts;
}

function codeLines(node: Code): Located[] {
  const pos = start(node);
  const out: Located[] = [];
  node.value.split('\n').forEach((line, i) => {
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith('#')) return;
    out.push({ value: trimmed, line: pos.line + 1 + i, column: pos.column + line.indexOf(trimmed) });
  });
  return out;
}

function firstPath(text: string): string {
  const code = /`([^`]+)`/.exec(text);
  if (code) return code[1].trim();
  return text.split(/\s+(?:[-—–:(]|$)/)[0].replace(/[*_]/g, '').trim();
}

function stripCode(text: string): string {
  const m = /^`([^`]+)`$/.exec(text.trim());
  return m ? m[1].trim() : text.trim();
}

function start(node: Node): { line: number; column: number } {
  return { line: node.position?.start.line ?? 1, column: node.position?.start.column ?? 1 };
}

function rawText(node: RootContent | Node, source: string): string {
  const s = node.position?.start.offset;
  const e = node.position?.end.offset;
  return s === undefined || e === undefined ? '' : source.slice(s, e);
}
