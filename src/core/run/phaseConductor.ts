// The thin runner of a phase: asks decide() what to do, does it through the ports, turns what
// happens (status lines, exits, proofs) into events, saves the state after every change, and
// repeats until decide() says the phase is done.
import { buildPrompt } from '../agents/prompt';
import { integrationBranch } from '../merge/planMerge';
import type { Plan, PlannedModule, PlannedPhase } from '../model';
import type { AgentHandle } from '../ports';
import type { ConductListener, ConductOptions, ConductPorts } from './conductTypes';
import { isDiscoveryKind, isProgressEvent, type StatusEvent } from '../status/statusLine';
import { createPhaseRun, resumePhaseRun } from './createRun';
import { discoveryOf } from '../discoveries/discovery';
import { phaseDiscoveries, type PhaseDiscoveries } from './discoveryRecorder';
import { blockedBehind, decide, type Action } from './decide';
import { busyError, ConductError } from './errors';
import { applyEvent, type RunEvent } from './events';
import { judgeLine } from './lineTrust';
import { LIVE_STATES, type ModuleRecord, type PhaseRun } from './model';
import { conductorPaths, type ConductorPaths } from './paths';
import { agentLaunchEnv } from './launchEnv';
import { contextFolder, forAgent, installClaudeHook, moduleLaunchChoice, planCommandsRefusal, type RunAgent } from './moduleLaunch';
import { unmetSelection } from './selection';
import { recoverPhaseRun, statusEventsIn } from './recovery';
import { Supervision } from './supervision';
import { WaveChecks } from './waveChecks';
import { freshCall } from './freshCall';
import { ModuleWorktrees } from './moduleWorktrees';

export type { ConductListener, ConductOptions, ConductPorts } from './conductTypes';

export class PhaseConductor {
  private run!: PhaseRun;
  private readonly paths: ConductorPaths;
  private readonly handles = new Map<string, AgentHandle>();
  private readonly verifying = new Set<string>();
  private wake: (() => void) | null = null;
  private changedSinceWait = false;
  /** Changes the user's checkout had before any agent ran; anything new there came from outside a worktree. */
  private checkoutBaseline = new Set<string>();
  private stopping = false;
  private readonly supervision: Supervision;
  /** Status lines already noted as rejected (catch-up reads see them again). */
  private readonly rejected = new Set<string>();
  private readonly discoveries: PhaseDiscoveries;
  private readonly runAgent: RunAgent;
  private readonly only: ReadonlySet<string> | null;
  private readonly waves: WaveChecks | null;
  /** The checkout's changes, one `git status` shared by the modules that finish at the same time. */
  private readonly freshChanges = freshCall(() => this.changedFiles());
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
    this.refuseInvalidPlan();
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
    await this.load();
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
        const checking = this.verifying.size > 0 || Boolean(this.waves?.busy);
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

  private refuseInvalidPlan(): void {
    const files = new Set([this.plan.spec, ...this.phase.modules.map((m) => m.contract?.file).filter(Boolean)]);
    const errors = this.plan.problems.filter(
      (p) => p.severity === 'error' && files.has(p.file) && (p.file !== this.plan.spec || this.inPhase(p.line)),
    );
    if (errors.length > 0) {
      throw new ConductError('invalid-plan', `Phase ${this.phase.number} has errors in its spec; fix them first (conductor check).`, errors);
    }
    const invalid = this.phase.modules.filter((m) => !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(m.id));
    if (invalid.length > 0) throw new ConductError('invalid-plan', `Invalid module names: ${invalid.map((m) => m.id).join(', ')}`);
  }

  private inPhase(line: number): boolean {
    const next = this.plan.phases.find((p) => p.line > this.phase.line);
    return line >= this.phase.line && (!next || line < next.line);
  }

