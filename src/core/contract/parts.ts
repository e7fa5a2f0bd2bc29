// What one source (the YAML frontmatter or the markdown body) says about a contract, before the two
// are merged field by field.
import type { Contract, Pos, Problem, Severity } from '../model';
import type { ContractKey } from './fieldNames';

export interface ContractParts {
  featureId: Contract['featureId'];
  phase: Contract['phase'];
  module: Contract['module'];
  provides: Contract['provides'];
  dependsOn: Contract['dependsOn'];
  acceptanceCriteria: Contract['acceptanceCriteria'];
  owns: Contract['owns'];
  fields: Contract['fields'];
  /** Problems, with the field they belong to so they are dropped when the other source wins that field. */
  problems: { key: ContractKey | null; problem: Problem }[];
}

export function emptyParts(): ContractParts {
  return {
    featureId: null,
    phase: null,
    module: null,
    provides: [],
    dependsOn: [],
    acceptanceCriteria: [],
    owns: [],
    fields: {},
    problems: [],
  };
}

export function fieldProblem(
  parts: ContractParts,
  file: string,
  key: ContractKey,
  at: Pos,
  message: string,
  severity: Severity = 'error',
): void {
  parts.problems.push({
    key,
    problem: { file, line: at.line, column: at.column, severity, code: 'malformed-field', message },
  });
}
