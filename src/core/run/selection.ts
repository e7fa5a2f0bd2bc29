// Conducting part of a phase (`conductor conduct --tags`): the selected modules run; the others are
// left as they are. A selected module's same-phase dependencies must be selected too, or complete
// already — otherwise it could never start, and that is said before anything runs. Pure.
import type { PlannedPhase } from '../model';
import { DONE_STATES, type PhaseRun } from './model';

/** What keeps the selection from running, one line per unmet dependency, or null. */
export function unmetSelection(run: PhaseRun, only: ReadonlySet<string>, phase: PlannedPhase): string | null {
  const byId = new Map(run.modules.map((m) => [m.id, m]));
  const lines: string[] = [];
  for (const m of run.modules) {
    if (!only.has(m.id)) continue;
    for (const dep of m.dependsOn) {
      const record = byId.get(dep);
      if (only.has(dep) || (record && DONE_STATES.has(record.state))) continue;
      const tags = phase.modules.find((x) => x.id === dep)?.tags?.map((t) => t.value) ?? [];
      lines.push(
        `${m.id} depends on ${dep}, which is not selected${tags.length > 0 ? ` (its tags: ${tags.join(', ')})` : ' (it has no tags)'} and not complete (${record?.state ?? 'pending'})`,
      );
    }
  }
  if (lines.length === 0) return null;
  return `The selected modules cannot run: ${lines.join('; ')}. Add a tag of the dependency to --tags, or conduct it first.`;
}
