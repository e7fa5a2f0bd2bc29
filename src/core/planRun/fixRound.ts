// After a phase's Merge & Validate: done, another fix round (which module fixes what), or failed.
// Pure; the plan runner carries the decision out.
import type { FixFinding, PhaseRun } from '../run/model';
import type { MergeOutcome } from './outcome';
import { conflictFinding, validationFinding } from './sendToAgent';

export interface FixAssignment {
  module: string;
  findings: FixFinding[];
  /** It conflicted: its fix attempt starts with the integration result merged in, markers left. */
  conflict: boolean;
}

export type AfterMerge =
  | { type: 'done' }
  | { type: 'fix'; round: number; assignments: FixAssignment[]; unowned: FixFinding[]; signature: string }
  | { type: 'failed'; reason: string; unowned: FixFinding[]; signature: string };

export interface AfterMergeInput {
  run: PhaseRun;
  outcome: MergeOutcome;
  /** Fix rounds allowed (`--fix-rounds`). */
  fixRounds: number;
  /** Rounds used so far. */
  round: number;
  /** The findings signature of the previous round, to stop when a round changed nothing. */
  previousSignature: string | null;
}

export function afterMerge(input: AfterMergeInput): AfterMerge {
  const { run, outcome } = input;
  if (outcome.ok) return { type: 'done' };
  const { owned, unowned } = findingsByModule(run, outcome);
  // What the findings were, for the next round to see whether it changed anything.
  const signature = findingsSignature(owned);
  // Left out for a reason of its own (not a conflict, not waiting for a dependency): no fix round brings it.
  const notMerged = outcome.notMerged.filter((s) => !owned.has(s.module) && s.cause !== 'dependency');
  if (owned.size === 0) {
    const why = notMerged.length > 0 ? `not merged: ${notMerged.map((s) => `${s.module} (${s.reason})`).join('; ')}` : `${unowned.length} finding(s) no module owns`;
    return { type: 'failed', reason: `the phase did not validate and no module can be sent back to fix it — ${why}`, unowned, signature };
  }
  if (input.round >= input.fixRounds) {
    return { type: 'failed', reason: `${describe(owned)} still after ${input.round} fix round(s) (--fix-rounds ${input.fixRounds})`, unowned, signature };
  }
  if (input.previousSignature !== null && input.previousSignature === signature) {
    return { type: 'failed', reason: `fix round ${input.round} left the same findings as the round before (${describe(owned)}); stopping early`, unowned, signature };
  }
  const assignments = [...owned].map(([module, findings]) => ({ module, findings, conflict: findings.some((f) => f.source === 'conflict') }));
  return { type: 'fix', round: input.round + 1, assignments, unowned, signature };
}

/** The phase's findings, each with the module to send it to; the rest are the user's. */
export function findingsByModule(run: PhaseRun, outcome: MergeOutcome): { owned: Map<string, FixFinding[]>; unowned: FixFinding[] } {
  const known = new Set(run.modules.map((m) => m.id));
  const owned = new Map<string, FixFinding[]>();
  const unowned: FixFinding[] = [];
  const add = (module: string | null, f: FixFinding): void => {
    if (module === null || !known.has(module)) unowned.push(f);
    else owned.set(module, [...(owned.get(module) ?? []), f]);
  };
  for (const c of outcome.conflicts) add(c.module, conflictFinding(c, outcome.integrationBranch));
  for (const v of outcome.validation) {
    for (const f of v.findings.filter((x) => x.severity === 'error')) add(f.module, validationFinding(v, f));
  }
  return { owned, unowned };
}

export function findingsSignature(owned: ReadonlyMap<string, readonly FixFinding[]>): string {
  return JSON.stringify(
    [...owned]
      .map(([m, fs]) => [m, fs.map((f) => `${f.source}|${f.file ?? ''}|${f.line ?? ''}|${f.message}`).sort()] as const)
      .sort((a, b) => a[0].localeCompare(b[0])),
  );
}

function describe(owned: ReadonlyMap<string, readonly FixFinding[]>): string {
  return [...owned].map(([m, fs]) => `${m}: ${fs.length} finding(s)`).join(', ');
}
