// Selecting modules by their tags (tasks.csv's `tags` column): `--tags a,b` keeps the modules that
// carry at least one of them, compared without regard to case. Pure.
import type { ModuleSpec, Plan, PlannedPhase } from '../model';

/** `a,b` (spaces allowed around the commas) -> ['a', 'b'], or why the option is unusable. */
export function parseTagsOption(text: string): string[] | { error: string } {
  const tags = text.split(',').map((t) => t.trim()).filter(Boolean);
  if (tags.length === 0) return { error: '--tags needs at least one tag, e.g. --tags backend,api' };
  return [...new Set(tags.map((t) => t.toLowerCase()))];
}

export function hasTag(m: Pick<ModuleSpec, 'tags'>, tags: readonly string[]): boolean {
  return (m.tags ?? []).some((t) => tags.includes(t.value.toLowerCase()));
}

/** Every tag the phase's modules carry, as first written. */
export function phaseTags(phase: Pick<PlannedPhase, 'modules'>): string[] {
  const seen = new Map<string, string>();
  for (const m of phase.modules) for (const t of m.tags ?? []) if (!seen.has(t.value.toLowerCase())) seen.set(t.value.toLowerCase(), t.value);
  return [...seen.values()];
}

/** The ids of the phase's modules with one of the tags, or a message saying there are none. */
export function modulesTagged(phase: PlannedPhase, tags: readonly string[]): string[] | { error: string } {
  const ids = phase.modules.filter((m) => hasTag(m, tags)).map((m) => m.id);
  if (ids.length > 0) return ids;
  const known = phaseTags(phase);
  return {
    error:
      `no module of phase ${phase.number} has the tag${tags.length > 1 ? 's' : ''} ${tags.join(', ')}` +
      (known.length > 0 ? ` (its tags: ${known.join(', ')})` : ' (its modules have no tags: they come from the tags column of tasks.csv)'),
  };
}

/** The plan with only the tagged modules (waves kept in order); phases left without modules go. */
export function planWithTags(plan: Plan, tags: readonly string[]): Plan {
  const phases = plan.phases
    .map((p): PlannedPhase => {
      const kept = new Set(p.modules.filter((m) => hasTag(m, tags)).map((m) => m.id));
      return { ...p, modules: p.modules.filter((m) => kept.has(m.id)), waves: p.waves.map((w) => w.filter((id) => kept.has(id))).filter((w) => w.length > 0) };
    })
    .filter((p) => p.modules.length > 0);
  return { ...plan, phases };
}