  private async load(): Promise<void> {
    const { state, note } = await this.ports.store.load();
    if (note) this.note(note);
    await this.discoveries.recorder.load();
    const fresh = createPhaseRun(this.phase, {
      runId: this.ports.newRunId(),
      baseCommit: '',
      now: this.nowIso(),
      worktreeRoot: this.options.worktreeRoot,
      agent: this.options.agentLabel,
      maxParallel: this.options.maxParallel,
      retries: this.options.retries,
    });
    let existing: PhaseRun | null = state.phases[this.phase.slug] ?? null;
    if (!existing && note !== null) existing = await this.rebuild(fresh);
    if (this.phase.gate === 'manual' && !this.options.approve && !existing?.approvedAt) {
      throw new ConductError('gate', `Phase ${this.phase.number} (${this.phase.name}) has "Gate: manual": it starts only when approved (--approve).`);
    }
    if (existing) {
      this.run = resumePhaseRun(existing, fresh);
      this.note(`Resuming phase ${this.phase.number} (run ${this.run.runId}).`);
    } else if (this.options.startFrom) {
      // Built on earlier phases' integrated result: the user's checkout plays no part.
      this.run = { ...fresh, baseCommit: await this.ports.repo.resolve(this.options.startFrom) };
    } else {
      const dirty = await this.changedFiles();
      if (dirty.length > 0 && !this.options.allowDirty) {
        throw new ConductError(
          'dirty',
          `Your checkout has uncommitted changes (${dirty.slice(0, 5).join(', ')}${dirty.length > 5 ? ', …' : ''}). Commit or stash them, or pass --allow-dirty: agents start from the last commit and will not see them.`,
        );
      }
      // Wave 0: the commit every module of the phase starts from.
      this.run = { ...fresh, baseCommit: await this.ports.repo.head() };
    }
    const unmet = this.only ? unmetSelection(this.run, this.only, this.phase) : null;
    if (unmet) throw new ConductError('selection', unmet);
    const untrusted = this.runAgent.planCommands ? null : planCommandsRefusal(this.plan.spec, this.phase, this.run, this.only);
    if (untrusted) throw new ConductError('untrusted', untrusted);
    if (this.phase.gate === 'manual' && !this.run.approvedAt) this.run = { ...this.run, approvedAt: this.nowIso() };
    this.checkoutBaseline = new Set(await this.changedFiles());
    await this.save();
  }

