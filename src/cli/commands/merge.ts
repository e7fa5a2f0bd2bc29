// `conductor merge|predict|report <phase>`: Merge & Validate headless, conflict prediction, the report.
import * as path from 'node:path';
import { predictionInputs } from '../../core/merge/predictInput';
import type { PhaseRun } from '../../core/run/model';
import { plainText } from '../../core/view/plainText';
import { defaultWorktreeRoot } from '../../core/run/createRun';
import { MergeTree } from '../../infra/git/mergeTree';
import { Predictor } from '../../infra/git/predictor';
import { notMergedSummary } from '../../core/merge/mergeVerdict';
import { isCommandKind } from '../../core/validate/findings';
import { mergePhase, previousIntegration, writeMergeResult, type MergeResult } from '../../infra/merge/phaseMerge';
import { writePhaseReport } from '../../infra/report/writeReport';
import { recordPhaseDone } from '../../infra/planRun/planPorts';
import { PhaseLocks, withPhaseLock } from '../../infra/state/phaseLock';
import { openRepository, type Engine } from '../engine';
import { EXIT, UsageError, type CliIo } from '../io';
import { findPhase } from './conduct';
import { planReportCommand } from './report';
import { readPlan, specOptions, type SpecFlags } from './specOptions';

export const mergeOptions = {
  ...specOptions,
  into: { type: 'string' },
  trust: { type: 'boolean' },
  partial: { type: 'boolean' },
  'worktree-root': { type: 'string' },
  test: { type: 'string', multiple: true },
} as const;

interface MergeFlags extends SpecFlags {
  into?: string;
  trust?: boolean;
  partial?: boolean;
  'worktree-root'?: string;
  test?: string[];
}

export async function phaseAndRun(flags: SpecFlags, positionals: string[], io: CliIo) {
  const { plan, root } = await readPlan(flags, io);
  const phase = findPhase(plan, positionals[0]);
  const engine = await openRepository(root);
  const run: PhaseRun | undefined = (await engine.state.read()).phases[phase.slug];
  if (!run) throw new UsageError(`phase ${phase.number} has not been conducted yet (conductor conduct ${phase.number})`);
  return { plan, phase, engine, run };
}

export async function mergeCommand(flags: MergeFlags, positionals: string[], io: CliIo): Promise<number> {
  const { plan, phase, engine, run } = await phaseAndRun(flags, positionals, io);
  const note = (t: string): void => {
    if (!flags.json) io.stdout(`${t}\n`);
  };
  const result = await withPhaseLock(new PhaseLocks(engine.conductorDir), phase, `conductor merge ${phase.number}`, async () =>
    mergePhase(phase, run, mergeDeps(engine), {
      worktreeRoot: flags['worktree-root'] ? path.resolve(io.cwd, flags['worktree-root']) : defaultWorktreeRoot(engine.repo.root),
      trust: Boolean(flags.trust),
      commands: flags.test && flags.test.length > 0 ? flags.test : phase.testCommands.map((c) => c.value),
      into: flags.into ?? null,
      partial: Boolean(flags.partial),
      startFrom: await previousIntegration(engine.repo, plan, phase, run.baseCommit),
      note,
    }),
  );
  await writeMergeResult(engine.conductorDir, run.slug, result);
  await writePhaseReport(engine, phase, run);
  // Clean and validated: the phase is done, and later phases start from its checkpoint.
  if (result.ok) note(`Phase ${phase.number} done: ${await recordPhaseDone(engine, phase, run, result.integrationCommit)}.`);
  if (flags.json) io.stdout(`${JSON.stringify(mergeJson(result), null, 2)}\n`);
  else printMerge(result, io);
  return mergeExitCode(result, Boolean(flags.partial), flags.into ?? null);
}

/**
 * 0 only when every module merged and validated; with --partial also when what was merged validated
 * (and, with --into, the branch took it).
 */
export function mergeExitCode(r: MergeResult, partial: boolean, into: string | null): number {
  if (r.ok) return EXIT.ok;
  if (partial && r.partial && (into === null || r.into !== null)) return EXIT.ok;
  return EXIT.failed;
}

function mergeDeps(engine: Engine) {
  return { git: engine.git, repo: engine.repo, worktrees: engine.worktrees, mergeTree: new MergeTree(engine.repo.root, engine.git), conductorDir: engine.conductorDir };
}

/** The documented JSON of `conductor merge --json`. */
export function mergeJson(r: MergeResult) {
  return {
    integrationBranch: r.integrationBranch,
    integrationWorktree: r.integrationWorktree,
    merged: r.merged,
    skipped: r.skipped,
    notMerged: r.notMerged,
    conflicts: r.conflicts,
    validation: r.validation.map((v) => ({
      kind: v.kind,
      command: v.command,
      exitCode: v.exitCode,
      durationMs: v.durationMs,
      findings: v.findings.map((f) => ({ file: f.file, line: f.line, column: f.column, severity: f.severity, message: f.message, module: f.module })),
    })),
    into: r.into,
    ok: r.ok,
    partial: r.partial,
  };
}

