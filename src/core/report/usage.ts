// Tokens, turns and cost of a phase: the sum of its modules' usage, where their CLIs report it.
import type { AgentUsage, PhaseRun } from '../run/model';

const KEYS = ['turns', 'inputTokens', 'outputTokens', 'costUsd'] as const;

/** The phase's totals, or null when no module's CLI reported any usage. */
export function phaseUsage(run: PhaseRun): AgentUsage | null {
  return sumUsage(run.modules.map((m) => m.usage ?? null));
}

/** Usage added up over phases (or anything else); null when none of them knows any. */
export function sumUsage(list: readonly (AgentUsage | null)[]): AgentUsage | null {
  const total: AgentUsage = {};
  let any = false;
  for (const u of list) {
    for (const k of KEYS) {
      const v = u?.[k];
      if (v === undefined) continue;
      total[k] = (total[k] ?? 0) + v;
      any = true;
    }
  }
  return any ? total : null;
}

/** "12 turns · 35.2k tokens in · 1.1k out · $0.42", or '' when nothing is known. */
export function formatUsage(u: AgentUsage | null | undefined): string {
  if (!u) return '';
  const parts: string[] = [];
  if (u.turns !== undefined) parts.push(`${u.turns} turn${u.turns === 1 ? '' : 's'}`);
  if (u.inputTokens !== undefined) parts.push(`${compact(u.inputTokens)} tokens in`);
  if (u.outputTokens !== undefined) parts.push(`${compact(u.outputTokens)} out`);
  if (u.costUsd !== undefined) parts.push(`$${u.costUsd.toFixed(2)}`);
  return parts.join(' · ');
}

export function compact(n: number): string {
  return n >= 1000 ? `${(n / 1000).toFixed(1)}k` : String(n);
}
