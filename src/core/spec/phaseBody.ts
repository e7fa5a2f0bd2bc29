// Interprets the blocks of one phase body. Positions here are relative to the body (line 1 is the
// first line after the phase heading), so a cached result can be reused wherever the phase moves.
import type { Located, ProblemCode, Severity } from '../model';
import { parseCommandLine } from '../validate/commandLine';
import type { Block, SourceLine } from './blocks';
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

export function interpretPhaseBody(blocks: readonly Block[]): PhaseBody {
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

  for (const block of blocks) {
    switch (block.kind) {
      case 'heading':
        target = headingTarget(block, moduleNamed);
        break;
      case 'paragraph':
        target = labelLines(block.lines, target, body, push, moduleNamed);
        break;
      case 'item': {
        const part = listItem(block.lines);
        if (part.item) push(part.item, target);
        if (part.labels) target = labelLines(part.labels, target, body, push, moduleNamed);
        break;
      }
      case 'code':
        if (isCommandSection(target.kind)) codeLines(block.lines).forEach((c) => push(c, target));
        break;
    }
  }
  return body;
}

function headingTarget(pos: { raw: string; line: number; column: number }, moduleNamed: (id: Located, how: Declaration) => BodyModule): Target {
  const text = pos.raw.replace(/^#+\s*/, '').replace(/\s+#+\s*$/, '').trim();
  const m = MODULE_HEADING.exec(text.replace(/[*_]/g, ''));
  if (m) {
    const name = m[1].replace(/`/g, '').trim();
    const offset = text.indexOf(m[1]);
    const headingPrefix = pos.raw.indexOf(text);
    return { kind: 'module', module: moduleNamed({ value: name, line: pos.line, column: pos.column + headingPrefix + offset }, 'section') };
  }
  const label = lookupLabel(text);
  if (label?.kind === 'section') return { kind: label.section };
  return { kind: 'ignore' };
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

/**
 * The first paragraph of a top-level item, as written (markdown kept, lines folded). An unindented
 * `Label: value` line after an item is a lazy continuation to markdown, but its author meant a label.
 */
function listItem(lines: readonly SourceLine[]): { item?: Located; labels?: SourceLine[] } {
  const first = lines[0];
  if (!first) return {};
  // Plain loops: this runs for every item of the plan.
  let cut = lines.length;
  for (let i = 1; i < lines.length; i++) {
    if (!/^\s/.test(lines[i].text) && matchLabelLine(lines[i].text) !== null) {
      cut = i;
      break;
    }
  }
  let text = first.text.trim();
  for (let i = 1; i < cut; i++) text += ` ${lines[i].text.trim()}`;
  text = text.trim();
  let column = first.column;
  const box = /^\[[ xX]\]\s+/.exec(text); // a task-list checkbox is not part of the goal
  if (box) {
    text = text.slice(box[0].length);
    column += box[0].length;
  }
  return {
    ...(text ? { item: { value: text, line: first.line, column } } : {}),
    ...(cut < lines.length ? { labels: lines.slice(cut) } : {}),
  };
}

/** Command lines of a code block; shell comments are skipped. */
function codeLines(lines: readonly SourceLine[]): Located[] {
  return lines.filter((l) => !l.text.startsWith('#')).map(({ text, line, column }) => ({ value: text, line, column }));
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
