// The thin runner of a phase: asks decide() what to do, does it through the ports, turns what
// happens (status lines, exits, proofs) into events, saves the state after every change, and
// repeats until decide() says the phase is done.
import type { Plan, PlannedModule, PlannedPhase } from '../model';
import type { AgentHandle } from '../ports';
import type { ConductListener, ConductOptions, ConductPorts } from './conductTypes';
import { isDiscoveryKind, isProgressEvent, type StatusEvent } from '../status/statusLine';
import { discoveryOf } from '../discoveries/discovery';
import { phaseDiscoveries, type PhaseDiscoveries } from './discoveryRecorder';
import { blockedBehind, decide, type Action } from './decide';
import { busyError } from './errors';
import { applyEvent, type RunEvent } from './events';
import { judgeLine } from './lineTrust';
import { LIVE_STATES, type ModuleRecord, type PhaseRun } from './model';
import { conductorPaths, type ConductorPaths } from './paths';
import { prepareLaunch } from './launchPreparation';
import type { RunAgent } from './moduleLaunch';
import { statusEventsIn } from './recovery';
import { Supervision } from './supervision';
import { WaveChecks } from './waveChecks';
import { CompletionProof } from './completionProof';
import { loadPhaseRun, refuseInvalidPlan } from './loadPhaseRun';
import { ModuleWorktrees } from './moduleWorktrees';

export type { ConductListener, ConductOptions, ConductPorts } from './conductTypes';

export class PhaseConductor {
  private run!: PhaseRun;
  private readonly paths: ConductorPaths;
  private readonly handles = new Map<string, AgentHandle>();
  private wake: (() => void) | null = null;
  private changedSinceWait = false;
  private stopping = false;
  private readonly supervision: Supervision;
  /** Status lines already noted as rejected (catch-up reads see them again). */
  private readonly rejected = new Set<string>();
  private readonly discoveries: PhaseDiscoveries;
  private readonly runAgent: RunAgent;
  private readonly only: ReadonlySet<string> | null;
  private readonly waves: WaveChecks | null;
  private readonly proof: CompletionProof;
  private readonly worktrees: ModuleWorktrees;

  constructor(
    private readonly plan: Plan,
    private readonly phase: PlannedPhase,
    private readonly ports: ConductPorts,
    private readonly options: ConductOptions,
    private readonly listener: ConductListener = {},
  ) {
    this.paths = conductorPaths(ports.repo.root, phase.slug);
    this.discoveries = phaseDiscoveries(plan, ports.repo.root, this.paths.discoveriesLog, ports.files, (t) => this.note(t), options.discoveriesFile);
    const { agentLabel: label, agentCommand: command, nativeHook, agentMode, planCommands } = options;
    this.runAgent = { label, command, nativeHook, mode: agentMode ?? 'headless', planCommands: planCommands ?? false };
    this.only = options.only ? new Set(options.only) : null;
    this.waves = this.waveChecks();
    this.proof = new CompletionProof(ports, {
      current: () => this.run,
      record: (id) => this.record(id),
      expectedFiles: (id) => this.planned(id).expectedFiles.map((f) => f.value),
      changedFiles: () => this.changedFiles(),
      apply: (e) => this.apply(e),
      note: (t) => this.note(t),
      wake: () => this.signal(),
      now: () => this.nowIso(),
    });
    this.worktrees = new ModuleWorktrees(ports.worktrees, Math.max(1, options.maxParallel), {
      request: (id, startPoint) => ({ branch: this.record(id).branch, path: this.record(id).worktree, startPoint }),
      unstarted: (id) => this.record(id).attempts === 0,
      note: (t) => this.note(t),
    });
    this.supervision = new Supervision(
      {
        current: () => this.run,
        handle: (id) => this.handles.get(id),
        apply: (e) => this.apply(e),
        note: (t) => this.note(t),
        wake: () => this.signal(),
        now: () => this.ports.now(),
      },
      options.agentLabel,
      { flagMs: options.idleFlagMs ?? 0, stopMs: options.idleStopMs ?? 0 },
    );
  }

  get current(): PhaseRun {
    return this.run;
  }

