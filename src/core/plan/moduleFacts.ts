// A module's own choices from the plan (tasks.csv's agent, max_turns, context_path, tags) as short
// phrases, for `conductor plan`, the tree and previews.
import type { ModuleSpec } from '../model';

type Choices = Pick<ModuleSpec, 'agent' | 'maxTurns' | 'contextPath' | 'tags'>;

/** e.g. ['agent codex', 'max 12 turns', 'in apps/web', 'tags frontend, ui']; empty when it has none. */
export function moduleFacts(m: Choices, options: { tags?: boolean } = {}): string[] {
  const facts: string[] = [];
  if (m.agent) facts.push(`agent ${m.agent.value}`);
  if (m.maxTurns) facts.push(`max ${m.maxTurns.value} turn${m.maxTurns.value === 1 ? '' : 's'}`);
  if (m.contextPath) facts.push(`in ${m.contextPath.value}`);
  if (options.tags !== false && m.tags && m.tags.length > 0) facts.push(`tags ${tagList(m)}`);
  return facts;
}

export function tagList(m: Choices): string {
  return (m.tags ?? []).map((t) => t.value).join(', ');
}