  /** state.json was unreadable: recover what the branches and status files say. */
  private async rebuild(fresh: PhaseRun): Promise<PhaseRun | null> {
    const rebuilt = await recoverPhaseRun(this.phase, fresh, this.ports, this.paths, { now: this.nowIso(), worktreeRoot: this.options.worktreeRoot });
    if (rebuilt) this.note(`Rebuilt the record of phase ${this.phase.number} from its branches and status files.`);
    return rebuilt;
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
    const planned = this.planned(action.module);
    const choice = moduleLaunchChoice(planned, this.runAgent);
    if ('error' in choice) throw new Error(choice.error);
    for (const file of this.options.copyFiles) {
      await this.ports.files.copyIfMissing(`${this.ports.repo.root}/${file}`, `${m.worktree}/${file}`);
    }
    const git = await this.ports.repo.agentGitContext(m.worktree);
    const launchId = `${this.run.runId}-${m.id}-${action.attempt}-${this.ports.newRunId()}`;
    const token = this.ports.secrets.newToken();
    const env = { ...choice.env, ...agentLaunchEnv({ run: this.run, module: forAgent(m, choice.agent, this.run.agent), attempt: action.attempt, paths: this.paths, hookPath: this.options.hookPath, git, launchId, token }) };
    const cwd = await contextFolder(this.ports.files, m.worktree, choice.contextPath);
    if (this.options.setupCommand && action.attempt === 1) {
      const setup = await this.ports.setup.run(this.options.setupCommand, m.worktree, env, this.paths.logFile(m.id));
      if (setup.code !== 0) throw new Error(`the setup command exited with ${setup.code ?? 'a signal'}`);
    }
    const prompt = buildPrompt({
      plan: this.plan,
      phase: this.phase,
      module: planned,
      worktree: m.worktree,
      attempt: action.attempt,
      previousSummary: action.previousSummary,
      template: this.options.promptTemplate,
      fixFindings: m.fixFindings ?? null,
      integrationBranch: m.fixFindings ? integrationBranch(this.phase.slug) : null,
      discoveries: this.discoveries.recorder.all,
      discoveriesFile: this.discoveries.label,
    });
    for (const w of prompt.warnings) this.note(`prompt template: ${w}`);
    await this.ports.files.write(this.paths.promptFile(m.id), prompt.text);
    // Agents may append to their status file themselves: its folder must be there before they start.
    await this.ports.files.ensureDir(this.paths.phaseStatusDir);
    if (choice.nativeHook === 'claude') await installClaudeHook(this.ports, m, choice.contextPath, (t) => this.note(t));

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

  /** Seed 003's false completion: "complete" needs commits beyond the base or the expected files. */
  private async verify(id: string): Promise<void> {
    if (this.verifying.has(id)) return;
    this.verifying.add(id);
    try {
      const m = this.record(id);
      const [ahead, checkedOut] = await Promise.all([
        m.baseCommit ? this.ports.repo.commitsAhead(m.branch, m.baseCommit).catch(() => 0) : 0,
        this.ports.worktrees.checkedOut(m.worktree).catch(() => null),
      ]);
      const expected = this.planned(id).expectedFiles.map((f) => f.value);
      const present = await Promise.all(expected.map((f) => this.ports.files.exists(`${m.worktree}/${f}`)));
      const proof = ahead > 0 || (expected.length > 0 && present.every(Boolean));
      let detail = 'no commits beyond its base';
      if (!proof && (await this.ports.worktrees.isDirty(m.worktree).catch(() => false))) detail += ' (its changes are not committed)';
      const offBranch = await this.offBranch(m, checkedOut);
      // A worktree on its branch has the branch's tip as its HEAD: no need to ask again.
      const head = checkedOut?.branch === m.branch ? checkedOut.head : await this.ports.repo.resolve(m.branch).catch(() => null);
      await this.apply({ type: 'verified', module: id, proof, detail, offBranch, head, at: this.nowIso() });
      await this.checkOutsideWrites(id);
    } finally {
      this.verifying.delete(id);
      this.signal();
    }
  }

  /**
   * Work the merge would never see: the worktree left its module branch (a detached HEAD, another
   * branch) with commits that are not on the module branch. Null when all is on the branch.
   */
  private async offBranch(m: ModuleRecord, entry: { head: string | null; branch: string | null } | null): Promise<string | null> {
    if (!entry || entry.branch === m.branch || entry.head === null) return null;
    const stray = await this.ports.repo.commitsAhead(entry.head, m.branch).catch(() => 0);
    if (stray === 0) return null;
    const where = entry.branch ? `on branch ${entry.branch}` : 'on a detached HEAD';
    return `its worktree is ${where} with ${stray} commit(s) not on ${m.branch}; the merge takes only ${m.branch}: put them there (git checkout -B ${m.branch}) and retry`;
  }

  /** An agent that wrote into the user's checkout instead of its worktree (seen when it finishes). */
  private async checkOutsideWrites(id: string): Promise<void> {
    const now = await this.freshChanges().catch(() => []);
    const added = now.filter((f) => !this.checkoutBaseline.has(f));
    if (added.length === 0) return;
    for (const f of added) this.checkoutBaseline.add(f);
    const text = `files appeared in your checkout, outside any worktree, while it ran: ${added.slice(0, 5).join(', ')}${added.length > 5 ? ', …' : ''}`;
    this.note(`${id}: ${text}`);
    await this.apply({ type: 'annotated', module: id, text, at: this.nowIso() });
  }

  private async apply(event: RunEvent): Promise<void> {
    const { run, transition } = applyEvent(this.run, event);
    if (run === this.run) return;
    this.run = run;
    if (transition) this.listener.transition?.(transition, run);
    const m = this.record(event.module);
    if (m.reportedComplete && !this.verifying.has(m.id)) void this.verify(m.id);
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
    await this.reportLateCommits();
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

  /** Commits that landed on a module branch after it was verified are in no verified result: say so. */
  private async reportLateCommits(): Promise<void> {
    const verified = this.run.modules.filter((m) => m.state === 'complete' && m.verifiedHead);
    if (verified.length === 0) return;
    // One read of every tip; only a branch that moved is counted (a missing one has nothing late).
    const tips = await this.ports.repo.branchTips(verified.map((m) => m.branch)).catch(() => null);
    for (const m of verified) {
      if (tips && tips.get(m.branch) === m.verifiedHead) continue;
      const late = await this.ports.repo.commitsAhead(m.branch, m.verifiedHead!).catch(() => 0);
      if (late === 0) continue;
      const text = `${late} commit(s) landed on ${m.branch} after the module was verified (at ${m.verifiedHead!.slice(0, 8)}); review them before merging`;
      this.note(`${m.id}: ${text}.`);
      await this.apply({ type: 'annotated', module: m.id, text, at: this.nowIso() });
    }
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