  /** Runs the phase to the end (or until stop()); returns the final record. */
  async conduct(): Promise<PhaseRun> {
    refuseInvalidPlan(this.plan, this.phase);
    await this.ports.repo.excludeLocally('/.conductor/');
    const lock = await this.ports.locks.acquire(this.phase.slug, this.options.owner);
    if ('heldBy' in lock) throw busyError(this.phase.number, this.ports.locks.describe(lock.heldBy));
    try {
      return await this.conductLocked();
    } finally {
      await lock.lock.release();
    }
  }

  private async conductLocked(): Promise<PhaseRun> {
    await this.discoveries.recorder.load();
    this.run = await loadPhaseRun({
      plan: this.plan,
      phase: this.phase,
      ports: this.ports,
      options: this.options,
      paths: this.paths,
      only: this.only,
      planCommands: this.runAgent.planCommands,
      changedFiles: () => this.changedFiles(),
      note: (t) => this.note(t),
      now: () => this.nowIso(),
    });
    await this.proof.takeCheckoutBaseline();
    await this.save();
    const feed = this.ports.status.onEvent((e) => this.onStatus(e));
    const problems = this.ports.status.onProblem((p) => this.note(`${p.file}:${p.line}: ${p.message}`));
    const liveness = setInterval(() => this.checkLiveness(), this.options.livenessMs ?? 2000);
    try {
      await this.ports.status.start();
      await this.adoptOrInterrupt();
      for (;;) {
        await this.supervision.resumeDue(this.stopping);
        const decision = decide(this.run, {
          restartInterrupted: this.options.restartInterrupted && !this.stopping,
          only: this.only,
          prepareAhead: this.stopping ? 0 : this.options.maxParallel,
          prepared: this.worktrees.prepared,
        });
        await this.execute(this.waves && !this.stopping ? this.waves.gate(decision.actions) : decision.actions);
        const checking = this.proof.busy || Boolean(this.waves?.busy);
        if (decision.done && !checking) break;
        if (this.stopping && this.liveCount() === 0 && !checking) break;
        await this.nextChange();
      }
      await this.finish();
      return this.run;
    } finally {
      clearInterval(liveness);
      this.supervision.dispose();
      feed.dispose();
      problems.dispose();
      await this.ports.status.dispose();
    }
  }

  /** Stops every agent of the phase (they become `interrupted`) and ends conduct(). */
  async stop(): Promise<void> {
    this.stopping = true;
    const adopted = this.run?.modules.filter((m) => LIVE_STATES.has(m.state) && !this.handles.has(m.id) && m.pid !== null) ?? [];
    await Promise.all([
      ...[...this.handles.values()].map((h) => h.stop()),
      ...adopted.map(async (m) => {
        await this.ports.agents.stopPid(m.pid!);
        await this.apply({ type: 'exited', module: m.id, attempt: m.attempts, code: null, signal: 'SIGTERM', byUser: true, at: this.nowIso() });
      }),
    ]);
    this.signal();
  }

  /** Process ids of the agents this run has started or follows (for a last-resort kill). */
  agentPids(): number[] {
    const pids = new Set<number>();
    for (const h of this.handles.values()) if (h.pid !== null) pids.add(h.pid);
    for (const m of this.run?.modules ?? []) if (LIVE_STATES.has(m.state) && m.pid !== null) pids.add(m.pid);
    return [...pids];
  }

  /** Stops one module's agent; it becomes `interrupted`. */
  async stopModule(id: string): Promise<void> {
    const handle = this.handles.get(id);
    if (handle) await handle.stop();
    else {
      const m = this.run?.modules.find((x) => x.id === id);
      if (m?.pid && LIVE_STATES.has(m.state)) {
        await this.ports.agents.stopPid(m.pid);
        await this.apply({ type: 'exited', module: id, attempt: m.attempts, code: null, signal: 'SIGTERM', byUser: true, at: this.nowIso() });
      }
    }
  }

  /**
   * Gives a failed, interrupted, blocked or unverified module another attempt in this run, and the
   * modules blocked behind it their chance again (as resuming the phase would).
   */
  async retryModule(id: string): Promise<void> {
    await this.apply({ type: 'retry', module: id, retries: this.options.retries, at: this.nowIso() });
    if (this.run.modules.find((m) => m.id === id)?.state !== 'pending') return;
    for (const dependent of blockedBehind(this.run, id)) {
      await this.apply({ type: 'retry', module: dependent, retries: this.options.retries, at: this.nowIso() });
    }
  }

