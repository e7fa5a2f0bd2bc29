// Send to Agent: merge and validation findings the user picks in the Problems panel go back to the
// module they name, as a fix event (the one a plan run's fix round applies). Pure: the vscode layer
// carries each diagnostic's finding, and writes the run this returns through the state store.
import { applyEvent } from '../run/events';
import { LIVE_STATES, type FixFinding, type PhaseProgress, type PhaseRun, type PhaseState } from '../run/model';
import type { Finding, ValidationResult } from '../validate/findings';
import type { MergeConflict } from './outcome';

// A failing command's output tail is kept for the prompt, but not all of it.
const TAIL_LINES = 40;

/** What a merge or validation diagnostic carries: its phase, the module it names and the finding for its prompt. */
export interface SendableFinding {
  phase: number;
  module: string;
  finding: FixFinding;
}

/** A merge conflict, as the module that caused it is told. */
export function conflictFinding(c: MergeConflict, integrationBranch: string): FixFinding {
  const others = c.with.length > 0 ? ` with ${c.with.join(', ')}` : '';
  return {
    source: 'conflict',
    file: c.file,
    line: c.startLine,
    message: `merging your branch into ${integrationBranch} conflicts${others} (lines ${c.startLine}-${c.endLine})`,
  };
}

/** A validation finding, with the command that found it and the tail of its output. */
export function validationFinding(v: ValidationResult, f: Finding): FixFinding {
  const tail = v.outputTail.split('\n').slice(-TAIL_LINES).join('\n');
  return { source: v.kind, file: f.file, line: f.line, message: f.message, command: v.command, outputTail: v.command ? tail : null };
}

export interface ModuleFindings {
  phase: number;
  module: string;
  findings: FixFinding[];
}

/** The selected findings per phase and module, in the order first seen, each finding once. */
export function groupByModule(selected: readonly SendableFinding[]): ModuleFindings[] {
  const groups = new Map<string, ModuleFindings>();
  for (const s of selected) {
    const key = `${s.phase}\0${s.module}`;
    const group = groups.get(key) ?? { phase: s.phase, module: s.module, findings: [] };
    groups.set(key, group);
    if (!group.findings.some((f) => sameFinding(f, s.finding))) group.findings.push(s.finding);
  }
  return [...groups.values()];
}

export type SendDecision = { run: PhaseRun } | { refused: string };

/**
 * The phase's record with `module` pending again, its next attempt carrying `findings`; or why not.
 * A module already waiting with findings (sent before, not started yet) keeps them and gets these too.
 */
export function sendFindings(run: PhaseRun, module: string, findings: readonly FixFinding[], options: { retries: number; at: string }): SendDecision {
  const record = run.modules.find((m) => m.id === module);
  if (!record) return { refused: `phase ${run.number} has no module ${module}.` };
  if (LIVE_STATES.has(record.state)) return { refused: `${module}'s agent is running (${record.state}); send it findings once it has ended.` };
  if (findings.length === 0) return { refused: `no finding to send to ${module}.` };
  const waiting = record.state === 'pending' ? (record.fixFindings ?? []) : [];
  const all = [...waiting, ...findings.filter((f) => !waiting.some((w) => sameFinding(w, f)))];
  const applied = applyEvent(run, { type: 'fix', module, findings: all, retries: options.retries, at: options.at });
  return { run: { ...applied.run, progress: fixingAgain(run.progress, module, options.at) } };
}

// A plan run's phase that got past its modules (merging, validating, done, failed) has one being
// fixed again: it is fixing, so a plan run conducts and merges it again instead of taking it as
// done, and its checkpoint no longer vouches for what it holds. A fresh budget of fix rounds, as
// when a failed phase is run again.
const PAST_CONDUCTING: ReadonlySet<PhaseState> = new Set(['merging', 'validating', 'done', 'failed']);

function fixingAgain(progress: PhaseProgress | null | undefined, module: string, at: string): PhaseProgress | null | undefined {
  if (!progress || !PAST_CONDUCTING.has(progress.state)) return progress;
  return { ...progress, state: 'fixing', fixRound: 0, checkpoint: null, signature: null, reason: `findings sent to ${module} from the editor`, unowned: [], updatedAt: at };
}

function sameFinding(a: FixFinding, b: FixFinding): boolean {
  return a.source === b.source && a.file === b.file && a.line === b.line && a.message === b.message;
}
