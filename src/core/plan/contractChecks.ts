// Checks that need only one contract: required fields and measurable criteria.
import { isVagueCriterion } from '../contract/criteria';
import { CONTRACT_FIELDS, type Contract, type Problem } from '../model';

export function checkContract(contract: Contract): Problem[] {
  const problems: Problem[] = [];
  const fallback = contract.featureId ?? { line: 1, column: 1 };
  for (const field of CONTRACT_FIELDS) {
    const at = contract.fields[field];
    const empty =
      field === 'feature_id'
        ? !contract.featureId?.value
        : field === 'provides'
          ? contract.provides.length === 0
          : field === 'acceptance_criteria'
            ? contract.acceptanceCriteria.length === 0
            : false; // `depends_on: []` is a valid statement of "no dependencies".
    if (at && !empty) continue;
    problems.push({
      file: contract.file,
      line: (at ?? fallback).line,
      column: (at ?? fallback).column,
      severity: 'error',
      code: 'missing-field',
      message: at
        ? `"${field}" is empty.`
        : `The contract has no "${field}"${field === 'depends_on' ? ' (write "depends_on: []" when it depends on nothing)' : ''}.`,
      data: { field },
    });
  }
  for (const criterion of contract.acceptanceCriteria) {
    if (!isVagueCriterion(criterion.value)) continue;
    problems.push({
      file: contract.file,
      line: criterion.line,
      column: criterion.column,
      severity: 'warning',
      code: 'vague-criterion',
      message: `"${criterion.value}" has nothing measurable (no number, unit, status code, command, file or \`identifier\`): an agent cannot verify it.`,
    });
  }
  return problems;
}
