// tasks.csv's per-module columns beyond id and task: `agent`, `max_turns`, `context_path` and `tags`,
// each read into the module and checked where it is written. Pure; the parser gives each value
// (trimmed, non-empty) with the position of its cell.
import type { Located, ModuleSpec, ProblemCode, Severity } from '../model';
import { parseAgentChoice, choiceLabel } from '../agents/agentChoice';

export interface FieldProblem {
  severity: Severity;
  code: ProblemCode;
  at: { line: number; column: number };
  message: string;
}

export type TaskFields = Pick<ModuleSpec, 'agent' | 'maxTurns' | 'contextPath' | 'tags'>;

/** The largest budget taken: beyond it a number is surely a slip (and stays exact in every CLI). */
export const MAX_TURNS_LIMIT = 100_000;

const TAG = /^[\p{L}\p{N}][\p{L}\p{N}._:/+-]*$/u;

export function readTaskFields(cells: { agent?: Located; max_turns?: Located; context_path?: Located; tags?: Located }): { fields: TaskFields; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const report = (at: Located, message: string, code: ProblemCode = 'malformed-field', severity: Severity = 'error'): void => {
    problems.push({ severity, code, at: { line: at.line, column: at.column }, message });
  };
  const fields: TaskFields = {};

  if (cells.agent) {
    const choice = parseAgentChoice(cells.agent.value);
    if (choice.kind === 'error') report(cells.agent, `agent: ${choice.message}.`, choice.unknownName ? 'unknown-agent' : 'malformed-field');
    else fields.agent = { ...cells.agent, value: choiceLabel(choice) };
  }

  if (cells.max_turns) {
    const turns = maxTurnsOf(cells.max_turns.value);
    if (typeof turns === 'string') report(cells.max_turns, `max_turns: ${turns}.`);
    else fields.maxTurns = { ...cells.max_turns, value: turns };
  }

  if (cells.context_path) {
    const folder = contextPathOf(cells.context_path.value);
    if (folder.error !== null) report(cells.context_path, `context_path: ${folder.error}.`);
    else if (folder.path !== '') fields.contextPath = { ...cells.context_path, value: folder.path };
  }

  if (cells.tags) {
    const tags: Located[] = [];
    for (const tag of cells.tags.value.split(/[\s,;]+/).filter(Boolean)) {
      if (!TAG.test(tag)) {
        report(cells.tags, `tags: "${tag}" is not a tag: use letters, digits, ".", "_", "-", ":", "/" and "+", starting with a letter or digit; tags are separated by spaces or commas.`, 'malformed-field', 'warning');
      } else if (!tags.some((t) => t.value.toLowerCase() === tag.toLowerCase())) {
        tags.push({ ...cells.tags, value: tag });
      }
    }
    if (tags.length > 0) fields.tags = tags;
  }
  return { fields, problems };
}

/** A positive whole number of turns, or why the text is not one. */
export function maxTurnsOf(text: string): number | string {
  if (!/^\d+$/.test(text)) return `"${text}" is not a whole number of turns (write e.g. 40, or leave it empty for no limit)`;
  const n = Number(text);
  if (n < 1) return 'a turn budget must be at least 1 (leave it empty for no limit)';
  if (n > MAX_TURNS_LIMIT) return `${text} turns is more than ${MAX_TURNS_LIMIT}; leave it empty for no limit`;
  return n;
}

/**
 * A folder inside the module's worktree, normalized (`./src//api/` -> `src/api`; `.` -> ''), or why it
 * is not one. Symbolic links are checked when the agent starts, in its worktree.
 */
export function contextPathOf(text: string): { path: string; error: string | null } {
  const fail = (error: string): { path: string; error: string } => ({ path: '', error });
  if (/[\u0000-\u001f\u007f]/.test(text)) return fail('it holds a control character or a line break');
  if (text.includes('\\')) return fail(`"${text}" has a backslash: write the folder with forward slashes, relative to the worktree (e.g. src/api)`);
  if (text.startsWith('/') || text.startsWith('~') || /^[A-Za-z]:/.test(text)) {
    return fail(`"${text}" is not inside the module's worktree: write a folder relative to the repository root (e.g. src/api); the agent starts there in its own worktree`);
  }
  const segments = text.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) return fail(`"${text}" goes up with "..": the folder must be inside the module's worktree`);
  if (segments.some((s) => s.toLowerCase() === '.git')) return fail(`"${text}" is inside .git, not the worktree's files`);
  return { path: segments.join('/'), error: null };
}
