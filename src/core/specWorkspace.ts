// The texts of one workspace's spec files and their parsed forms. Each file is re-parsed only when
// its text changes, so the editor can re-plan on every keystroke.
import { parseContract } from './contract/parseContract';
import type { Contract, Plan, SpecDocument } from './model';
import type { SpecModel } from './specModel';
import { Planner } from './plan/buildPlan';
import { ReadyParser } from './spec/parseReady';
import { parseTasksCsv } from './spec/tasksCsv';

export class SpecWorkspace implements SpecModel {
  private readonly ready = new ReadyParser();
  private readonly planner = new Planner();
  private spec: { path: string; text: string; doc: SpecDocument } | null = null;
  private missingSpec: string | null = null;
  private readonly contracts = new Map<string, { text: string; contract: Contract }>();

  setSpec(path: string, text: string): void {
    if (this.spec?.path === path && this.spec.text === text) return;
    const doc = /\.csv$/i.test(path) ? parseTasksCsv(path, text) : this.ready.parse(path, text);
    this.spec = { path, text, doc };
    this.missingSpec = null;
  }

  /** The configured plan file does not exist (or none was found): plan() reports it. */
  clearSpec(expectedPath: string | null): void {
    this.spec = null;
    this.missingSpec = expectedPath;
  }

  setContract(path: string, text: string): void {
    if (this.contracts.get(path)?.text === text) return;
    this.contracts.set(path, { text, contract: parseContract(path, text) });
  }

  removeContract(path: string): void {
    this.contracts.delete(path);
  }

  /** Keeps only the contracts whose paths are listed (files deleted or no longer matched). */
  retainContracts(paths: Iterable<string>): void {
    const keep = new Set(paths);
    for (const path of [...this.contracts.keys()]) if (!keep.has(path)) this.contracts.delete(path);
  }

  contractPaths(): string[] {
    return [...this.contracts.keys()];
  }

  plan(): Plan {
    const contracts = [...this.contracts.values()].map((c) => c.contract).sort((a, b) => (a.file < b.file ? -1 : 1));
    const plan = this.planner.plan(this.spec?.doc ?? null, contracts);
    if (!this.spec) {
      const file = this.missingSpec ?? 'READY.md';
      plan.spec = file;
      plan.problems.unshift({
        file,
        line: 1,
        column: 1,
        severity: 'error',
        code: 'no-phases',
        message: this.missingSpec
          ? `The plan file ${this.missingSpec} does not exist.`
          : 'No plan found: write READY.md (or .prelude/READY.md, or tasks.csv) at the workspace root.',
      });
    }
    return plan;
  }
}
