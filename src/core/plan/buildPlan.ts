// Spec + contracts -> plan: contracts assigned to modules, dependencies resolved, waves computed and
// every cross-file problem found. Pure; a Planner instance caches per-contract checks by identity, so
// re-planning after one contract changes re-checks only that contract.
import type { Contract, DependencyEntry, PhaseSpec, Plan, PlannedModule, PlannedPhase, Problem, SpecDocument } from '../model';
import { closest } from '../names';
import { assignContracts, moduleKey, type Assignment } from './assign';
import { checkContract } from './contractChecks';
import { globsOverlap } from './ownership';
import { computeWaves, cyclePath, findCycles } from './waves';

/** Dependency kinds that must resolve inside the plan; others (service, external, …) are informational. */
const CHECKED_KINDS = new Set(['feature', 'module']);

interface Target {
  /** Index of the phase in document order. */
  phaseIndex: number;
  module: string;
}

export class Planner {
  private readonly local = new WeakMap<Contract, Problem[]>();

  plan(spec: SpecDocument | null, contracts: readonly Contract[]): Plan {
    const phases = spec?.phases ?? [];
    const problems: Problem[] = [...(spec?.problems ?? [])];
    for (const c of contracts) {
      problems.push(...c.problems, ...this.checked(c));
    }
    const assignment = assignContracts(phases, contracts);
    problems.push(...assignment.problems);
    problems.push(...duplicateFeatureIds(contracts));

    const resolver = new Resolver(phases, contracts, assignment);
    const planned = phases.map((phase, phaseIndex) => {
      const modules = phase.modules.map((m): PlannedModule => {
        const contract = assignment.byModule.get(moduleKey(phase.number, m.id)) ?? null;
        const dependsOn: string[] = [];
        for (const entry of contract?.dependsOn ?? []) {
          if (!CHECKED_KINDS.has(entry.kind)) continue;
          const target = resolver.resolve(entry.value, phaseIndex);
          if (!target) continue; // reported once per contract below
          if (target.phaseIndex > phaseIndex) {
            problems.push(orderProblem(contract!, entry, phases[target.phaseIndex], phase));
            continue;
          }
          if (target.module !== m.id || target.phaseIndex !== phaseIndex) dependsOn.push(target.module);
        }
        if (!contract && !m.implicit && spec?.kind === 'ready') {
          problems.push({
            file: spec.file,
            line: m.line,
            column: m.column,
            endLine: m.line,
            endColumn: m.column + m.id.length,
            severity: 'warning',
            code: 'missing-contract',
            message: `Module "${m.id}" has no contract: add contracts/${m.id}.md (feature_id, provides, depends_on, acceptance_criteria).`,
          });
        }
        return { ...m, contract, featureId: contract?.featureId?.value ?? null, dependsOn: [...new Set(dependsOn)] };
      });
      const sameSet = new Set(modules.map((m) => m.id));
      const deps = new Map(modules.map((m) => [m.id, m.dependsOn.filter((d) => sameSet.has(d))]));
      const { dependsOn, explicit } = phaseDependencies(phase, phases, phaseIndex, spec?.file ?? '', problems);
      const result: PlannedPhase = {
        ...phase,
        dependsOn,
        dependsOnExplicit: explicit,
        modules,
        waves: computeWaves(
          modules.map((m) => m.id),
          deps,
        ),
      };
      problems.push(...overlaps(result));
      return result;
    });

    problems.push(...resolver.unknownDependencies());
    problems.push(...resolver.cycles());
    problems.sort(byPosition);
    return { spec: spec?.file ?? '', kind: spec?.kind ?? 'none', phases: planned, contracts: [...contracts], problems };
  }

  private checked(contract: Contract): Problem[] {
    let found = this.local.get(contract);
    if (!found) {
      found = checkContract(contract);
      this.local.set(contract, found);
    }
    return found;
  }
}

class Resolver {
  private readonly modulesByName = new Map<string, number[]>();
  private readonly contractsById = new Map<string, Contract[]>();

