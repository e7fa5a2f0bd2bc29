// Agents recorded as live by an engine that no longer runs — the window was reloaded, or the CLI that
// conducted was killed — must not look like they are working. Until an engine notices and records
// it (Resume Phase does), the views show such a module as `interrupted` when its agent process is
// gone. Phases this window conducts are left alone: their engine knows better.
import { LIVE_STATES, type ModuleRecord, type PhaseRun, type RunStateFile } from '../run/model';

/** The state as the views should show it: live modules of phases not conducted here, whose agent is gone, are `interrupted`. */
export function withGoneAgentsInterrupted(state: RunStateFile, active: ReadonlySet<string>, isAlive: (pid: number) => boolean): RunStateFile {
  let changed = false;
  const phases: Record<string, PhaseRun> = {};
  for (const [slug, run] of Object.entries(state.phases)) {
    phases[slug] = run;
    if (active.has(slug)) continue;
    const gone = run.modules.filter((m) => LIVE_STATES.has(m.state) && (m.pid === null || !isAlive(m.pid)));
    if (gone.length === 0) continue;
    changed = true;
    phases[slug] = { ...run, modules: run.modules.map((m): ModuleRecord => (gone.includes(m) ? { ...m, state: 'interrupted' } : m)) };
  }
  return changed ? { ...state, phases } : state;
}

/** Agent pids the views show as live without an engine here to follow them: worth checking again now and then. */
export function unfollowedAgentPids(state: RunStateFile, active: ReadonlySet<string>): number[] {
  const pids: number[] = [];
  for (const [slug, run] of Object.entries(state.phases)) {
    if (active.has(slug)) continue;
    for (const m of run.modules) if (LIVE_STATES.has(m.state) && m.pid !== null) pids.push(m.pid);
  }
  return pids;
}