/** Skip reasons, file names and test output come from agents' work: printed as plain text. */
function printMerge(r: MergeResult, io: CliIo): void {
  const out = (line: string): void => io.stdout(`${plainText(line)}\n`);
  io.stdout('\n');
  out(`${r.integrationBranch} (${r.integrationWorktree}) at ${r.integrationCommit.slice(0, 8)}`);
  out(`merged: ${r.merged.join(', ') || 'none'}`);
  for (const n of r.notMerged) out(`not merged: ${n.module} — ${n.reason}`);
  for (const c of r.conflicts) {
    out(`${c.file}:${c.startLine}: error merge-conflict: ${c.kind} conflict merging ${c.module}${c.with.length ? ` with ${c.with.join(', ')}` : ''} (lines ${c.startLine}-${c.endLine}; ${c.theirsStartLine}-${c.theirsEndLine} in ${r.integrationBranch})`);
  }
  for (const v of r.validation) {
    const head = v.command ? `${v.kind}: ${v.command}` : v.kind;
    const outcome = !isCommandKind(v.kind) ? `${v.findings.length} finding(s)` : v.exitCode === null ? 'not run' : `exit ${v.exitCode}`;
    out(`${head} — ${outcome}, ${v.durationMs} ms`);
    for (const f of v.findings) {
      out(`  ${f.file ?? '(no file)'}${f.line ? `:${f.line}${f.column ? `:${f.column}` : ''}` : ''}: ${f.severity}: ${f.message}${f.module ? ` [${f.module}]` : ''}`);
    }
  }
  out(verdictLine(r));
  const conflicting = [...new Set(r.conflicts.map((c) => c.module))];
  if (conflicting.length > 0) out(`To resolve a conflict by hand: conductor resolve ${r.phase} <module> (${conflicting.join(', ')}).`);
}

function verdictLine(r: MergeResult): string {
  if (r.ok) return `Merged and validated: all ${r.merged.length} module${r.merged.length === 1 ? '' : 's'} of phase ${r.phase}.`;
  const total = r.merged.length + r.notMerged.length;
  const why = [
    notMergedSummary(r.notMerged, total),
    r.validated ? null : r.validation.some((v) => v.findings.some((f) => f.severity === 'error')) ? 'the validation found errors' : 'commands were not run (pass --trust)',
  ].filter(Boolean).join('; ');
  if (r.into?.partial) return `Partial: ${r.into.branch} got phase ${r.phase} without ${r.notMerged.map((n) => n.module).join(', ')}; what was merged validated.`;
  if (r.partial) return `Partial: ${why}; what was merged validated.`;
  return `Not merged and validated: ${why}.`;
}

export async function predictCommand(flags: SpecFlags, positionals: string[], io: CliIo): Promise<number> {
  const { phase, engine, run } = await phaseAndRun(flags, positionals, io);
  const predictor = new Predictor(engine.repo.root, engine.git, new MergeTree(engine.repo.root, engine.git));
  const modules = predictionInputs(phase, run);
  const result = await predictor.predict(modules);
  if (flags.json) {
    io.stdout(`${JSON.stringify({ pairs: result.pairs.map((p) => ({ a: p.a, b: p.b, conflicts: p.conflicts.map((c) => ({ file: c.file, startLine: c.startLine, endLine: c.endLine })) })), ownershipViolations: result.ownershipViolations }, null, 2)}\n`);
  } else if (result.pairs.length === 0 && result.ownershipViolations.length === 0) {
    io.stdout('No conflicts predicted.\n');
  } else {
    for (const p of result.pairs) for (const c of p.conflicts) io.stdout(`${plainText(`${c.file}:${c.startLine}: warning predicted-conflict: ${p.a} and ${p.b} both change lines ${c.startLine}-${c.endLine}`)}\n`);
    for (const v of result.ownershipViolations) io.stdout(`${plainText(`${v.file}: warning ownership: ${v.module} changed a file that ${v.owner} owns`)}\n`);
  }
  return EXIT.ok;
}

export async function reportCommand(flags: SpecFlags, positionals: string[], io: CliIo): Promise<number> {
  if (positionals[0] === undefined || positionals[0] === 'plan') return planReportCommand(flags, io);
  const { phase, engine, run } = await phaseAndRun(flags, positionals, io);
  const written = await writePhaseReport(engine, phase, run);
  io.stdout(flags.json ? `${JSON.stringify(written.report, null, 2)}\n` : `${written.markdown}\nWritten to ${path.relative(io.cwd, written.markdownPath)}\n`);
  return EXIT.ok;
}