  constructor(
    private readonly phases: readonly PhaseSpec[],
    private readonly contracts: readonly Contract[],
    private readonly assignment: Assignment,
  ) {
    phases.forEach((p, i) => {
      for (const m of p.modules) {
        const list = this.modulesByName.get(m.id);
        if (list) list.push(i);
        else this.modulesByName.set(m.id, [i]);
      }
    });
    for (const c of contracts) {
      if (!c.featureId) continue;
      const list = this.contractsById.get(c.featureId.value);
      if (list) list.push(c);
      else this.contractsById.set(c.featureId.value, [c]);
    }
  }

  /** A module of the same phase wins, then the nearest earlier phase, then a later one (an order error). */
  private pick(phaseIndexes: number[], from: number): number | undefined {
    if (phaseIndexes.includes(from)) return from;
    const earlier = phaseIndexes.filter((i) => i < from);
    if (earlier.length > 0) return Math.max(...earlier);
    return phaseIndexes.length > 0 ? Math.min(...phaseIndexes) : undefined;
  }

  resolve(name: string, fromPhase: number): Target | null {
    const byFeature = this.contractsById.get(name)?.[0];
    if (byFeature) {
      const keys = this.assignment.modulesOf.get(byFeature.file) ?? [];
      const indexes = keys.map((k) => this.phaseIndexOfKey(k));
      const i = this.pick(indexes, fromPhase);
      if (i !== undefined) return { phaseIndex: i, module: keys[indexes.indexOf(i)].split('/').slice(1).join('/') };
      return null;
    }
    const i = this.pick(this.modulesByName.get(name) ?? [], fromPhase);
    return i === undefined ? null : { phaseIndex: i, module: name };
  }

  private phaseIndexOfKey(key: string): number {
    const n = Number(key.split('/')[0]);
    return this.phases.findIndex((p) => p.number === n);
  }

  private known(name: string): boolean {
    return this.contractsById.has(name) || this.modulesByName.has(name);
  }

  unknownDependencies(): Problem[] {
    const problems: Problem[] = [];
    const names = [...this.contractsById.keys(), ...this.modulesByName.keys()];
    for (const c of this.contracts) {
      for (const entry of c.dependsOn) {
        if (!CHECKED_KINDS.has(entry.kind) || this.known(entry.value)) continue;
        const suggestion = closest(entry.value, names);
        problems.push({
          file: c.file,
          line: entry.line,
          column: entry.column,
          endLine: entry.line,
          endColumn: entry.column + entry.value.length,
          severity: 'error',
          code: 'unknown-dependency',
          message: `"${entry.value}" is neither a feature_id nor a module of the plan.${suggestion ? ` Did you mean "${suggestion}"?` : ''}`,
          ...(suggestion ? { data: { suggestion, value: entry.value } } : {}),
        });
      }
    }
    return problems;
  }

  /** Cycles between contracts, reported on each contract in the cycle at the entry that closes it. */
  cycles(): Problem[] {
    const edges = new Map<string, string[]>();
    const entryTo = new Map<string, Map<string, DependencyEntry>>();
    const byFile = new Map(this.contracts.map((c) => [c.file, c]));
    for (const c of this.contracts) {
      const out: string[] = [];
      const entries = new Map<string, DependencyEntry>();
      for (const entry of c.dependsOn) {
        if (!CHECKED_KINDS.has(entry.kind)) continue;
        for (const target of this.contractsFor(entry.value)) {
          out.push(target.file);
          if (!entries.has(target.file)) entries.set(target.file, entry);
        }
      }
      edges.set(c.file, out);
      entryTo.set(c.file, entries);
    }
    const problems: Problem[] = [];
    const label = (file: string): string => byFile.get(file)?.featureId?.value ?? file;
    for (const component of findCycles([...byFile.keys()], edges)) {
      const members = new Set(component);
      for (const file of component) {
        const path = cyclePath(file, members, edges);
        const entry = entryTo.get(file)?.get(path[1]);
        const at = entry ?? byFile.get(file)?.featureId ?? { line: 1, column: 1 };
        problems.push({
          file,
          line: at.line,
          column: at.column,
          severity: 'error',
          code: 'dependency-cycle',
          message: `Dependency cycle: ${path.map(label).join(' → ')}.`,
        });
      }
    }
    return problems;
  }

