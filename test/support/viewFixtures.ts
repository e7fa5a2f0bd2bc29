// A two-phase plan and helpers to drive its runs through real events, for the view-model tests.
import { SpecWorkspace } from '../../src/core/specWorkspace';
import type { Plan } from '../../src/core/model';
import { createPhaseRun } from '../../src/core/run/createRun';
import { applyEvent, type RunEvent } from '../../src/core/run/events';
import { emptyState, type PhaseRun, type RunStateFile } from '../../src/core/run/model';
import { contractFor, readyMd } from './specBuilder';

export const T0 = Date.parse('2026-01-01T00:00:00.000Z');
/** The ISO time `seconds` after T0. */
export const at = (seconds: number): string => new Date(T0 + seconds * 1000).toISOString();

export const STOREFRONT = 'phase-2-storefront';
export const FOUNDATION = 'phase-1-foundation';

/** Phase 1: one implicit module; Phase 2 (Gate: manual): catalog, search | cart | checkout. */
export function shopPlan(options: { storefrontModules?: string[]; storefrontName?: string } = {}): Plan {
  const modules = options.storefrontModules ?? ['catalog', 'search', 'cart', 'checkout'];
  const ws = new SpecWorkspace();
  ws.setSpec(
    'READY.md',
    readyMd([
      { number: 1, name: 'Foundation' },
      { number: 2, name: options.storefrontName ?? 'Storefront', modules, extra: ['**Gate:** manual'] },
    ]),
  );
  const deps: Record<string, string[]> = { cart: ['catalog'], checkout: ['cart', 'search'] };
  for (const m of modules) ws.setContract(`contracts/${m}.md`, contractFor(m, (deps[m] ?? []).filter((d) => modules.includes(d)), { phase: 2 }));
  return ws.plan();
}

export function runOf(plan: Plan, number: number, options: { approved?: boolean; startedAt?: string } = {}): PhaseRun {
  const phase = plan.phases.find((p) => p.number === number)!;
  const run = createPhaseRun(phase, {
    runId: 'r1',
    baseCommit: 'base',
    now: options.startedAt ?? at(0),
    worktreeRoot: '/repo.worktrees',
    agent: 'claude',
    maxParallel: 4,
    retries: 1,
  });
  return options.approved ? { ...run, approvedAt: at(0) } : run;
}

export function apply(run: PhaseRun, ...events: RunEvent[]): PhaseRun {
  return events.reduce((r, e) => applyEvent(r, e).run, run);
}

export function stateOf(...runs: PhaseRun[]): RunStateFile {
  const state = emptyState();
  for (const r of runs) state.phases[r.slug] = r;
  return state;
}

export const started = (module: string, seconds = 0, attempt = 1): RunEvent => ({
  type: 'started',
  module,
  attempt,
  pid: 100,
  baseCommit: 'base',
  at: at(seconds),
});

export const reported = (
  module: string,
  status: 'progress' | 'complete' | 'failed' | 'needs-input',
  summary: string,
  seconds = 0,
  files: string[] = [],
): RunEvent => ({ type: 'status', module, status, summary, attempt: null, filesCreated: files, testsPassing: null, at: at(seconds) });

export const verified = (module: string, seconds = 0, proof = true): RunEvent => ({
  type: 'verified',
  module,
  proof,
  detail: 'no commits beyond the base',
  at: at(seconds),
});

export const exited = (module: string, code: number, seconds = 0, attempt = 1): RunEvent => ({
  type: 'exited',
  module,
  attempt,
  code,
  signal: null,
  byUser: false,
  at: at(seconds),
});

/** Started at `from`, reported complete and verified at `to`. */
export const completed = (module: string, from: number, to: number, summary = `${module} done`): RunEvent[] => [
  started(module, from),
  reported(module, 'complete', summary, to),
  verified(module, to),
];

export const finished = (run: PhaseRun, state: PhaseRun['state'], seconds: number): PhaseRun => ({ ...run, state, finishedAt: at(seconds) });
