// The thin runner of a plan run: asks nextPlanStep() what to do, does it through the ports, records
// each phase's progress, and after every Merge & Validate asks afterMerge() whether the phase is done,
// goes back to its modules for a fix round, or failed.
import type { Plan, PlannedPhase } from '../model';
import { DONE_STATES, type FixFinding, type PhaseProgress, type PhaseRun, type PhaseState, type RunStateFile } from '../run/model';
import { applyEvent } from '../run/events';
import { afterMerge } from './fixRound';
import { nextPlanStep, phaseState, phasesInRange, type PlanRange, type StartFrom } from './planStep';
import type { PhaseConductHandle, PlanPorts } from './planPorts';
import { resolveStartPoint } from './startPoint';

export interface PlanRunOptions {
  range: PlanRange;
  fixRounds: number;
  /** Retries of a failed attempt, within a fix round as within the first run. */
  retries: number;
  approved: ReadonlySet<number>;
  keepWorktrees: boolean;
  into: string | null;
}

export interface PlanRunListener {
  note?(text: string): void;
  phase?(phase: PlannedPhase, state: PhaseState): void;
}

export type PlanRunResult =
  | { outcome: 'done'; phases: number[]; into: string | null }
  | { outcome: 'failed' | 'gated'; phase: number; reason: string; unowned: FixFinding[] }
  | { outcome: 'stopped'; phase: number | null };

export class PlanRunner {
  private stopping = false;
  private current: PhaseConductHandle | null = null;

  constructor(
    private readonly plan: Plan,
    private readonly ports: PlanPorts,
    private readonly options: PlanRunOptions,
    private readonly listener: PlanRunListener = {},
  ) {}

  async stop(): Promise<void> {
    this.stopping = true;
    await this.current?.stop();
  }

  async run(): Promise<PlanRunResult> {
    await this.retryFailed();
    for (;;) {
      if (this.stopping) return { outcome: 'stopped', phase: null };
      const state = await this.ports.readState();
      const step = nextPlanStep(this.plan, state, { range: this.options.range, approved: this.options.approved });
      if (step.type === 'finished') return this.finish(step.last);
      if (step.type === 'stop') {
        const run = state.phases[step.phase.slug];
        if (run && step.exit === 'gated') await this.setProgress(run, { state: 'gated', reason: step.reason });
        this.note(step.reason);
        return { outcome: step.exit, phase: step.phase.number, reason: step.reason, unowned: run?.progress?.unowned ?? [] };
      }
      const run = state.phases[step.phase.slug];
      if (step.type === 'conduct') {
        const stopped = await this.conduct(step.phase, run, step.startFrom, builtOn(state, step.startFrom));
        if (stopped) return { outcome: 'stopped', phase: step.phase.number };
      } else {
        await this.mergeAndJudge(step.phase, run!);
      }
    }
  }

  /** A phase that failed in an earlier invocation gets another go, with a fresh budget of fix rounds. */
  private async retryFailed(): Promise<void> {
    const state = await this.ports.readState();
    for (const phase of phasesInRange(this.plan, this.options.range)) {
      const run = state.phases[phase.slug];
      if (!run || phaseState(run) !== 'failed') continue;
      this.note(`Phase ${phase.number} failed before (${run.progress?.reason ?? run.haltReason ?? 'see its report'}); trying again.`);
      await this.setProgress(run, { state: 'conducting', fixRound: 0, signature: null, reason: null });
      return;
    }
  }

  /** True when the run was stopped. */
  private async conduct(phase: PlannedPhase, existing: PhaseRun | undefined, from: StartFrom, on: Record<string, string>): Promise<boolean> {
    const startFrom = existing ? null : await this.startCommit(phase, from);
    if (existing && existing.progress?.state !== 'fixing') await this.setProgress(existing, { state: 'conducting' });
    this.listener.phase?.(phase, existing?.progress?.state === 'fixing' ? 'fixing' : 'conducting');
    this.current = this.ports.conduct(phase, { startFrom, approve: this.options.approved.has(phase.number) });
    let run: PhaseRun;
    try {
      run = await this.current.result;
    } finally {
      this.current = null;
    }
    if (this.stopping) return true;
    const fresh = (await this.ports.readState()).phases[phase.slug] ?? run;
    const progress: Partial<PhaseProgress> = {
      ...(existing ? {} : { startedFrom: fresh.baseCommit }),
      // Also when resumed after a crash before it was recorded: its dependencies were done and unchanged to get here.
      ...(existing?.progress?.builtOn ? {} : { builtOn: on }),
    };
    const unfinished = fresh.modules.filter((m) => !DONE_STATES.has(m.state));
    if (unfinished.length > 0) {
      const reason = `${unfinished.map((m) => `${m.id} is ${m.state}${m.lastSummary ? ` (${firstLine(m.lastSummary)})` : ''}`).join('; ')}${fresh.haltReason ? `; halted: ${fresh.haltReason}` : ''}`;
      await this.setProgress(fresh, { ...progress, state: 'failed', reason: `not every module completed: ${reason}` });
      return false;
    }
    await this.setProgress(fresh, { ...progress, state: 'merging' });
    return false;
  }