  private waveChecks(): WaveChecks | null {
    const settings = this.options.validateWaves;
    if (!settings) return null;
    if (!this.ports.waveChecks) throw new Error('--validate-waves needs a wave check port');
    return new WaveChecks(this.phase, this.ports.waveChecks, {
      current: () => this.run,
      replace: async (run) => {
        this.run = run;
        await this.save();
        this.signal();
      },
      apply: (e) => this.apply(e),
      note: (t) => this.note(t),
      wake: () => this.signal(),
      now: () => this.nowIso(),
    }, settings);
  }

  /** Agents recorded as running: follow those still alive (an engine restart does not kill them). */
  private async adoptOrInterrupt(): Promise<void> {
    for (const m of this.run.modules) {
      // Conducting again is the command that resumes a paused module without waiting for its reset.
      if (m.state === 'paused' && this.options.restartInterrupted) {
        this.note(`${m.id}: resuming after its usage limit, as asked.`);
        await this.apply({ type: 'resume', module: m.id, at: this.nowIso() });
        continue;
      }
      if (!LIVE_STATES.has(m.state) || this.handles.has(m.id)) continue;
      if (m.pid !== null && this.ports.agents.isAlive(m.pid, m.pidStart)) {
        this.note(`${m.id}: agent (pid ${m.pid}) from the previous run is still working; following it.`);
        continue;
      }
      // The previous run died between spawning the agent and recording its pid: find it by its launch id.
      const found = m.pid === null && m.launchId ? await this.ports.agents.findLaunched(m.launchId) : null;
      if (found !== null) {
        this.note(`${m.id}: found its agent (pid ${found}), started just before the previous run stopped; following it.`);
        await this.apply({ type: 'spawned', module: m.id, attempt: m.attempts, pid: found, pidStart: this.ports.agents.startTimeOf(found), at: this.nowIso() });
        continue;
      }
      await this.apply({ type: 'interrupted', module: m.id, reason: 'its agent was gone when the run resumed', at: this.nowIso() });
    }
  }

  private checkLiveness(): void {
    void this.supervision.checkIdle();
    for (const m of this.run.modules) {
      if (!LIVE_STATES.has(m.state) || this.handles.has(m.id) || m.pid === null) continue;
      if (!this.ports.agents.isAlive(m.pid, m.pidStart)) {
        void this.apply({ type: 'exited', module: m.id, attempt: m.attempts, code: null, signal: null, byUser: false, at: this.nowIso() });
      }
    }
  }

  private async execute(actions: Action[]): Promise<void> {
    const starts: Extract<Action, { type: 'start' }>[] = [];
    const prepares: string[] = [];
    for (const action of actions) {
      if (action.type === 'block') await this.apply({ type: 'blocked', module: action.module, by: action.by, why: action.why, at: this.nowIso() });
      else if (action.type === 'prepare') prepares.push(action.module);
      else if (action.type === 'halt') {
        this.run = { ...this.run, state: 'halted', haltReason: action.reason };
        this.note(`Halted: ${action.reason}.`);
        await this.save();
      } else starts.push(action);
    }
    if (starts.length > 0 && !this.stopping) await this.startAll(starts);
    if (prepares.length > 0 && !this.stopping) this.worktrees.prepare(prepares, this.run.baseCommit);
  }

  private async startAll(starts: Extract<Action, { type: 'start' }>[]): Promise<void> {
    // Start points first: merging dependency branches may fail for one module only.
    const ready: { action: Extract<Action, { type: 'start' }>; startPoint: string }[] = [];
    for (const action of starts) {
      const startPoint = await this.startPoint(action);
      if (startPoint) ready.push({ action, startPoint });
    }
    if (ready.length === 0) return;
    const results = await this.worktrees.forStarts(ready.map(({ action, startPoint }) => ({ module: action.module, startPoint })));
    await Promise.all(
      ready.map(async ({ action }, i) => {
        const result = results[i];
        if (result.status === 'failed') {
          await this.failStart(action, `could not create its worktree: ${result.message}`);
          return;
        }
        // A created branch starts at the commit ensure() resolved its start point to.
        const base = result.status === 'created' ? result.head : (this.record(action.module).baseCommit ?? (await this.ports.repo.resolve(ready[i].startPoint)));
        await this.launch(action, base).catch((e: unknown) => this.failStart(action, (e as Error).message));
      }),
    );
  }

