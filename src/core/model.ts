// The spec model: what READY.md, tasks.csv and contract.md files say, with 1-based source positions.

/** A 1-based position in a file. */
export interface Pos {
  line: number;
  column: number;
}

/** A value and where it was written. */
export interface Located<T = string> extends Pos {
  value: T;
}

export type Severity = 'error' | 'warning' | 'info';

export type ProblemCode =
  | 'no-phases'
  | 'malformed-phase-heading'
  | 'not-a-phase'
  | 'duplicate-phase'
  | 'unknown-phase'
  | 'invalid-module-name'
  | 'duplicate-module'
  | 'unknown-gate'
  | 'malformed-csv'
  | 'missing-field'
  | 'unknown-dependency'
  | 'dependency-cycle'
  | 'dependency-order'
  | 'duplicate-feature-id'
  | 'duplicate-contract'
  | 'unknown-module'
  | 'malformed-frontmatter'
  | 'malformed-field'
  | 'vague-criterion'
  | 'ownership-overlap'
  | 'missing-contract'
  | 'malformed-status'
  | 'unrunnable-command'
  | 'unknown-agent';

export interface Problem extends Pos {
  /** Path of the file, relative to the workspace root, with forward slashes. */
  file: string;
  endLine?: number;
  endColumn?: number;
  severity: Severity;
  code: ProblemCode;
  message: string;
  /** Machine-readable extras for quick fixes, e.g. `{ suggestion: 'feature-001-auth' }`. */
  data?: Record<string, string>;
}

export interface ModuleSpec extends Pos {
  id: string;
  /** The module was not named in the spec: a phase without modules gets one named after it. */
  implicit: boolean;
  goals: Located[];
  /** Extra per-module facts, e.g. from tasks.csv (agent, max_turns, output_file, tags). */
  meta: Record<string, string>;
  expectedFiles: Located[];
  // Per-module choices a plan may make (tasks.csv's columns; READY.md has no grammar for them).
  // Absent: the run's defaults.
  /** A preset name (lower case) or a command line: the agent that runs this module. */
  agent?: Located;
  /** The agent's turn budget, a positive whole number. */
  maxTurns?: Located<number>;
  /** The folder the agent starts in, relative to its worktree, normalized (`src/api`, never `..`). */
  contextPath?: Located;
  /** Labels to show and to select modules by (`--tags`), as written, without duplicates. */
  tags?: Located[];
}

export interface PhaseSpec extends Pos {
  number: number;
  name: string;
  /** Used in branch and folder names: `phase-2-catalog`. */
  slug: string;
  gate: 'manual' | null;
  /** Explicit `Depends on:` phase numbers, or null when the phase depends on the previous one by default. */
  dependsOn: Located<number>[] | null;
  goals: Located[];
  successCriteria: Located[];
  gotchas: Located[];
  expectedFiles: Located[];
  testCommands: Located[];
  /** Linters, run in the integration worktree after the merge like the test commands. */
  lintCommands: Located[];
  /** Type checks, import resolution and the like, run like the test commands. */
  checkCommands: Located[];
  modules: ModuleSpec[];
}

export interface SpecDocument {
  /** Relative path of READY.md or tasks.csv. */
  file: string;
  kind: 'ready' | 'tasks-csv';
  phases: PhaseSpec[];
  problems: Problem[];
}

export type ContractField = 'feature_id' | 'provides' | 'depends_on' | 'acceptance_criteria';

export interface ProvidesEntry extends Located {
  /** `api`, `files`, `data`, … when the contract groups what it provides; null for a plain list. */
  category: string | null;
}

export interface DependencyEntry extends Located {
  /**
   * `feature` or `module` entries must resolve to something in the plan; anything else (`service`,
   * `external`, …) names a dependency outside the plan and is kept for the prompt only.
   */
  kind: string;
  /** The rest of the line, e.g. "(for user context)". */
  note: string;
}

export interface Contract {
  /** Relative path of the contract file. */
  file: string;
  form: 'frontmatter' | 'markdown';
  featureId: Located | null;
  phase: Located<number> | null;
  module: Located | null;
  provides: ProvidesEntry[];
  dependsOn: DependencyEntry[];
  acceptanceCriteria: Located[];
  owns: Located[];
  /** Where each field's key was written; absent fields are missing. */
  fields: Partial<Record<ContractField | 'owns' | 'phase' | 'module', Pos>>;
  /** Problems found while reading this one file (malformed YAML, bad field shapes). */
  problems: Problem[];
}

export interface PlannedModule extends ModuleSpec {
  contract: Contract | null;
  featureId: string | null;
  /** Ids of the modules this one depends on (same phase or earlier phases). */
  dependsOn: string[];
}

export interface PlannedPhase extends Omit<PhaseSpec, 'modules' | 'dependsOn'> {
  /** Resolved phase numbers this phase depends on. */
  dependsOn: number[];
  dependsOnExplicit: boolean;
  modules: PlannedModule[];
  /** Modules whose dependencies are all in earlier waves, in order. */
  waves: string[][];
}

export interface Plan {
  spec: string;
  kind: SpecDocument['kind'] | 'none';
  phases: PlannedPhase[];
  contracts: Contract[];
  problems: Problem[];
}

export const CONTRACT_FIELDS: readonly ContractField[] = ['feature_id', 'provides', 'depends_on', 'acceptance_criteria'];
