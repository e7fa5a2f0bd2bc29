// What a phase run is given: the user's options, the ports it acts through, and who listens.
import type { Discovery } from '../discoveries/discovery';
import type { AgentMode } from '../agents/presets';
import type { AgentCommand, AgentPort, FilesPort, LockPort, RepoPort, Secrets, SetupPort, StateStore, StatusFeed, WaveCheckPort, WorktreePort } from '../ports';
import type { WaveCheckSettings } from './waveChecks';
import type { Transition } from './events';
import type { PhaseRun } from './model';

export interface ConductOptions {
  /** Who conducts, as the phase lock names it to a second caller (`conductor conduct 2`). */
  owner: string;
  /** What the user chose (a preset name or a command), recorded in the state. */
  agentLabel: string;
  agentCommand: AgentCommand;
  /** Claude Code: install the completion hook in the worktree's `.claude/settings.local.json`. */
  nativeHook: 'claude' | null;
  /** How agents start (headless: the CLI; interactive: VS Code terminals): presets the plan names resolve so. Default headless. */
  agentMode?: AgentMode;
  /** Agent command lines written in the plan (tasks.csv `agent`) may run: the user trusts the repository. */
  planCommands?: boolean;
  /** Conduct only these modules (`--tags`); their same-phase dependencies must be among them or complete. */
  only?: readonly string[] | null;
  maxParallel: number;
  retries: number;
  approve: boolean;
  allowDirty: boolean;
  worktreeRoot: string;
  /** Absolute path of the hook launcher agents run as `$CONDUCTOR_HOOK`. */
  hookPath: string;
  copyFiles: readonly string[];
  setupCommand: string | null;
  promptTemplate: string | null;
  /**
   * The commit a new run of the phase starts from: the integrated result of the phases it depends on
   * (a plan run). Absent: the user's HEAD, and their uncommitted changes are refused unless allowDirty.
   */
  startFrom?: string | null;
  /** Restart modules left `interrupted`; the CLI does, the extension asks the user first. */
  restartInterrupted: boolean;
  /** How often liveness of adopted processes (and idle agents) is checked. */
  livenessMs?: number;
  /** How long headless agents still running at the phase's end may take to exit by themselves (default 5 s). */
  exitGraceMs?: number;
  /** An agent with no output and no status line this long is flagged; 0: never. */
  idleFlagMs?: number;
  /** …and stopped (failed) after this long; 0: never. Only agents whose output the engine sees. */
  idleStopMs?: number;
  /** DISCOVERIES.md (absolute); by default beside the plan file, taken as relative to the repository. */
  discoveriesFile?: string;
  /**
   * `--validate-waves`: a module whose dependencies are in its phase starts only once their merged
   * result passed the phase's checks (needs `ConductPorts.waveChecks`). Absent: it starts at once.
   */
  validateWaves?: WaveCheckSettings | null;
}

export interface ConductPorts {
  repo: RepoPort;
  worktrees: WorktreePort;
  agents: AgentPort;
  status: StatusFeed;
  store: StateStore;
  files: FilesPort;
  setup: SetupPort;
  locks: LockPort;
  secrets: Secrets;
  now: () => Date;
  newRunId: () => string;
  /** Merges dependencies and runs the phase's checks, for `validateWaves`. */
  waveChecks?: WaveCheckPort;
}

export interface ConductListener {
  transition?(t: Transition, run: PhaseRun): void;
  note?(text: string): void;
  changed?(run: PhaseRun): void;
  /** An agent reported a new discovery; `all` is every one known. */
  discovered?(d: Discovery, all: readonly Discovery[]): void;
}
