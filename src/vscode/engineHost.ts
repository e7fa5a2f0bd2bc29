// The engine for one workspace folder inside VS Code: phases conducted in this window (agents in
// terminals), Merge & Validate and conflict prediction. Created lazily, and only in a trusted
// workspace: it is the only part of the extension that starts processes.
import { existsSync, realpathSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
// The engine's modules load on first use (esbuild evaluates dynamically imported modules lazily),
// so activation pays nothing for git, watching, merging or prompts.
import { discoveriesFileFor } from '../core/discoveries/discovery';
import { predictionInputs } from '../core/merge/predictInput';
import type { ConflictResolutionPort } from '../core/merge/resolution';
import type { PlannedPhase, Plan } from '../core/model';
import type { PhaseConductor } from '../core/run/phaseConductor';
import type { PhaseRun } from '../core/run/model';
import type { PlanRange } from '../core/planRun/planStep';
import type { PlanRunner, PlanRunResult } from '../core/planRun/planRunner';
import type { RollbackPlan } from '../core/planRun/rollbackPlan';
import type { Engine } from '../infra/engine';
import type { MergeTree } from '../infra/git/mergeTree';
import type { MergeResult } from '../infra/merge/phaseMerge';
import type { Predictor } from '../infra/git/predictor';
import type { RollbackResult } from '../infra/planRun/rollback';
import type { ConductorState } from './conductorState';
import type { Log } from './log';
import { agentSpec, readSettings, type Settings } from './settings';
import { TerminalAgentPort } from './terminalAgentPort';

export interface ConductRequest {
  plan: Plan;
  phase: PlannedPhase;
  approve: boolean;
  restartInterrupted: boolean;
}

export class EngineHost implements vscode.Disposable {
  private engine: Promise<Engine> | null = null;
  private readonly conductors = new Map<string, PhaseConductor>();
  readonly terminals: TerminalAgentPort;
  private predictor: Predictor | null = null;
  private planRunner: PlanRunner | null = null;
  private readonly merged = new vscode.EventEmitter<{ repoRoot: string; result: MergeResult }>();
  /** A merge ended: Merge & Validate's, or one of Conduct Plan's (its conflicts and findings go to the Problems panel). */
  readonly onDidMerge = this.merged.event;

  constructor(
    readonly folder: vscode.WorkspaceFolder,
    private readonly view: ConductorState,
    private readonly log: Log,
    private readonly extensionPath: string,
  ) {
    this.terminals = new TerminalAgentPort({
      opened: (key) => view.setTerminal(key, true),
      closed: (key) => view.setTerminal(key, false),
    });
  }

  /** Opening the repository runs git: callers check Workspace Trust first. */
  repository(): Promise<Engine> {
    this.engine ??= import('../infra/engine').then(({ openRepository }) => openRepository(this.folder.uri.fsPath)).catch((e: unknown) => {
      this.engine = null;
      throw e;
    });
    return this.engine;
  }

  settings(): Settings {
    return readSettings(this.folder.uri);
  }

  isConducting(slug: string): boolean {
    return this.conductors.has(slug);
  }

  conductor(slug: string): PhaseConductor | undefined {
    return this.conductors.get(slug);
  }

  maxParallel(s: Settings): number {
    return s.maxParallel > 0 ? s.maxParallel : Math.min(8, Math.max(2, os.availableParallelism() * 2));
  }

  /** Runs the phase to its end; progress flows into the view as it happens. */
  async conduct(request: ConductRequest): Promise<PhaseRun> {
    // A new run builds on the checkpoints of the phases it depends on, as in Conduct Plan.
    const engine = await this.repository();
    const known = await engine.state.read().then((st) => st.phases[request.phase.slug], () => undefined);
    const { startCommit } = await import('../infra/planRun/startCommit');
    const start = known ? null : await startCommit(engine, request.plan, request.phase, (w) => {
      this.log.warn(w);
      void vscode.window.showWarningMessage(`Spec Conductor: ${w}`);
    });
    const conductor = await this.createConductor(request, `VS Code (Conduct Phase ${request.phase.number})`, start);
    return this.follow(request.phase, conductor);
  }

  /**
   * Conduct Plan: the phases of `range` in order, each on the checkpoints of the ones before, merged,
   * validated and sent back for fix rounds (the same runner as `conductor run`).
   */
  async conductPlan(plan: Plan, options: { range: PlanRange; approved: ReadonlySet<number>; fixRounds: number }): Promise<PlanRunResult> {
    const [{ PlanRunner }, { planPorts }] = await Promise.all([import('../core/planRun/planRunner'), import('../infra/planRun/planPorts')]);
    const engine = await this.repository();
    const s = this.settings();
    const ports = planPorts(engine, {
      worktreeRoot: await this.worktreeRoot(engine),
      trust: vscode.workspace.isTrusted,
      testCommands: s.testCommands,
      note: (text) => this.log.info(`Plan: ${text}`),
      merged: (slug, result) => this.mergeEnded(engine, slug, result),
      conduct: (phase, o) => {
        const made = this.createConductor({ plan, phase, approve: o.approve, restartInterrupted: true }, `VS Code (Conduct Plan, phase ${phase.number})`, o.startFrom);
        return {
          result: made.then((c) => this.follow(phase, c)),
          stop: async () => (await made).stop(),
        };
      },
    });
    const runner = new PlanRunner(plan, ports, { ...options, retries: s.retries, keepWorktrees: false, into: null }, {
      note: (text) => this.log.info(`Plan: ${text}`),
      phase: (phase, state) => this.log.info(`Plan: phase ${phase.number} (${phase.name}) ${state}`),
    });
    this.planRunner = runner;
    try {
      return await runner.run();
    } finally {
      this.planRunner = null;
    }
  }

  /** `conductor rollback`: the phases' integration branches back to `decided`'s commit, their records dropped. */
  async rollback(decided: RollbackPlan, options: { force: boolean; stamp: string }): Promise<RollbackResult> {
    const { rollback } = await import('../infra/planRun/rollback');
    const engine = await this.repository();
    return rollback(engine, decided, { worktreeRoot: await this.worktreeRoot(engine), ...options });
  }

  isRunningPlan(): boolean {
    return this.planRunner !== null;
  }

  private async follow(phase: PlannedPhase, conductor: PhaseConductor): Promise<PhaseRun> {
    this.conductors.set(phase.slug, conductor);
    this.view.setActive(phase.slug, true);
    try {
      return await conductor.conduct();
    } finally {
      this.conductors.delete(phase.slug);
      this.view.setActive(phase.slug, false);
    }
  }

  private async createConductor(request: ConductRequest, owner: string, startFrom: string | null): Promise<PhaseConductor> {
    const s = this.settings();
    const spec = agentSpec(s);
    if (!spec) throw new Error('No agent command: set "specConductor.customCommand", or choose a preset with "Conductor: Select Agent".');
    const [{ resolveAgent }, { PhaseConductor }, { conductPorts, installHook, preflightConduct }] = await Promise.all([
      import('../core/agents/presets'),
      import('../core/run/phaseConductor'),
      import('../infra/engine'),
    ]);
    const command = resolveAgent(spec, 'interactive');
    if ('error' in command) throw new Error(command.error);
    const engine = await this.repository();
    const { phase, plan } = request;
    for (const warning of await preflightConduct(engine)) {
      this.log.warn(warning);
      void vscode.window.showWarningMessage(`Spec Conductor: ${warning}`);
    }
    const template = s.promptTemplate ? await readText(path.join(engine.repo.root, s.promptTemplate)) : null;
    const worktreeRoot = await this.worktreeRoot(engine);
    // Checks run the plan's commands: only in a trusted workspace (conducting needs one anyway).
    const validateWaves = s.validateWaves && vscode.workspace.isTrusted;
    return new PhaseConductor(
      plan,
      phase,
      conductPorts(engine, this.terminals, validateWaves ? { worktreeRoot, trust: true } : undefined),
      {
        owner,
        agentLabel: spec,
        agentCommand: command,
        nativeHook: spec === 'claude' ? 'claude' : null,
        agentMode: 'interactive',
        // Conducting needs a trusted workspace (commands/conductPhase.ts): the plan's own agent commands may run.
        planCommands: vscode.workspace.isTrusted,
        maxParallel: this.maxParallel(s),
        retries: s.retries,
        approve: request.approve,
        allowDirty: true, // the command asked the user before (see commands/conductPhase.ts)
        worktreeRoot,
        hookPath: await installHook(engine, path.join(this.extensionPath, 'dist', 'hook.js')),
        copyFiles: s.copyFiles,
        setupCommand: s.setupCommand || null,
        promptTemplate: template,
        restartInterrupted: request.restartInterrupted,
        idleFlagMs: s.agentIdleTimeout * 1000,
        idleStopMs: s.agentIdleTimeout * 2000,
        discoveriesFile: this.discoveriesFile(plan),
        startFrom,
        validateWaves: validateWaves ? { fixRounds: s.fixRounds, retries: s.retries } : null,
      },
      {
        transition: (t) => {
          this.log.info(`Phase ${phase.number} · ${t.module}: ${t.from} → ${t.to}${t.summary && t.to !== 'running' ? ` — ${t.summary}` : ''}`);
          if (t.to === 'needs-input') void this.offerTerminal(phase.slug, t.module, t.summary);
        },
        note: (text) => this.log.info(`Phase ${phase.number}: ${text}`),
        changed: (run) => this.view.setPhase(run),
        discovered: (_d, all) => this.view.setDiscoveries(all),
      },
    );
  }

  /** The phases of `slugs` whose integration worktree holds a merge in progress (a resolution begun before a reload). Runs git. */
  async resolutionsInProgress(slugs: readonly string[]): Promise<string[]> {
    const [{ mergeHeadAt }, { integrationWorktree }] = await Promise.all([import('../infra/merge/conflictResolution'), import('../core/merge/planMerge')]);
    const engine = await this.repository();
    const root = await this.worktreeRoot(engine);
    const found = await Promise.all(slugs.map(async (slug) => ((await mergeHeadAt(engine.git, integrationWorktree(root, slug))) ? [slug] : [])));
    return found.flat();
  }

  private async worktreeRoot(engine: Engine): Promise<string> {
    const { defaultWorktreeRoot } = await import('../core/run/createRun');
    const s = this.settings();
    return s.worktreeRoot ? path.resolve(engine.repo.root, s.worktreeRoot) : defaultWorktreeRoot(engine.repo.root);
  }

  /** An agent waits for its user: say so once, with a way to its terminal. */
  private async offerTerminal(slug: string, module: string, summary: string | null): Promise<void> {
    const choice = await vscode.window.showInformationMessage(`Agent ${module} needs your input${summary ? `: ${summary}` : '.'}`, 'Focus Terminal');
    if (choice) this.terminals.terminalFor(`${slug}/${module}`)?.show();
  }

  /** DISCOVERIES.md beside the plan (absolute, from the real path of the folder, as git names the repository). */
  private discoveriesFile(plan: Plan): string {
    const folder = this.folder.uri.fsPath;
    return path.join(existsSync(folder) ? realpathSync(folder) : folder, discoveriesFileFor(plan.spec));
  }

  /** Uncommitted changes in the user's checkout (asked before conducting); DISCOVERIES.md is the engine's own. */
  async changedFiles(): Promise<string[]> {
    const { repo } = await this.repository();
    const plan = this.view.plan;
    const ours = plan && plan.kind !== 'none' ? path.relative(repo.root, this.discoveriesFile(plan)).split(path.sep).join('/') : null;
    return (await repo.changedFiles()).filter((f) => f !== ours);
  }

  async merge(phase: PlannedPhase, run: PhaseRun, into: string | null): Promise<MergeResult> {
    const [{ mergePhase, previousIntegration, writeMergeResult }, { PhaseLocks, withPhaseLock }] = await Promise.all([import('../infra/merge/phaseMerge'), import('../infra/state/phaseLock')]);
    const engine = await this.repository();
    const s = this.settings();
    const deps = { git: engine.git, repo: engine.repo, worktrees: engine.worktrees, mergeTree: await this.mergeTree(engine), conductorDir: engine.conductorDir };
    const worktreeRoot = await this.worktreeRoot(engine);
    const result = await withPhaseLock(new PhaseLocks(engine.conductorDir), phase, `VS Code (Merge & Validate Phase ${phase.number})`, async () =>
      mergePhase(phase, run, deps, {
        worktreeRoot,
        trust: vscode.workspace.isTrusted,
        commands: s.testCommands.length > 0 ? s.testCommands : phase.testCommands.map((c) => c.value),
        into,
        startFrom: this.view.plan ? await previousIntegration(engine.repo, this.view.plan, phase, run.baseCommit) : null,
        note: (text) => this.log.info(`Merge phase ${phase.number}: ${text}`),
      }),
    );
    await writeMergeResult(engine.conductorDir, run.slug, result);
    if (result.ok) {
      const { recordPhaseDone } = await import('../infra/planRun/planPorts');
      this.log.info(`Phase ${phase.number} done: ${await recordPhaseDone(engine, phase, run, result.integrationCommit)}.`);
    }
    this.mergeEnded(engine, run.slug, result);
    return result;
  }

  /** Every merge, Merge & Validate's or Conduct Plan's, reaches the views and the Problems panel. */
  private mergeEnded(engine: Engine, slug: string, result: MergeResult): void {
    this.view.setMerge(slug, result);
    this.merged.fire({ repoRoot: engine.repo.root, result });
  }

  /** Runs `work` on the phase's conflict resolution (Resolve in Merge Editor), holding the phase's lock as Merge & Validate does. */
  async withResolution<T>(phase: PlannedPhase, run: PhaseRun, what: string, work: (port: ConflictResolutionPort) => Promise<T>): Promise<T> {
    const [{ GitConflictResolution }, { PhaseLocks, withPhaseLock }] = await Promise.all([import('../infra/merge/conflictResolution'), import('../infra/state/phaseLock')]);
    const engine = await this.repository();
    const port = new GitConflictResolution(engine, phase, run, await this.worktreeRoot(engine));
    return withPhaseLock(new PhaseLocks(engine.conductorDir), phase, `VS Code (${what}, phase ${phase.number})`, () => work(port));
  }

  async predict(phase: PlannedPhase, run: PhaseRun): Promise<Awaited<ReturnType<Predictor['predict']>>> {
    const engine = await this.repository();
    if (!this.predictor) {
      const { Predictor } = await import('../infra/git/predictor');
      this.predictor = new Predictor(engine.repo.root, engine.git, await this.mergeTree(engine));
    }
    const modules = predictionInputs(phase, run);
    return this.predictor.predict(modules);
  }

  private mergeTreeInstance: MergeTree | null = null;

  private async mergeTree(engine: Engine): Promise<MergeTree> {
    if (!this.mergeTreeInstance) {
      const { MergeTree } = await import('../infra/git/mergeTree');
      this.mergeTreeInstance = new MergeTree(engine.repo.root, engine.git, { onSlowFallback: (msg) => this.log.warn(msg) });
    }
    return this.mergeTreeInstance;
  }

  async stopAll(): Promise<void> {
    await Promise.all([this.planRunner?.stop(), ...[...this.conductors.values()].map((c) => c.stop())]);
  }

  dispose(): void {
    void this.stopAll();
    this.terminals.dispose();
    this.merged.dispose();
  }
}

async function readText(file: string): Promise<string | null> {
  try {
    return new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.file(file)));
  } catch {
    return null;
  }
}
