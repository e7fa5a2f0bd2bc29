// `--validate-waves`: a module whose dependencies are in its own phase starts only once their merged
// result has passed the phase's checks. Pure, beside decide(): which of its starts wait for a check,
// which checks to run, and what a check's outcome means — the dependencies that own findings get a
// fix attempt carrying them (as in a plan run's fix round), or the modules waiting on them are blocked.
import { afterMerge } from '../planRun/fixRound';
import type { MergeOutcome } from '../planRun/outcome';
import type { Action } from './decide';
import type { FixFinding, ModuleRecord, PhaseRun, WaveCheckRecord } from './model';

export interface WaveCheckRequest {
  key: string;
  deps: string[];
  heads: string[];
}

export interface GatedStarts {
  /** The decision's actions, less the starts that wait; blocks for those whose check failed. */
  actions: Action[];
  /** Checks to run now (none already running). */
  checks: WaveCheckRequest[];
}

/** Holds back the starts whose dependencies' merged result has not passed a check of its current work. */
export function gateStarts(run: PhaseRun, actions: readonly Action[], running: ReadonlySet<string>): GatedStarts {
  const out: Action[] = [];
  const checks = new Map<string, WaveCheckRequest>();
  for (const action of actions) {
    if (action.type !== 'start') {
      out.push(action);
      continue;
    }
    const request = checkFor(run, action.module);
    if (request === null) {
      out.push(action);
      continue;
    }
    const last = latest(run, request.key);
    if (last?.passed) out.push(action);
    else if (last) out.push({ type: 'block', module: action.module, by: request.deps, why: `the merged result of ${request.deps.join(', ')} failed the phase's checks (${last.summary})` });
    else if (!running.has(request.key)) checks.set(request.key, request);
  }
  return { actions: out, checks: [...checks.values()] };
}

/** The check a module waits for: its same-phase dependencies (transitively) at their verified tips; null when it has none. */
export function checkFor(run: PhaseRun, module: string): WaveCheckRequest | null {
  const byId = new Map(run.modules.map((m) => [m.id, m]));
  const deps = new Set<string>();
  const visit = (id: string): void => {
    for (const d of byId.get(id)?.dependsOn ?? []) {
      if (!byId.has(d) || deps.has(d)) continue;
      deps.add(d);
      visit(d);
    }
  };
  visit(module);
  if (deps.size === 0) return null;
  const sorted = [...deps].sort();
  const heads = sorted.map((d) => headOf(byId.get(d)!));
  return { key: `${sorted.join(',')}@${heads.join(',')}`, deps: sorted, heads };
}

export interface WaveCheckJudgement {
  record: WaveCheckRecord;
  /** Dependencies sent back with the findings in their work. */
  fixes: { module: string; findings: FixFinding[] }[];
}

/** What a check's outcome means, judged as a plan run judges a phase's Merge & Validate. */
export function judgeWaveCheck(run: PhaseRun, request: WaveCheckRequest, outcome: MergeOutcome, fixRounds: number, at: string): WaveCheckJudgement {
  const base = { deps: request.deps, heads: request.heads, integrationCommit: outcome.integrationCommit, at };
  const earlier = (run.waveChecks ?? []).filter((r) => !r.passed && sameSet(r.deps, request.deps));
  if (outcome.conflicts.length > 0) {
    // A conflict among the dependencies is the phase's Merge & Validate's to send back, with the merge prepared.
    const files = [...new Set(outcome.conflicts.map((c) => c.file))].join(', ');
    return { record: { ...base, passed: false, summary: `they conflict in ${files}`, signature: null }, fixes: [] };
  }
  const decision = afterMerge({ run, outcome, fixRounds, round: earlier.length, previousSignature: earlier.at(-1)?.signature ?? null });
  if (decision.type === 'done') return { record: { ...base, passed: true, summary: 'passed', signature: null }, fixes: [] };
  const { signature } = decision;
  if (decision.type === 'failed') return { record: { ...base, passed: false, summary: decision.reason, signature }, fixes: [] };
  const summary = decision.assignments.map((a) => `${a.module}: ${a.findings.length} finding(s)`).join(', ');
  return {
    record: { ...base, passed: false, summary: `${summary}; sent back (round ${decision.round} of ${fixRounds})`, signature },
    fixes: decision.assignments.map((a) => ({ module: a.module, findings: a.findings })),
  };
}

/** A check that could not run at all (git failed, the worktree could not be made). */
export function unrunWaveCheck(request: WaveCheckRequest, message: string, at: string): WaveCheckRecord {
  return { deps: request.deps, heads: request.heads, passed: false, summary: `the check could not run: ${message}`, signature: null, integrationCommit: null, at };
}

export function withWaveCheck(run: PhaseRun, record: WaveCheckRecord): PhaseRun {
  return { ...run, waveChecks: [...(run.waveChecks ?? []), record] };
}

/** Running a phase again is another try: failed checks are judged afresh. */
export function forgetFailedWaveChecks(run: PhaseRun): PhaseRun {
  return run.waveChecks ? { ...run, waveChecks: run.waveChecks.filter((r) => r.passed) } : run;
}

function latest(run: PhaseRun, key: string): WaveCheckRecord | undefined {
  return (run.waveChecks ?? []).filter((r) => `${r.deps.join(',')}@${r.heads.join(',')}` === key).at(-1);
}

/** The tip the module was verified at; before a verification, its attempt stands for its work. */
function headOf(m: ModuleRecord): string {
  return m.verifiedHead ?? `attempt-${m.attempts}`;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