  private contractsFor(name: string): Contract[] {
    const byFeature = this.contractsById.get(name);
    if (byFeature) return byFeature.slice(0, 1);
    const out: Contract[] = [];
    for (const i of this.modulesByName.get(name) ?? []) {
      const c = this.assignment.byModule.get(moduleKey(this.phases[i].number, name));
      if (c && !out.includes(c)) out.push(c);
    }
    return out;
  }
}

function phaseDependencies(
  phase: PhaseSpec,
  phases: readonly PhaseSpec[],
  index: number,
  file: string,
  problems: Problem[],
): { dependsOn: number[]; explicit: boolean } {
  if (!phase.dependsOn) return { dependsOn: index > 0 ? [phases[index - 1].number] : [], explicit: false };
  const out: number[] = [];
  for (const dep of phase.dependsOn) {
    const target = phases.findIndex((p) => p.number === dep.value);
    if (target < 0) {
      problems.push({ file, line: dep.line, column: dep.column, severity: 'error', code: 'unknown-phase', message: `There is no phase ${dep.value}.` });
    } else if (target >= index) {
      problems.push({
        file,
        line: dep.line,
        column: dep.column,
        severity: 'error',
        code: 'dependency-order',
        message:
          target === index
            ? `Phase ${phase.number} cannot depend on itself.`
            : `Phase ${phase.number} depends on phase ${dep.value}, which comes after it: phases run in the order they are written.`,
      });
    } else if (!out.includes(dep.value)) {
      out.push(dep.value);
    }
  }
  return { dependsOn: out, explicit: true };
}

function orderProblem(contract: Contract, entry: DependencyEntry, later: PhaseSpec, phase: PhaseSpec): Problem {
  return {
    file: contract.file,
    line: entry.line,
    column: entry.column,
    endLine: entry.line,
    endColumn: entry.column + entry.value.length,
    severity: 'error',
    code: 'dependency-order',
    message: `"${entry.value}" is built in phase ${later.number} (${later.name}), after phase ${phase.number}: a module can only depend on its own phase or earlier ones.`,
  };
}

function duplicateFeatureIds(contracts: readonly Contract[]): Problem[] {
  const byId = new Map<string, Contract[]>();
  for (const c of contracts) {
    if (!c.featureId?.value) continue;
    const list = byId.get(c.featureId.value);
    if (list) list.push(c);
    else byId.set(c.featureId.value, [c]);
  }
  const problems: Problem[] = [];
  for (const [id, list] of byId) {
    if (list.length < 2) continue;
    for (const c of list) {
      const others = list.filter((o) => o !== c).map((o) => o.file);
      problems.push({
        file: c.file,
        line: c.featureId!.line,
        column: c.featureId!.column,
        severity: 'error',
        code: 'duplicate-feature-id',
        message: `feature_id "${id}" is also used by ${others.join(', ')}.`,
      });
    }
  }
  return problems;
}

/** Owned paths (`owns`, else `provides.files`) of two modules of one phase that can touch the same file. */
function overlaps(phase: PlannedPhase): Problem[] {
  const owned = phase.modules
    .filter((m) => m.contract)
    .map((m) => {
      const c = m.contract!;
      const globs = c.owns.length > 0 ? c.owns : c.provides.filter((p) => p.category === 'files');
      return { module: m.id, contract: c, globs };
    });
  const problems: Problem[] = [];
  for (let i = 0; i < owned.length; i++) {
    for (let j = i + 1; j < owned.length; j++) {
      const a = owned[i];
      const b = owned[j];
      if (a.contract === b.contract) continue;
      for (const ga of a.globs) {
        const gb = b.globs.find((g) => globsOverlap(ga.value, g.value));
        if (!gb) continue;
        for (const [self, other, mine, theirs] of [
          [a, b, ga, gb],
          [b, a, gb, ga],
        ] as const) {
          problems.push({
            file: self.contract.file,
            line: mine.line,
            column: mine.column,
            severity: 'warning',
            code: 'ownership-overlap',
            message: `"${mine.value}" overlaps "${theirs.value}" owned by module "${other.module}" (${other.contract.file}) in phase ${phase.number}: the two agents will conflict at merge.`,
          });
        }
        break;
      }
    }
  }
  return problems;
}

function byPosition(a: Problem, b: Problem): number {
  return a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column;
}
