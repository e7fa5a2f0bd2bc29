// The verdict of a Merge & Validate: a phase is merged only when every one of its modules is in the
// integration result and that result validated; anything less is said module by module. A user
// branch (--into) moves only on that verdict, or — asked for with --partial — on a partial result
// whose merged part validated, and then it is said that the branch got a partial phase.
import type { NotMergedCause } from './planMerge';

export interface NotMerged {
  module: string;
  cause: NotMergedCause;
  reason: string;
}

export interface VerdictInput {
  /** Every module of the phase, in merge order. */
  modules: readonly string[];
  merged: ReadonlySet<string>;
  /** Why each module that is not merged was left out (first reason wins). */
  reasons: ReadonlyMap<string, { cause: NotMergedCause; reason: string }>;
  /** No validation step found an error, and every command that should run did run. */
  validated: boolean;
}

export interface Verdict {
  notMerged: NotMerged[];
  /** Every module merged and the result validated. */
  ok: boolean;
  /** Some modules not merged, but what was merged (something was) validated: usable with --partial. */
  partial: boolean;
}

export function mergeVerdict(input: VerdictInput): Verdict {
  const notMerged = input.modules
    .filter((id) => !input.merged.has(id))
    .map((module) => ({ module, ...(input.reasons.get(module) ?? { cause: 'incomplete' as const, reason: 'it was not merged' }) }));
  const ok = notMerged.length === 0 && input.validated;
  return { notMerged, ok, partial: notMerged.length > 0 && input.merged.size > 0 && input.validated };
}

/** `2 of 4 modules not merged (b, d)`, or null when all are. */
export function notMergedSummary(notMerged: readonly NotMerged[], total: number): string | null {
  if (notMerged.length === 0) return null;
  return `${notMerged.length} of ${total} module${total === 1 ? '' : 's'} not merged (${notMerged.map((n) => n.module).join(', ')})`;
}

export interface IntoInput {
  verdict: Verdict;
  mergedCount: number;
  validated: boolean;
  /** Commands were left unrun because the repository is not trusted. */
  untrusted: boolean;
  /** --partial: a partial result whose merged part validated may move the branch. */
  partialAllowed: boolean;
}

export type IntoDecision = { move: true; partial: boolean } | { move: false; why: string };

/** Whether `--into` may move the branch, and if not, why not (said to the user as it is). */
export function intoDecision(i: IntoInput): IntoDecision {
  if (i.verdict.ok) return { move: true, partial: false };
  if (i.mergedCount === 0) return { move: false, why: 'nothing was merged' };
  if (i.validated && i.partialAllowed && i.verdict.partial) return { move: true, partial: true };
  // Every reason at once, so fixing one does not just reveal the next.
  const why: string[] = [];
  if (!i.validated) why.push(i.untrusted ? 'commands were not run: the repository is not trusted (pass --trust)' : 'the validation failed');
  if (i.verdict.notMerged.length > 0 && !i.partialAllowed) {
    why.push(`not every module was merged (${i.verdict.notMerged.map((n) => n.module).join(', ')}); --partial brings in what was merged`);
  }
  return { move: false, why: why.join('; ') };
}

export interface NoticeInput {
  phase: number;
  ok: boolean;
  integrationBranch: string;
  merged: readonly string[];
  notMerged: readonly NotMerged[];
  conflicts: readonly unknown[];
  /** Validation steps that found an error. */
  failedChecks: number;
}

/** The one-line notice after Merge & Validate in the editor; the modules left out are named. */
export function mergeNotice(r: NoticeInput): string {
  const total = r.merged.length + r.notMerged.length;
  const parts = [`${r.merged.length} of ${total} module${total === 1 ? '' : 's'} merged into ${r.integrationBranch}`];
  if (r.notMerged.length > 0) parts.push(`not merged: ${r.notMerged.map((n) => `${n.module} (${n.cause})`).join(', ')}`);
  if (r.conflicts.length > 0) parts.push(`${r.conflicts.length} conflict(s)`);
  if (r.failedChecks > 0) parts.push(`${r.failedChecks} failed check(s)`);
  return `Phase ${r.phase}${r.ok ? ' merged and validated' : ''}: ${parts.join('; ')}.`;
}