  private async startPoint(action: Extract<Action, { type: 'start' }>): Promise<string | null> {
    if (action.fromBranches.length === 0) return this.run.baseCommit;
    if (action.fromBranches.length === 1) return action.fromBranches[0];
    const merged = await this.ports.repo.mergeCommits(this.run.baseCommit, action.fromBranches, `conductor: start of ${action.module} (${action.fromBranches.join(', ')})`);
    if ('commit' in merged) return merged.commit;
    await this.failStart(action, `its dependencies' branches conflict (${merged.conflicts.join(', ')}); merge them first`);
    return null;
  }

  private async launch(action: Extract<Action, { type: 'start' }>, baseCommit: string): Promise<void> {
    const m = this.record(action.module);
    const { choice, env, cwd, launchId, token } = await prepareLaunch(
      { plan: this.plan, phase: this.phase, run: this.run, ports: this.ports, options: this.options, paths: this.paths, runAgent: this.runAgent, discoveries: this.discoveries, note: (t) => this.note(t) },
      action,
      m,
      this.planned(action.module),
    );
    // Stopped while this agent was being prepared: it does not start at all.
    if (this.stopping) return;
    // The intent is saved before the spawn, so a crash right after it cannot lead to a second agent.
    await this.apply({ type: 'started', module: m.id, attempt: action.attempt, pid: null, launchId, tokenHash: this.ports.secrets.hash(token), baseCommit, agent: choice.agent, at: this.nowIso() });
    const handle = await this.ports.agents.start({
      key: `${this.phase.slug}/${m.id}`,
      name: m.id,
      command: choice.command,
      cwd,
      env,
      pathPrepend: [this.paths.hookDir],
      logFile: this.paths.logFile(m.id),
    });
    this.handles.set(m.id, handle);
    const output = this.supervision.follow(m.id, action.attempt, handle, choice.agent);
    const pidStart = handle.pid !== null ? this.ports.agents.startTimeOf(handle.pid) : null;
    await this.apply({ type: 'spawned', module: m.id, attempt: action.attempt, pid: handle.pid, pidStart, at: this.nowIso() });
    // A stop that came while it was spawning reaches it too.
    if (this.stopping) void handle.stop();
    void handle.exited.then(async (exit) => {
      output.dispose();
      if (this.handles.get(m.id) === handle) this.handles.delete(m.id);
      const idleStop = this.supervision.takeIdleStop(m.id);
      // An agent that reports and exits at once can exit before the watcher delivers its report.
      await this.catchUpStatus(m.id);
      const byUser = !idleStop && (exit.byUser || this.stopping);
      await this.apply({ type: 'exited', module: m.id, attempt: action.attempt, code: exit.code, signal: exit.signal, byUser, at: this.nowIso() });
    });
  }

  /** Applies the module's status file as it is on disk now (lines already applied change nothing). */
  private async catchUpStatus(id: string): Promise<void> {
    const file = this.paths.statusFile(id);
    const text = await this.ports.files.read(file).catch(() => null);
    for (const e of statusEventsIn(file, text)) this.onStatus({ ...e, module: id, phase: this.phase.slug });
  }

  private async failStart(action: Extract<Action, { type: 'start' }>, message: string): Promise<void> {
    await this.apply({ type: 'start-failed', module: action.module, attempt: action.attempt, message, at: this.nowIso() });
  }

