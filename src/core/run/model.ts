// The state of conducted phases, as kept in `.conductor/state.json`. Plain JSON data, so it can be
// written atomically after every change and read back after a crash.

export const MODULE_STATES = [
  'pending',
  'running',
  'needs-input',
  'complete',
  'complete-unverified',
  'failed',
  'blocked',
  'interrupted',
  /** A usage or rate limit stopped the agent; it starts again at `resumeAt` (not a failed attempt). */
  'paused',
] as const;
export type ModuleState = (typeof MODULE_STATES)[number];

export interface ModuleRecord {
  id: string;
  featureId: string | null;
  /** 1-based wave within the phase. */
  wave: number;
  /** Modules of the same phase this one waits for. */
  dependsOn: string[];
  state: ModuleState;
  /** Attempts started so far, over all runs (the current one included). */
  attempts: number;
  /** Attempts allowed before the module fails for good; raised when a later run tries again. */
  attemptLimit: number;
  startedAt: string | null;
  finishedAt: string | null;
  branch: string;
  worktree: string;
  /** The commit the module's branch started from. */
  baseCommit: string | null;
  lastSummary: string | null;
  /** Process id of the running agent (CLI) — for liveness checks after a restart. */
  pid: number | null;
  /** The process's start time, so a reused pid is not taken for the agent. */
  pidStart?: string | null;
  /** Hash of this attempt's secret token: status lines must carry the token itself. */
  tokenHash?: string | null;
  /** This attempt's launch id (CONDUCTOR_LAUNCH_ID in the agent's environment), saved before the spawn. */
  launchId?: string | null;
  exitCode: number | null;
  /** The agent said it is complete; waiting for the proof check. */
  reportedComplete: boolean;
  filesCreated: string[];
  testsPassing: boolean | null;
  /** The agent of the latest attempt (a preset's name or a command line), where the plan chose one or the run's. */
  agent?: string | null;
  /** The agent CLI's session id, from its event stream: a retry resumes it where the CLI can. */
  sessionId?: string | null;
  /** The session this attempt was started to resume, until the CLI reports a session: a resume that dies first is forgotten. */
  resumingSession?: string | null;
  /** Tokens, turns and cost over all attempts, where the CLI's event stream says them. */
  usage?: AgentUsage | null;
  /** This attempt's share of `usage` (the stream reports totals per process). */
  attemptUsage?: AgentUsage | null;
  /** Paused by a usage limit: when it may start again (ISO), or null until resumed by hand. */
  resumeAt?: string | null;
  /** The module branch's tip when the module was verified: later commits are in no verified result. */
  verifiedHead?: string | null;
  /** The agent's process ended (exit 0) without reporting: complete only if the proof check finds work. */
  exitClaim?: boolean;
  /** Fix rounds this module was sent back for (validation findings or conflicts after a merge). */
  fixRounds?: number;
  /** What its next (or current) attempt must fix, carried verbatim into the prompt; null when none. */
  fixFindings?: FixFinding[] | null;
  /** Every attempt with its own start, end and outcome (startedAt/finishedAt keep only the latest). */
  attemptsLog?: AttemptLogEntry[];
}

/** How an attempt went: a module's state, seen from one attempt. */
export type AttemptOutcome = 'running' | 'complete' | 'failed' | 'interrupted' | 'paused';

export interface AttemptLogEntry {
  attempt: number;
  startedAt: string;
  /** null while it runs. */
  finishedAt: string | null;
  outcome: AttemptOutcome;
  /** Started with fix findings: part of a fix round after a merge or validation. */
  fix?: boolean;
}

/** One thing a module is sent back to fix: a finding of the phase's validation, or a conflict. */
export interface FixFinding {
  /** 'conflict' for a merge conflict; else the validation step (test-command, lint-command, …). */
  source: string;
  file: string | null;
  line: number | null;
  message: string;
  /** The command that found it, and the tail of its output. */
  command?: string | null;
  outputTail?: string | null;
}

export interface AgentUsage {
  turns?: number;
  inputTokens?: number;
  outputTokens?: number;
  costUsd?: number;
}

export type PhaseRunState = 'running' | 'done' | 'halted';

/** Where a phase is in a plan run (`conductor run`): its conduct, merge, validation and fix rounds. */
export const PHASE_STATES = ['pending', 'conducting', 'merging', 'validating', 'fixing', 'done', 'failed', 'gated'] as const;
export type PhaseState = (typeof PHASE_STATES)[number];

export interface PhaseProgress {
  state: PhaseState;
  /** Fix rounds used so far (0 before the first). */
  fixRound: number;
  /** The commit the phase's modules started from: the integrated result of the phases it depends on. */
  startedFrom: string | null;
  /** Each phase it depends on (by number) with the integration commit it was built on: a later change there makes this one stale. */
  builtOn?: Record<string, string> | null;
  /** The integration commit the last merge produced. */
  integrationCommit: string | null;
  /** `refs/conductor/checkpoints/phase-<N>` once the phase is done (the ref's name). */
  checkpoint: string | null;
  /** Why it failed or stopped, for the user. */
  reason: string | null;
  /** Findings no module owns (they go to the user). */
  unowned: FixFinding[];
  /** The findings of the last fix round, compared with the next one's to stop when nothing changes. */
  signature: string | null;
  updatedAt: string;
}
export interface PhaseRun {
  number: number;
  slug: string;
  name: string;
  runId: string;
  state: PhaseRunState;
  /** Commit of the user's HEAD when the phase started (wave 0). */
  baseCommit: string;
  startedAt: string;
  finishedAt: string | null;
  haltReason: string | null;
  /** When a `Gate: manual` phase was approved. */
  approvedAt: string | null;
  agent: string;
  maxParallel: number;
  retries: number;
  modules: ModuleRecord[];
  /** Set by a plan run (`conductor run`, Conduct Plan); absent for a phase conducted alone. */
  progress?: PhaseProgress | null;
  /** `--validate-waves`: every check of a dependency set's merged result, oldest first. */
  waveChecks?: WaveCheckRecord[];
}

/** One check of the merged result of the modules a later wave builds on (`--validate-waves`). */
export interface WaveCheckRecord {
  /** The dependency set (its same-phase dependencies, transitively), sorted. */
  deps: string[];
  /** Each dependency's verified branch tip when it was checked: new work means a new check. */
  heads: string[];
  passed: boolean;
  /** What was found, or that it passed. */
  summary: string;
  /** The owned findings' signature, to stop when a fix changed nothing. */
  signature: string | null;
  integrationCommit: string | null;
  at: string;
}

export const STATE_VERSION = 1;

export interface RunStateFile {
  version: typeof STATE_VERSION;
  /** By phase slug. */
  phases: Record<string, PhaseRun>;
}

export const emptyState = (): RunStateFile => ({ version: STATE_VERSION, phases: {} });

/** States an agent will not leave by itself. */
export const FINAL_STATES: ReadonlySet<ModuleState> = new Set(['complete', 'complete-unverified', 'failed', 'blocked']);
/** States in which an agent process holds a slot. */
export const LIVE_STATES: ReadonlySet<ModuleState> = new Set(['running', 'needs-input']);
/** States that satisfy a dependent module. */
export const DONE_STATES: ReadonlySet<ModuleState> = new Set(['complete', 'complete-unverified']);
