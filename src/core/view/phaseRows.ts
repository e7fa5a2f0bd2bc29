// The plan and the run state side by side, one row per phase and module: what every view shows.
// A phase never conducted comes from the plan (its modules pending); a conducted phase from its run,
// plus modules the plan gained since; phases and modules the plan lost stay visible, marked.
import type { Plan, PlannedModule, PlannedPhase } from '../model';
import type { ModuleRecord, ModuleState, PhaseRun, RunStateFile } from '../run/model';
import { DONE_STATES, LIVE_STATES } from '../run/model';
import { staleOn } from '../planRun/planStep';

export interface ModuleRow {
  id: string;
  state: ModuleState;
  wave: number;
  /** null: never conducted. */
  record: ModuleRecord | null;
  /** null: not in the plan (or no plan yet). */
  planned: PlannedModule | null;
  /** The plan is known and no longer names this module. */
  notInPlan: boolean;
}

export interface ModuleCounts {
  total: number;
  /** complete + complete-unverified */
  done: number;
  unverified: number;
  running: number;
  waiting: number;
  failed: number;
  blocked: number;
  interrupted: number;
  pending: number;
}

export type PhaseStatus =
  | 'not-started'
  | 'running'
  | 'needs-input'
  | 'complete'
  | 'complete-unverified'
  | 'failed'
  | 'halted'
  | 'interrupted';

export interface PhaseRow {
  number: number;
  name: string;
  slug: string;
  planned: PlannedPhase | null;
  run: PhaseRun | null;
  modules: ModuleRow[];
  counts: ModuleCounts;
  /** Conducted by this window, or by another process with agents still live. */
  running: boolean;
  /** `Gate: manual` and not approved yet. */
  gated: boolean;
  /** Done, but built on a result of a phase it depends on that has changed since: why, else null. */
  stale: string | null;
  status: PhaseStatus;
  notInPlan: boolean;
}

export function phaseRows(plan: Plan | null, state: RunStateFile, active: ReadonlySet<string>): PhaseRow[] {
  const rows: PhaseRow[] = [];
  const planned = new Set<string>();
  for (const phase of plan?.phases ?? []) {
    planned.add(phase.slug);
    const run = state.phases[phase.slug] ?? null;
    const stale = plan && run?.progress?.state === 'done' ? staleOn(plan, state, phase, run) : null;
    rows.push(row(phase, run, active, false, stale));
  }
  // Without a plan file (missing, or not read yet) nothing can be said to have left the plan.
  const planKnown = plan !== null && plan.kind !== 'none';
  for (const run of Object.values(state.phases)) {
    if (!planned.has(run.slug)) rows.push(row(null, run, active, planKnown));
  }
  // Stable order: by number, the plan's phase before a lost one with the same number.
  return rows.sort((a, b) => a.number - b.number || Number(a.notInPlan) - Number(b.notInPlan) || (a.slug < b.slug ? -1 : 1));
}

/** Whether anything is running, so views with durations keep ticking. */
export function anyRunning(state: RunStateFile, active: ReadonlySet<string>): boolean {
  if (active.size > 0) return true;
  return Object.values(state.phases).some((run) => run.state === 'running' && run.modules.some((m) => LIVE_STATES.has(m.state)));
}

export function countModules(modules: readonly { state: ModuleState }[]): ModuleCounts {
  const c: ModuleCounts = { total: 0, done: 0, unverified: 0, running: 0, waiting: 0, failed: 0, blocked: 0, interrupted: 0, pending: 0 };
  for (const m of modules) {
    c.total++;
    if (DONE_STATES.has(m.state)) c.done++;
    switch (m.state) {
      case 'complete-unverified':
        c.unverified++;
        break;
      case 'running':
        c.running++;
        break;
      case 'needs-input':
        c.waiting++;
        break;
      case 'failed':
        c.failed++;
        break;
      case 'blocked':
        c.blocked++;
        break;
      case 'interrupted':
      case 'paused':
        c.interrupted++;
        break;
      case 'pending':
        c.pending++;
        break;
      case 'complete':
        break;
    }
  }
  return c;
}

function row(phase: PlannedPhase | null, run: PhaseRun | null, active: ReadonlySet<string>, notInPlan: boolean, stale: string | null = null): PhaseRow {
  const slug = phase?.slug ?? run!.slug;
  const modules = moduleRows(phase, run);
  const counts = countModules(modules);
  const running = active.has(slug) || (run?.state === 'running' && counts.running + counts.waiting > 0);
  return {
    number: phase?.number ?? run!.number,
    name: phase?.name ?? run!.name,
    slug,
    planned: phase,
    run,
    modules,
    counts,
    running,
    gated: phase?.gate === 'manual' && !run?.approvedAt,
    stale,
    status: phaseStatus(run, counts, running),
    notInPlan,
  };
}

function moduleRows(phase: PlannedPhase | null, run: PhaseRun | null): ModuleRow[] {
  const plannedById = new Map((phase?.modules ?? []).map((m) => [m.id, m]));
  const waveOf = new Map<string, number>();
  phase?.waves.forEach((wave, i) => wave.forEach((id) => waveOf.set(id, i + 1)));
  const rows: ModuleRow[] = (run?.modules ?? []).map((record) => ({
    id: record.id,
    state: record.state,
    wave: record.wave,
    record,
    planned: plannedById.get(record.id) ?? null,
    notInPlan: phase !== null && !plannedById.has(record.id),
  }));
  const seen = new Set(rows.map((r) => r.id));
  for (const m of phase?.modules ?? []) {
    if (seen.has(m.id)) continue;
    rows.push({ id: m.id, state: 'pending', wave: waveOf.get(m.id) ?? 1, record: null, planned: m, notInPlan: false });
  }
  return rows;
}

function phaseStatus(run: PhaseRun | null, c: ModuleCounts, running: boolean): PhaseStatus {
  if (running) return c.waiting > 0 ? 'needs-input' : 'running';
  if (!run) return 'not-started';
  if (c.failed > 0) return 'failed';
  if (c.total > 0 && c.done === c.total) return c.unverified > 0 ? 'complete-unverified' : 'complete';
  if (run.state === 'halted') return 'halted';
  return 'interrupted';
}