  private onStatus(e: StatusEvent): void {
    if (e.phase !== null && e.phase !== this.phase.slug && e.phase !== String(this.phase.number)) return;
    if (!this.run.modules.some((m) => m.id === e.module)) return;
    const trust = judgeLine(e, this.record(e.module), this.run.runId, (t) => this.ports.secrets.hash(t));
    if (trust.verdict === 'reject') {
      const where = `${e.file}:${e.line}`;
      if (!this.rejected.has(where)) {
        this.rejected.add(where);
        this.note(`${where}: status line for ${e.module} rejected: ${trust.reason}.`);
      }
      return;
    }
    if (trust.verdict === 'ignore') return;
    this.supervision.active(e.module);
    // A discovery says nothing about the module's state.
    if (!isProgressEvent(e)) return this.onDiscovery(e);
    void this.apply({
      type: 'status',
      module: e.module,
      status: e.status,
      summary: e.summary,
      attempt: e.attempt,
      filesCreated: e.filesCreated,
      testsPassing: e.testsPassing,
      at: new Date(e.ts).toISOString(),
    });
  }

  private onDiscovery(e: StatusEvent): void {
    if (!isDiscoveryKind(e.status)) return;
    const d = discoveryOf({ ...e, status: e.status }, this.phase, this.run.runId);
    if (!this.discoveries.recorder.record(d)) return;
    const text = d.text.replace(/\s+/g, ' ');
    this.note(`${d.module} reported a ${d.kind === 'spec-correction' ? 'spec correction' : 'discovery'}: ${text.length > 200 ? `${text.slice(0, 199)}…` : text}`);
    this.listener.discovered?.(d, this.discoveries.recorder.all);
  }

  /** Changes in the user's checkout; DISCOVERIES.md is the engine's own writing. */
  private async changedFiles(): Promise<string[]> {
    return (await this.ports.repo.changedFiles()).filter((f) => f !== this.discoveries.inRepository);
  }

  private async apply(event: RunEvent): Promise<void> {
    const { run, transition } = applyEvent(this.run, event);
    if (run === this.run) return;
    this.run = run;
    if (transition) this.listener.transition?.(transition, run);
    const m = this.record(event.module);
    if (m.reportedComplete) this.proof.verify(m.id);
    await this.save();
    this.signal();
  }

  private async finish(): Promise<void> {
    // A headless agent that has just reported is usually about to exit and print its last event
    // (the totals of its usage): give it a moment. Interactive agents sit at their prompt: the phase
    // is over for them.
    if (!this.stopping) await this.exitedOrTimeout([...this.handles.values()].filter((h) => h.onOutput), this.options.exitGraceMs ?? 5000);
    await Promise.all([...this.handles.values()].map((h) => h.stop()));
    await this.waves?.dispose();
    await this.worktrees.release();
    await this.proof.reportLateCommits();
    await this.discoveries.recorder.flushed();
    this.run = { ...this.run, state: this.run.state === 'halted' ? 'halted' : 'done', finishedAt: this.nowIso() };
    await this.save();
  }

  private async exitedOrTimeout(handles: AgentHandle[], ms: number): Promise<void> {
    if (handles.length === 0 || ms <= 0) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([Promise.all(handles.map((h) => h.exited)), new Promise((r) => (timer = setTimeout(r, ms)))]);
    clearTimeout(timer);
  }

  private async save(): Promise<void> {
    await this.ports.store.savePhase(this.run);
    this.listener.changed?.(this.run);
  }

  /** Resolves at the next change — or at once if something changed since the last wait. */
  private nextChange(): Promise<void> {
    if (this.changedSinceWait) {
      this.changedSinceWait = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.wake = resolve;
    });
  }

  private signal(): void {
    const wake = this.wake;
    this.wake = null;
    if (wake) wake();
    else this.changedSinceWait = true;
  }

  private liveCount(): number {
    return this.run.modules.filter((m) => LIVE_STATES.has(m.state)).length;
  }

  private record(id: string): ModuleRecord {
    const m = this.run.modules.find((x) => x.id === id);
    if (!m) throw new Error(`unknown module ${id}`);
    return m;
  }

  private planned(id: string): PlannedModule {
    const m = this.phase.modules.find((x) => x.id === id);
    if (!m) throw new Error(`module ${id} is not in phase ${this.phase.number} of the plan`);
    return m;
  }

  private note(text: string): void {
    this.listener.note?.(text);
  }

  private nowIso(): string {
    return this.ports.now().toISOString();
  }
}
