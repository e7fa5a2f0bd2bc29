// `conductor status`: every module of every conducted phase, as the state file records it — with
// liveness checked, so an agent that died is never shown as running.
import type { PlannedPhase } from '../../core/model';
import { LIVE_STATES, type PhaseRun, type RunStateFile } from '../../core/run/model';
import { plainText } from '../../core/view/plainText';
import { readDiscoveries } from '../../infra/discoveriesLog';
import { ChildAgentPort } from '../../infra/process/childAgentPort';
import { openRepository } from '../engine';
import { EXIT, type CliIo } from '../io';
import { summaryLine } from '../progress';
import { phaseState } from '../../core/planRun/planStep';
import { readPlan } from './specOptions';
import { phaseStatusJson } from '../statusJson';
import * as path from 'node:path';

export async function statusCommand(flags: { root?: string; json?: boolean; spec?: string }, io: CliIo): Promise<number> {
  const engine = await openRepository(path.resolve(io.cwd, flags.root ?? '.'));
  const state = await engine.state.read();
  const agents = new ChildAgentPort();
  const display = (m: PhaseRun['modules'][number]): string =>
    LIVE_STATES.has(m.state) && (m.pid === null || !agents.isAlive(m.pid)) ? 'interrupted' : m.state;
  const phases = Object.values(state.phases).sort((a, b) => a.number - b.number);
  const discoveries = await readDiscoveries(engine.conductorDir);
  if (flags.json) {
    // Phases of the plan not conducted yet are listed as pending (when the plan can be read here).
    const plan = await readPlan(flags, io).then((r) => r.plan).catch(() => null);
    const pending = (plan?.phases ?? [])
      .filter((p) => !state.phases[p.slug])
      .map((p) => ({ number: p.number, slug: p.slug, name: p.name, state: waitingAtGate(p, state) ? 'gated' : 'pending', checkpoint: null, modules: [] }));
    const all = [...phases.map((p) => phaseStatusJson(p, display, discoveries)), ...pending].sort((a, b) => a.number - b.number);
    io.stdout(`${JSON.stringify({ phases: all }, null, 2)}\n`);
    return EXIT.ok;
  }
  if (phases.length === 0) {
    io.stdout('No phase has been conducted yet. Start one with: conductor conduct <phase> --agent <agent>\n');
    return EXIT.ok;
  }
  for (const p of phases) {
    const checkpoint = p.progress?.checkpoint ? ` · ${p.progress.checkpoint}` : '';
    io.stdout(`${summaryLine(p)}  [${phaseState(p)}${checkpoint}${p.haltReason ? `: ${plainText(p.haltReason)}` : ''}${p.progress?.reason && p.progress.state === 'failed' ? `: ${plainText(p.progress.reason)}` : ''}]\n`);
    for (const m of p.modules) {
      const took = m.startedAt && m.finishedAt ? ` · ${Math.round((Date.parse(m.finishedAt) - Date.parse(m.startedAt)) / 1000)}s` : '';
      // The plan may give a module an agent of its own: shown where it is not the phase's.
      const agent = m.agent && m.agent !== p.agent ? ` · agent ${plainText(m.agent)}` : '';
      io.stdout(`  ${m.id.padEnd(20)} ${display(m).padEnd(20)} wave ${m.wave} · attempt ${m.attempts}${took}${agent}${m.lastSummary ? ` — ${plainText(m.lastSummary)}` : ''}\n`);
    }
    const found = discoveries.filter((d) => d.phase === p.number);
    const corrections = found.filter((d) => d.kind === 'spec-correction').length;
    if (found.length > 0) io.stdout(`  ${found.length === 1 ? '1 discovery' : `${found.length} discoveries`} reported (${corrections} spec correction(s)): see DISCOVERIES.md\n`);
  }
  return EXIT.ok;
}

/** Not started, `Gate: manual`, and every phase it depends on done: it waits for approval. */
function waitingAtGate(phase: PlannedPhase, state: RunStateFile): boolean {
  if (phase.gate !== 'manual') return false;
  return phase.dependsOn.every((n) => Object.values(state.phases).some((r) => r.number === n && phaseState(r) === 'done'));
}
