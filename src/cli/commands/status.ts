// `conductor status`: every module of every conducted phase, as the state file records it — with
// liveness checked, so an agent that died is never shown as running.
import { LIVE_STATES, type PhaseRun } from '../../core/run/model';
import { plainText } from '../../core/view/plainText';
import { readDiscoveries } from '../../infra/discoveriesLog';
import { ChildAgentPort } from '../../infra/process/childAgentPort';
import { openRepository } from '../engine';
import { EXIT, type CliIo } from '../io';
import { summaryLine } from '../progress';
import { phaseStatusJson } from '../statusJson';
import * as path from 'node:path';

export async function statusCommand(flags: { root?: string; json?: boolean }, io: CliIo): Promise<number> {
  const engine = await openRepository(path.resolve(io.cwd, flags.root ?? '.'));
  const state = await engine.state.read();
  const agents = new ChildAgentPort();
  const display = (m: PhaseRun['modules'][number]): string =>
    LIVE_STATES.has(m.state) && (m.pid === null || !agents.isAlive(m.pid)) ? 'interrupted' : m.state;
  const phases = Object.values(state.phases).sort((a, b) => a.number - b.number);
  const discoveries = await readDiscoveries(engine.conductorDir);
  if (flags.json) {
    io.stdout(`${JSON.stringify({ phases: phases.map((p) => phaseStatusJson(p, display, discoveries)) }, null, 2)}\n`);
    return EXIT.ok;
  }
  if (phases.length === 0) {
    io.stdout('No phase has been conducted yet. Start one with: conductor conduct <phase> --agent <agent>\n');
    return EXIT.ok;
  }
  for (const p of phases) {
    io.stdout(`${summaryLine(p)}  [${p.state}${p.haltReason ? `: ${plainText(p.haltReason)}` : ''}]\n`);
    for (const m of p.modules) {
      const took = m.startedAt && m.finishedAt ? ` · ${Math.round((Date.parse(m.finishedAt) - Date.parse(m.startedAt)) / 1000)}s` : '';
      io.stdout(`  ${m.id.padEnd(20)} ${display(m).padEnd(20)} wave ${m.wave} · attempt ${m.attempts}${took}${m.lastSummary ? ` — ${plainText(m.lastSummary)}` : ''}\n`);
    }
    const found = discoveries.filter((d) => d.phase === p.number);
    const corrections = found.filter((d) => d.kind === 'spec-correction').length;
    if (found.length > 0) io.stdout(`  ${found.length === 1 ? '1 discovery' : `${found.length} discoveries`} reported (${corrections} spec correction(s)): see DISCOVERIES.md\n`);
  }
  return EXIT.ok;
}
