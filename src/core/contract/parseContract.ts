// Reads a contract.md: YAML frontmatter, markdown sections (seed 001), or both. Frontmatter fields
// win; body sections fill in the ones it lacks. Pure, never throws, positions 1-based.
import { CONTRACT_FIELDS, type Contract, type Problem } from '../model';
import type { ContractKey } from './fieldNames';
import { parseFrontmatter } from './frontmatter';
import { parseMarkdownBody } from './markdownContract';
import { emptyParts, type ContractParts } from './parts';
import { splitLines, stripBom } from '../spec/sections';

const KEYS: readonly ContractKey[] = [...CONTRACT_FIELDS, 'phase', 'module', 'owns'];

export function parseContract(file: string, text: string): Contract {
  // CRLF and lone CR end lines just as LF does, so normalizing them moves no line or column.
  const lines = splitLines(stripBom(text));
  let front = emptyParts();
  let bodyStart = 0;
  const frontProblems: Problem[] = [];

  if (/^---[ \t]*$/.test(lines[0])) {
    const close = lines.findIndex((l, i) => i > 0 && /^(?:---|\.\.\.)[ \t]*$/.test(l));
    if (close < 0) {
      frontProblems.push({
        file,
        line: 1,
        column: 1,
        severity: 'error',
        code: 'malformed-frontmatter',
        message: 'The frontmatter opened on line 1 is never closed: add a line "---" after its last field.',
      });
    } else {
      front = parseFrontmatter(file, lines.slice(1, close), 2);
      bodyStart = close + 1;
    }
  }

  const body = parseMarkdownBody(file, lines, bodyStart);
  const contract: Contract = {
    file,
    form: CONTRACT_FIELDS.some((f) => front.fields[f] !== undefined) ? 'frontmatter' : 'markdown',
    featureId: null,
    phase: null,
    module: null,
    provides: [],
    dependsOn: [],
    acceptanceCriteria: [],
    owns: [],
    fields: {},
    problems: [...frontProblems, ...front.problems.filter((p) => p.key === null).map((p) => p.problem)],
  };
  for (const key of KEYS) {
    const source = front.fields[key] !== undefined ? front : body;
    take(contract, source, key);
    contract.problems.push(...source.problems.filter((p) => p.key === key).map((p) => p.problem));
  }
  contract.problems.push(...body.problems.filter((p) => p.key === null).map((p) => p.problem));
  contract.problems.sort((a, b) => a.line - b.line || a.column - b.column);
  return contract;
}

function take(contract: Contract, source: ContractParts, key: ContractKey): void {
  const pos = source.fields[key];
  if (pos === undefined) return;
  contract.fields[key] = pos;
  switch (key) {
    case 'feature_id':
      contract.featureId = source.featureId;
      break;
    case 'phase':
      contract.phase = source.phase;
      break;
    case 'module':
      contract.module = source.module;
      break;
    case 'provides':
      contract.provides = source.provides;
      break;
    case 'depends_on':
      contract.dependsOn = source.dependsOn;
      break;
    case 'acceptance_criteria':
      contract.acceptanceCriteria = source.acceptanceCriteria;
      break;
    case 'owns':
      contract.owns = source.owns;
      break;
  }
}
