// What the tree says of a module's own choices from the plan (tasks.csv's agent, max_turns,
// context_path and tags): its agent where it is not the phase's, its tags as labels, and the rest
// in the tooltip. Markdown-escaped: all of it is spec text.
import { codeSpan, escapeMarkdown } from './format';
import type { ModuleRow } from './phaseRows';

/** The module's agent when it is not the phase's: what its latest attempt ran, else what the plan names. */
export function ownAgent(m: ModuleRow, phaseAgent: string | null): string | null {
  const agent = m.record?.agent ?? m.planned?.agent?.value ?? null;
  return agent !== null && agent !== phaseAgent ? agent : null;
}

/** Short parts for the module's description, after its wave and duration. */
export function choiceParts(m: ModuleRow, phaseAgent: string | null): string[] {
  const parts: string[] = [];
  const agent = ownAgent(m, phaseAgent);
  if (agent) parts.push(agent);
  const tags = m.planned?.tags ?? [];
  if (tags.length > 0) parts.push(tags.map((t) => `#${t.value}`).join(' '));
  return parts;
}

export function choiceTooltip(m: ModuleRow, phaseAgent: string | null): string[] {
  const p = m.planned;
  const lines: string[] = [];
  const agent = ownAgent(m, phaseAgent);
  if (agent) lines.push(`- Agent: ${codeSpan(agent)}${phaseAgent ? ` (the phase's: ${codeSpan(phaseAgent)})` : ''}`);
  if (p?.maxTurns) lines.push(`- Turn budget: ${p.maxTurns.value}`);
  if (p?.contextPath) lines.push(`- Starts in: ${codeSpan(p.contextPath.value)}`);
  if (p?.tags && p.tags.length > 0) lines.push(`- Tags: ${p.tags.map((t) => escapeMarkdown(t.value)).join(', ')}`);
  return lines;
}
