// Which module each contract belongs to: its `module` field, else its file stem (the folder for
// `contract.md`), else its feature_id; a `phase` field narrows the search to that phase.
import type { Contract, PhaseSpec, Problem } from '../model';

export interface Assignment {
  /** `${phaseNumber}/${moduleId}` -> contract. */
  byModule: Map<string, Contract>;
  /** contract file -> the module keys it serves. */
  modulesOf: Map<string, string[]>;
  problems: Problem[];
}

export const moduleKey = (phase: number, module: string): string => `${phase}/${module}`;

/** The name a contract's file gives it: `contracts/cart.md` -> cart, `src/cart/contract.md` -> cart. */
export function fileName(path: string): string {
  const parts = path.split('/');
  const base = parts[parts.length - 1] ?? '';
  if (base.toLowerCase() === 'contract.md' && parts.length > 1) return parts[parts.length - 2];
  return base.replace(/\.(md|markdown)$/i, '');
}

function candidates(contract: Contract): string[] {
  if (contract.module) return [contract.module.value];
  const stem = fileName(contract.file);
  const names = [stem];
  if (contract.featureId) names.push(contract.featureId.value);
  // `feature-002-catalog` names the `catalog` module by convention (seed 001).
  for (const n of [...names]) {
    const short = n.replace(/^feature[-_]?\d+[-_]/i, '');
    if (short !== n && short) names.push(short);
  }
  return names;
}

export function assignContracts(phases: readonly PhaseSpec[], contracts: readonly Contract[]): Assignment {
  const result: Assignment = { byModule: new Map(), modulesOf: new Map(), problems: [] };
  const phaseNumbers = new Set(phases.map((p) => p.number));
  for (const contract of contracts) {
    let scope = phases;
    if (contract.phase) {
      if (!phaseNumbers.has(contract.phase.value)) {
        result.problems.push({
          file: contract.file,
          line: contract.phase.line,
          column: contract.phase.column,
          severity: 'warning',
          code: 'unknown-phase',
          message: `The plan has no phase ${contract.phase.value}.`,
        });
        continue;
      }
      scope = phases.filter((p) => p.number === contract.phase!.value);
    }
    const keys: string[] = [];
    for (const name of candidates(contract)) {
      for (const phase of scope) {
        if (phase.modules.some((m) => m.id === name)) keys.push(moduleKey(phase.number, name));
      }
      if (keys.length > 0) break;
    }
    if (keys.length === 0 && contract.module) {
      result.problems.push({
        file: contract.file,
        line: contract.module.line,
        column: contract.module.column,
        severity: 'warning',
        code: 'unknown-module',
        message: `No phase of the plan has a module "${contract.module.value}".`,
      });
    }
    const served: string[] = [];
    for (const key of keys) {
      const owner = result.byModule.get(key);
      if (owner) {
        const at = contract.featureId ?? { line: 1, column: 1 };
        result.problems.push({
          file: contract.file,
          line: at.line,
          column: at.column,
          severity: 'warning',
          code: 'duplicate-contract',
          message: `Module "${key.split('/')[1]}" of phase ${key.split('/')[0]} already has a contract (${owner.file}); this one is not used for it.`,
        });
        continue;
      }
      result.byModule.set(key, contract);
      served.push(key);
    }
    result.modulesOf.set(contract.file, served);
  }
  return result;
}
