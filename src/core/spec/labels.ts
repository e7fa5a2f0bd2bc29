// The labels a phase body may use, as level-4 headings or as `**Label:**` / `Label:` lines.

export type SectionKind = 'goals' | 'successCriteria' | 'gotchas' | 'expectedFiles' | CommandSection | 'modules';
/** Sections whose items are command lines, run by Merge & Validate. */
export type CommandSection = 'testCommands' | 'lintCommands' | 'checkCommands';

export const COMMAND_SECTIONS: readonly CommandSection[] = ['testCommands', 'lintCommands', 'checkCommands'];

export function isCommandSection(kind: string): kind is CommandSection {
  return (COMMAND_SECTIONS as readonly string[]).includes(kind);
}
export type InlineKind = 'dependsOn' | 'gate';

const SECTION_LABELS: Record<string, SectionKind> = {
  goals: 'goals',
  goal: 'goals',
  objectives: 'goals',
  'success criteria': 'successCriteria',
  'acceptance criteria': 'successCriteria',
  'done when': 'successCriteria',
  'known gotchas': 'gotchas',
  gotchas: 'gotchas',
  pitfalls: 'gotchas',
  'expected files': 'expectedFiles',
  'expected outputs': 'expectedFiles',
  files: 'expectedFiles',
  'test commands': 'testCommands',
  'test command': 'testCommands',
  tests: 'testCommands',
  'validation commands': 'testCommands',
  'lint commands': 'lintCommands',
  'lint command': 'lintCommands',
  'check commands': 'checkCommands',
  'check command': 'checkCommands',
  modules: 'modules',
  module: 'modules',
  agents: 'modules',
};

const INLINE_LABELS: Record<string, InlineKind> = {
  'depends on': 'dependsOn',
  'depends-on': 'dependsOn',
  gate: 'gate',
};

export type Label = { kind: 'section'; section: SectionKind } | { kind: 'inline'; inline: InlineKind };

export function normalizeLabel(text: string): string {
  return text
    .replace(/[*_`]/g, '')
    .replace(/:\s*$/, '')
    .trim()
    .replace(/\s+/g, ' ')
    .toLowerCase();
}

export function lookupLabel(text: string): Label | null {
  const key = normalizeLabel(text);
  const section = SECTION_LABELS[key];
  if (section) return { kind: 'section', section };
  const inline = INLINE_LABELS[key];
  if (inline) return { kind: 'inline', inline };
  return null;
}

/**
 * `**Modules:** a, b`, `**Modules**: a, b`, `__Gate__: manual` or `Depends on: Phase 1`.
 * Group 2 or 3 is the label, group 4 the value (with indices, for columns).
 */
export const LABEL_LINE = /^\s*(?:(\*\*|__)([^*_\n]{1,40}?)\1\s*:?|([A-Za-z][A-Za-z -]{0,40}?)\s*:)[ \t]*(.*?)[ \t]*$/d;

export interface LabelLine {
  label: Label;
  value: string;
  /** 0-based index of the value within the line. */
  valueIndex: number;
}

export function matchLabelLine(line: string): LabelLine | null {
  const m = LABEL_LINE.exec(line);
  if (!m || !m.indices) return null;
  const raw = m[2] ?? m[3];
  if (m[2] !== undefined && !m[2].trim().endsWith(':') && !/^\s*(\*\*|__)[^*_\n]+\1\s*:/.test(line)) {
    // `**Bold**` alone (no colon anywhere) is emphasis, unless it names a section on its own line.
    if (m[4] !== '') return null;
  }
  const label = lookupLabel(raw);
  if (!label) return null;
  return { label, value: m[4], valueIndex: m.indices[4]?.[0] ?? line.length };
}
