// tasks.csv (the batch-launch format: id,agent,task,max_turns,context_path,output_file,tags) read as
// a one-phase plan with one module per row.

import type { Located, ModuleSpec, PhaseSpec, Problem, ProblemCode, Severity, SpecDocument } from '../model';
import { moduleNameError, phaseSlug } from '../names';
import { tokenizeCsv, type CsvField } from './csvTokenizer';
import { readTaskFields } from './taskFields';

const REQUIRED = ['id', 'task'] as const;

export function parseTasksCsv(file: string, text: string): SpecDocument {
  const problems: Problem[] = [];
  const report = (severity: Severity, code: ProblemCode, at: { line: number; column: number }, message: string): void => {
    problems.push({ file, line: at.line, column: at.column, severity, code, message });
  };

  const name = fileStem(file);
  const phase: PhaseSpec = {
    number: 1,
    name,
    slug: phaseSlug(1, name),
    line: 1,
    column: 1,
    gate: null,
    dependsOn: null,
    goals: [],
    successCriteria: [],
    gotchas: [],
    expectedFiles: [],
    testCommands: [],
    lintCommands: [],
    checkCommands: [],
    modules: [],
  };
  const doc: SpecDocument = { file, kind: 'tasks-csv', phases: [phase], problems };

  const { rows, issues } = tokenizeCsv(text);
  for (const issue of issues) {
    if (issue.kind === 'unterminated-quote') {
      report('error', 'malformed-csv', issue, 'This quoted field is never closed: add the closing `"` (write `""` for a quote inside a field). Rows from here on were not read.');
    } else {
      report('warning', 'malformed-csv', issue, 'Text after a closing quote: quote the whole field, and write `""` for a quote inside it.');
    }
  }

  const [header, ...data] = rows;
  const names = header ? header.fields.map((f) => f.value.trim().toLowerCase()) : [];
  const missing = REQUIRED.filter((r) => !names.includes(r));
  if (missing.length > 0) {
    const found = names.filter((n) => n !== '').join(', ') || 'nothing';
    report('error', 'malformed-csv', { line: 1, column: 1 },
      `The header row needs ${missing.map((m) => `"${m}"`).join(' and ')} column${missing.length > 1 ? 's' : ''} (found: ${found}). Expected e.g. id,agent,task,max_turns,context_path,output_file,tags.`);
    return doc;
  }

  // The first column with a given name wins; later duplicates are reported and ignored.
  const columns = new Map<string, number>();
  names.forEach((n, index) => {
    const key = n === '' ? `column${index + 1}` : n;
    if (columns.has(key)) {
      report('warning', 'malformed-csv', header.fields[index], `The column "${key}" appears twice in the header; only the first one is used.`);
    } else {
      columns.set(key, index);
    }
  });
  const idColumn = columns.get('id') as number;
  const taskColumn = columns.get('task') as number;

  const seen = new Map<string, { id: string; line: number }>();
  for (const row of data) {
    // Spreadsheets export trailing empty rows as `,,,,`: those are blank lines, not modules.
    if (row.fields.every((f) => f.value.trim() === '')) continue;
    if (row.fields.length !== names.length) {
      report('warning', 'malformed-csv', row,
        `This row has ${row.fields.length} field${row.fields.length === 1 ? '' : 's'} but the header has ${names.length}. Quote fields that contain commas or line breaks.`);
    }
    const field = (index: number): CsvField | undefined => row.fields[index];

    const idField = field(idColumn);
    const id = idField ? idField.value.trim() : '';
    const idAt = idField ?? row;
    const nameError = moduleNameError(id);
    if (nameError !== null) {
      report('error', 'invalid-module-name', idAt, id === '' ? 'This row has no id.' : `"${id}" cannot be a module id: ${nameError}.`);
    } else {
      const key = id.toLowerCase();
      const first = seen.get(key);
      if (first !== undefined) {
        const caseNote = first.id === id ? '' : ` as "${first.id}" (ids become branch and folder names, so case does not tell them apart)`;
        report('error', 'duplicate-module', idAt, `The id "${id}" is already used on line ${first.line}${caseNote}.`);
      } else {
        seen.set(key, { id, line: idAt.line });
      }
    }

    const taskField = field(taskColumn);
    const task = taskField ? taskField.value.trim() : '';
    const goals: Located[] = [];
    if (task === '') {
      report('warning', 'missing-field', taskField ?? row, `The row "${id}" has no task: the agent would get no instructions.`);
    } else {
      goals.push(at(taskField as CsvField, task));
    }

    const meta: Record<string, string> = {};
    for (const [key, index] of columns) {
      if (index === idColumn || index === taskColumn) continue;
      const value = field(index)?.value.trim() ?? '';
      // defineProperty, so a column named `__proto__` is kept as data instead of touching the prototype.
      if (value !== '') Object.defineProperty(meta, key, { value, enumerable: true, writable: true, configurable: true });
    }

    const outputIndex = columns.get('output_file');
    const outputField = outputIndex === undefined ? undefined : field(outputIndex);
    const expectedFiles: Located[] = outputField && meta.output_file ? [at(outputField, meta.output_file)] : [];

    const cell = (name: string): Located | undefined => {
      const index = columns.get(name);
      const f = index === undefined ? undefined : field(index);
      const value = f?.value.trim() ?? '';
      return f && value !== '' ? at(f, value) : undefined;
    };
    const { fields, problems: fieldProblems } = readTaskFields({
      agent: cell('agent'),
      max_turns: cell('max_turns'),
      context_path: cell('context_path'),
      tags: cell('tags'),
    });
    for (const p of fieldProblems) report(p.severity, p.code, p.at, p.message);

    const module: ModuleSpec = { id, line: idAt.line, column: idAt.column, implicit: false, goals, meta, expectedFiles, ...fields };
    phase.modules.push(module);
  }
  return doc;
}

function at(field: CsvField, value: string): Located {
  return { value, line: field.line, column: field.column };
}

/** `plans/tasks.csv` -> `tasks`. */
function fileStem(file: string): string {
  const base = file.split(/[\\/]/).pop() ?? file;
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}
