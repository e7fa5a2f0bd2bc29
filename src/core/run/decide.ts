// The pure planner of a phase run: given the records, what to do next. The runner carries the
// actions out and feeds what happened back as events.
import type { ModuleRecord, PhaseRun } from './model';
import { DONE_STATES, FINAL_STATES, LIVE_STATES } from './model';

export interface DecideOptions {
  /** Restart modules left `interrupted` (the CLI resuming after a crash); the extension asks first. */
  restartInterrupted: boolean;
  /** Only these modules may start (`--tags`); the others are left as they are. Absent: all. */
  only?: ReadonlySet<string> | null;
  /**
   * How many modules may have their worktree made ahead of their start, while agents run, so a
   * freed slot starts its next agent at once. 0 or absent: none.
   */
  prepareAhead?: number;
  /** Modules whose worktree is made or being made ahead (not counted again). */
  prepared?: ReadonlySet<string>;
}

export type Action =
  | {
      type: 'start';
      module: string;
      attempt: number;
      /** Branches of same-phase dependencies whose work the module starts from. */
      fromBranches: string[];
      previousSummary: string | null;
    }
  /** Make the worktree of a module that will start from the phase's base once a slot frees. */
  | { type: 'prepare'; module: string }
  | { type: 'block'; module: string; by: string[]; why?: string }
  | { type: 'halt'; reason: string };

export interface Decision {
  actions: Action[];
  /** Nothing is running and nothing more will start. */
  done: boolean;
}

/** A failed module that has used up its attempts. */
export function finallyFailed(m: ModuleRecord): boolean {
  return m.state === 'failed' && m.attempts >= m.attemptLimit;
}

/** Final from the phase's point of view: nothing more will happen to it in this run. */
export function settled(m: ModuleRecord, run: PhaseRun, options: DecideOptions): boolean {
  if (m.state === 'failed') return finallyFailed(m) || run.state === 'halted';
  if (m.state === 'interrupted') return !options.restartInterrupted || run.state === 'halted';
  if (m.state === 'pending') return run.state === 'halted';
  // Paused until a known reset time: the run waits for it. Paused with no reset time: resumed by hand.
  if (m.state === 'paused') return !m.resumeAt || run.state === 'halted';
  return FINAL_STATES.has(m.state);
}

export function decide(run: PhaseRun, options: DecideOptions): Decision {
  const byId = new Map(run.modules.map((m) => [m.id, m]));
  const actions: Action[] = [];
  const left = (m: ModuleRecord): boolean => Boolean(options.only) && !options.only!.has(m.id);

  // Dependents of a module that failed for good can never start.
  const blockedNow = new Set<string>();
  let changed = true;
  while (changed) {
    changed = false;
    for (const m of run.modules) {
      if ((m.state !== 'pending' && m.state !== 'interrupted') || blockedNow.has(m.id) || left(m)) continue;
      const by = m.dependsOn.filter((d) => {
        const dep = byId.get(d);
        return dep && (dep.state === 'blocked' || blockedNow.has(d) || finallyFailed(dep));
      });
      if (by.length > 0) {
        blockedNow.add(m.id);
        actions.push({ type: 'block', module: m.id, by });
        changed = true;
      }
    }
  }

  const halt = run.state === 'halted' ? run.haltReason : failureThreshold(run);
  if (halt && run.state !== 'halted') actions.push({ type: 'halt', reason: halt });

  let live = run.modules.filter((m) => LIVE_STATES.has(m.state)).length;
  // A usage limit hit one agent: the others would hit it too, so nothing new starts until it resets.
  const paused = run.modules.some((m) => m.state === 'paused');
  // Start order: earlier waves first (also the order worktrees are made ahead in).
  const candidates = [...run.modules].sort((a, b) => a.wave - b.wave);
  if (!halt && !paused) {
    for (const m of candidates) {
      if (live >= run.maxParallel) break;
      if (blockedNow.has(m.id) || left(m) || !startable(m, options)) continue;
      if (!m.dependsOn.every((d) => DONE_STATES.has(byId.get(d)?.state ?? 'complete'))) continue;
      actions.push({
        type: 'start',
        module: m.id,
        attempt: m.attempts + 1,
        fromBranches: m.dependsOn.map((d) => byId.get(d)?.branch).filter((b): b is string => Boolean(b)),
        previousSummary: m.attempts > 0 ? m.lastSummary : null,
      });
      live++;
    }
  }

  const starting = new Set(actions.filter((a) => a.type === 'start').map((a) => a.module));
  if (!halt && !paused) actions.push(...prepareActions(candidates, options, starting, (m) => blockedNow.has(m.id) || left(m)));
  const haltedRun: PhaseRun = halt ? { ...run, state: 'halted' } : run;
  const done =
    starting.size === 0 &&
    run.modules.every((m) => blockedNow.has(m.id) || ((left(m) || settled(m, haltedRun, options)) && !LIVE_STATES.has(m.state)));
  return { actions, done };
}

/**
 * Modules blocked behind `id`: its blocked dependents, and theirs. When `id` gets another attempt
 * they may run after all; decide() blocks them again if it fails for good (or something else still
 * blocks them).
 */
export function blockedBehind(run: PhaseRun, id: string): string[] {
  const behind = new Set([id]);
  const out: string[] = [];
  let changed = true;
  while (changed) {
    changed = false;
    for (const m of run.modules) {
      if (m.state !== 'blocked' || behind.has(m.id) || !m.dependsOn.some((d) => behind.has(d))) continue;
      behind.add(m.id);
      out.push(m.id);
      changed = true;
    }
  }
  return out;
}

/**
 * The next modules to start from the phase's base (pending, no dependency in the phase), in start
 * order, up to `prepareAhead` made ahead and not yet started. Those with dependencies wait: their
 * start point is their dependencies' work, known only when it is done.
 */
function prepareActions(candidates: readonly ModuleRecord[], options: DecideOptions, starting: ReadonlySet<string>, excluded: (m: ModuleRecord) => boolean): Action[] {
  const ahead = options.prepareAhead ?? 0;
  if (ahead <= 0) return [];
  const prepared = options.prepared ?? new Set<string>();
  const waiting = (m: ModuleRecord): boolean => m.state === 'pending' && m.attempts === 0 && !starting.has(m.id);
  let room = ahead - candidates.filter((m) => waiting(m) && prepared.has(m.id)).length;
  const out: Action[] = [];
  for (const m of candidates) {
    if (room <= 0) break;
    if (!waiting(m) || prepared.has(m.id) || m.dependsOn.length > 0 || excluded(m)) continue;
    out.push({ type: 'prepare', module: m.id });
    room--;
  }
  return out;
}

function startable(m: ModuleRecord, options: DecideOptions): boolean {
  if (m.state === 'pending') return true;
  if (m.state === 'failed') return m.attempts < m.attemptLimit;
  if (m.state === 'interrupted') return options.restartInterrupted;
  return false;
}

/** Seed 004's failure threshold: when more than half of a wave has failed for good, start nothing new. */
function failureThreshold(run: PhaseRun): string | null {
  const waves = new Map<number, ModuleRecord[]>();
  for (const m of run.modules) waves.set(m.wave, [...(waves.get(m.wave) ?? []), m]);
  for (const [wave, members] of [...waves].sort((a, b) => a[0] - b[0])) {
    const failed = members.filter((m) => finallyFailed(m));
    if (failed.length * 2 > members.length) {
      return `more than half of wave ${wave} failed (${failed.map((m) => m.id).join(', ')}): no new agents are started`;
    }
  }
  return null;
}