  /** Where a new phase starts: HEAD, or its dependencies' checkpoints (merged when they diverge). */
  private async startCommit(phase: PlannedPhase, from: StartFrom): Promise<string | null> {
    const point = await resolveStartPoint(this.plan, phase, from, this.ports);
    if ('commit' in point) return point.commit;
    if ('missing' in point) {
      throw new Error(`phase ${phase.number} depends on phase(s) ${point.missing.join(', ')}, recorded as done but without a checkpoint (refs/conductor/checkpoints/phase-<N>); roll back (conductor rollback ${point.missing[0]}) and run again`);
    }
    throw new Error(`the results of the phases phase ${phase.number} depends on conflict (${point.conflicts.join(', ')}); it cannot start from them`);
  }

  private async mergeAndJudge(phase: PlannedPhase, run: PhaseRun): Promise<void> {
    await this.setProgress(run, { state: 'merging' });
    this.listener.phase?.(phase, 'merging');
    const outcome = await this.ports.merge(phase, run, () => {
      this.listener.phase?.(phase, 'validating');
      void this.setProgress(run, { state: 'validating' }).catch(() => undefined);
    });
    const fresh = (await this.ports.readState()).phases[phase.slug] ?? run;
    const round = fresh.progress?.fixRound ?? 0;
    const decision = afterMerge({ run: fresh, outcome, fixRounds: this.options.fixRounds, round, previousSignature: fresh.progress?.signature ?? null });
    if (decision.type === 'done') {
      const checkpoint = await this.ports.writeCheckpoint(phase, fresh, outcome.integrationCommit);
      const done = await this.setProgress(fresh, { state: 'done', integrationCommit: outcome.integrationCommit, checkpoint, reason: null, unowned: [] });
      this.note(`Phase ${phase.number} done: ${checkpoint} at ${outcome.integrationCommit.slice(0, 8)}.`);
      this.listener.phase?.(phase, 'done');
      if (!this.options.keepWorktrees) {
        for (const kept of await this.ports.removeWorktrees(done)) this.note(kept);
      }
      return;
    }
    if (decision.type === 'failed') {
      await this.setProgress(fresh, { state: 'failed', integrationCommit: outcome.integrationCommit, reason: decision.reason, unowned: decision.unowned });
      this.listener.phase?.(phase, 'failed');
      return;
    }
    // A fix round: each module with findings gets an attempt whose prompt carries them.
    let next = fresh;
    for (const a of decision.assignments) {
      next = applyEvent(next, { type: 'fix', module: a.module, findings: a.findings, retries: this.options.retries, at: this.ports.now() }).run;
    }
    await this.setProgress(next, { state: 'fixing', fixRound: decision.round, integrationCommit: outcome.integrationCommit, signature: decision.signature, unowned: decision.unowned });
    for (const a of decision.assignments.filter((x) => x.conflict)) {
      this.note(await this.ports.prepareConflictFix(next, a.module, outcome.integrationCommit));
    }
    this.note(`Phase ${phase.number}: fix round ${decision.round} of ${this.options.fixRounds} — ${decision.assignments.map((a) => `${a.module} (${a.findings.length} finding(s))`).join(', ')}.`);
    this.listener.phase?.(phase, 'fixing');
  }

  private async finish(last: PlannedPhase | null): Promise<PlanRunResult> {
    const phases = phasesInRange(this.plan, this.options.range).map((p) => p.number);
    let into: string | null = null;
    if (this.options.into && last) {
      const commit = await this.ports.checkpointCommit(last);
      if (commit) into = await this.ports.bringInto(this.options.into, commit);
    }
    return { outcome: 'done', phases, into };
  }

  private async setProgress(run: PhaseRun, change: Partial<PhaseProgress>): Promise<PhaseRun> {
    const before: PhaseProgress = run.progress ?? {
      state: 'pending',
      fixRound: 0,
      startedFrom: run.baseCommit,
      integrationCommit: null,
      checkpoint: null,
      reason: null,
      unowned: [],
      signature: null,
      updatedAt: this.ports.now(),
    };
    const next: PhaseRun = { ...run, progress: { ...before, ...change, updatedAt: this.ports.now() } };
    await this.ports.savePhase(next);
    return next;
  }

  private note(text: string): void {
    this.listener.note?.(text);
  }
}

/** The integration commits of the phases a new phase starts from, by phase number. */
function builtOn(state: RunStateFile, from: StartFrom): Record<string, string> {
  if (from.kind === 'head') return {};
  const out: Record<string, string> = {};
  for (const p of from.phases) {
    const commit = state.phases[p.slug]?.progress?.integrationCommit;
    if (commit) out[String(p.number)] = commit;
  }
  return out;
}

function firstLine(text: string): string {
  return text.split('\n')[0].slice(0, 200);
}
