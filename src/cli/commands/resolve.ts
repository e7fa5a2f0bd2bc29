// `conductor resolve <phase> [<module>] [--commit | --abort]`: a module that Merge & Validate left
// out on a conflict, merged by hand in the phase's integration worktree — the command line's Resolve
// in Merge Editor, Commit Resolved Merge and Abort Resolved Merge, on the same port
// (infra/merge/conflictResolution.ts) and under the same phase lock.
import * as path from 'node:path';
import { integrationBranch } from '../../core/merge/planMerge';
import type { PlannedPhase } from '../../core/model';
import type { ResolutionInProgress } from '../../core/merge/resolution';
import { defaultWorktreeRoot } from '../../core/run/createRun';
import type { PhaseRun } from '../../core/run/model';
import { plainText } from '../../core/view/plainText';
import { CommitRefusedError, GitConflictResolution, markersIn } from '../../infra/merge/conflictResolution';
import { readMergeResult, type MergeResult } from '../../infra/merge/phaseMerge';
import { PhaseLocks, withPhaseLock } from '../../infra/state/phaseLock';
import type { Engine } from '../engine';
import { EXIT, UsageError, type CliIo } from '../io';
import { phaseAndRun } from './merge';
import { specOptions, type SpecFlags } from './specOptions';

export const resolveOptions = {
  ...specOptions,
  commit: { type: 'boolean' },
  abort: { type: 'boolean' },
  'worktree-root': { type: 'string' },
} as const;

interface ResolveFlags extends SpecFlags {
  commit?: boolean;
  abort?: boolean;
  'worktree-root'?: string;
}

interface Resolving {
  flags: ResolveFlags;
  io: CliIo;
  phase: PlannedPhase;
  run: PhaseRun;
  engine: Engine;
  port: GitConflictResolution;
  branch: string;
  /** A command to run next, with the options this one was given that it needs too. */
  next: (command: string, args: string) => string;
  out: (line: string) => void;
}

export async function resolveCommand(flags: ResolveFlags, positionals: string[], io: CliIo): Promise<number> {
  const [which, module] = positionals;
  if (which === undefined) throw new UsageError('which phase? e.g. "conductor resolve 2" (the merge being resolved) or "conductor resolve 2 <module>"');
  if (flags.commit && flags.abort) throw new UsageError('--commit and --abort exclude each other: commit the resolution, or drop it');
  if (module !== undefined && (flags.commit || flags.abort)) {
    throw new UsageError(`--${flags.commit ? 'commit' : 'abort'} takes no module: it ${flags.commit ? 'commits' : 'drops'} the merge being resolved in the phase ("conductor resolve ${plainText(which)} --${flags.commit ? 'commit' : 'abort'}")`);
  }
  const { phase, engine, run } = await phaseAndRun(flags, [which], io);
  const worktreeRoot = flags['worktree-root'] ? path.resolve(io.cwd, flags['worktree-root']) : defaultWorktreeRoot(engine.repo.root);
  const carried = carriedOptions(flags);
  const r: Resolving = {
    flags,
    io,
    phase,
    run,
    engine,
    port: new GitConflictResolution(engine, phase, run, worktreeRoot),
    branch: integrationBranch(run.slug),
    next: (command, args) => `conductor ${command} ${phase.number}${args}${carried}`,
    out: (line) => io.stdout(`${plainText(line)}\n`),
  };
  if (flags.commit) return commitResolution(r);
  if (flags.abort) return abortResolution(r);
  if (module !== undefined) return prepareResolution(r, module);
  return showResolution(r);
}

/** Merges the module's branch into the integration worktree with the conflict left there for the user. */
async function prepareResolution(r: Resolving, module: string): Promise<number> {
  const { phase, port } = r;
  await checkModule(r, module, await port.inProgress());
  const { outcome, mergeHead } = await locked(r, ` ${module}`, async () => {
    const current = await port.inProgress();
    if (current && current.module !== module) throw new Error(`${beingResolved(r, current)}: "${r.next('resolve', ' --commit')}" commits it, "${r.next('resolve', ' --abort')}" drops it`);
    const prepared = await port.prepare(module);
    return { outcome: prepared, mergeHead: prepared.kind === 'conflicts' ? ((await port.inProgress())?.mergeHead ?? null) : null };
  });
  if (outcome.kind === 'merged') {
    if (r.flags.json) return json(r, { phase: phase.number, module, kind: outcome.kind, commit: outcome.commit, why: outcome.why });
    r.out(`${outcome.why} (${outcome.commit.slice(0, 8)}): nothing to resolve.`);
    r.out(`Next: "${r.next('merge', '')}" goes on with the modules after it.`);
    return EXIT.ok;
  }
  const files = await markersIn(outcome.worktree, outcome.files.map((f) => f.path));
  if (r.flags.json) {
    return json(r, { phase: phase.number, module, kind: outcome.kind, resumed: outcome.resumed, worktree: outcome.worktree, integrationBranch: r.branch, mergeHead, files });
  }
  const record = r.run.modules.find((m) => m.id === module);
  r.out(
    outcome.resumed
      ? `The merge of ${module} is already being resolved in ${outcome.worktree} (${r.branch}).`
      : `Merging ${module} (${record?.branch ?? module}) into ${r.branch} in ${outcome.worktree}: the conflict is left for you.`,
  );
  if (mergeHead) r.out(`MERGE_HEAD ${mergeHead} (the tip of ${module})`);
  printFiles(r, files);
  printNext(r);
  return EXIT.ok;
}

/** The resolution in progress, or the modules the last merge left out on a conflict. */
async function showResolution(r: Resolving): Promise<number> {
  const { phase, port } = r;
  const current = await port.inProgress();
  const last = await readMergeResult(r.engine.conductorDir, r.run.slug);
  const conflicting = last ? conflictModules(last) : null;
  const files = current ? await markersIn(port.worktree, current.unmerged.map((f) => f.path)) : [];
  if (r.flags.json) {
    return json(r, {
      phase: phase.number,
      integrationBranch: r.branch,
      worktree: port.worktree,
      inProgress: current && { module: current.module, mergeHead: current.mergeHead, files },
      conflicts: conflicting,
    });
  }
  if (current) {
    r.out(`${beingResolved(r, current)} (${r.branch}).`);
    r.out(`MERGE_HEAD ${current.mergeHead}${current.module ? ` (the tip of ${current.module})` : ''}`);
    if (current.module === null) {
      r.out(`Next: "${r.next('resolve', ' --abort')}" drops it.`);
      return EXIT.ok;
    }
    printFiles(r, files);
    printNext(r);
    return EXIT.ok;
  }
  r.out(`No merge is being resolved in phase ${phase.number}.`);
  if (conflicting === null) r.out(`Phase ${phase.number} has not been merged yet: "${r.next('merge', '')}" merges it and reports its conflicts.`);
  else if (conflicting.length === 0) r.out(`The last merge of phase ${phase.number} left no module out on a conflict.`);
  else {
    r.out(`The last merge of phase ${phase.number} left out on a conflict: ${conflicting.join(', ')}. Resolve one with:`);
    for (const m of conflicting) r.out(`  ${r.next('resolve', ` ${m}`)}`);
  }
  return EXIT.ok;
}

/** Commits the resolution on the integration branch; refused while a file still holds markers. */
async function commitResolution(r: Resolving): Promise<number> {
  const { phase, port } = r;
  const result = await locked(r, ' --commit', async () => {
    if (!(await port.inProgress())) return null;
    try {
      return await port.commit();
    } catch (e) {
      if (e instanceof CommitRefusedError) return e;
      throw e;
    }
  });
  if (result === null) return fail(r, `no merge is being resolved in phase ${phase.number} (${port.worktree}); "${r.next('resolve', ' <module>')}" prepares one`);
  if (result instanceof CommitRefusedError) {
    const files = await markersIn(port.worktree, result.marked);
    const lines = files.map((f) => `  ${fileLine(f)}`);
    const error = `not committed: ${result.marked.join(', ')} still ${result.marked.length === 1 ? 'holds' : 'hold'} conflict markers`;
    return fail(r, `${error}\n${lines.join('\n')}\nRemove them (<<<<<<<, =======, >>>>>>>), then run "${r.next('resolve', ' --commit')}" again, or "${r.next('resolve', ' --abort')}" to drop the merge`, { marked: files });
  }
  if (r.flags.json) return json(r, { phase: phase.number, ok: true, module: result.module, commit: result.commit, integrationBranch: r.branch });
  r.out(`Committed the resolution of ${result.module} on ${r.branch} at ${result.commit.slice(0, 8)}.`);
  r.out(`Next: "${r.next('merge', '')}" finds ${result.module} merged and goes on with the modules after it.`);
  return EXIT.ok;
}

/** Drops the merge in progress: the integration worktree back at its branch's tip. */
async function abortResolution(r: Resolving): Promise<number> {
  const { phase, port } = r;
  const dropped = await locked(r, ' --abort', async () => {
    const current = await port.inProgress();
    await port.abort();
    return current;
  });
  const tip = await r.engine.repo.refTip(`refs/heads/${r.branch}`);
  if (r.flags.json) {
    return json(r, { phase: phase.number, ok: true, aborted: dropped && { module: dropped.module, mergeHead: dropped.mergeHead }, integrationBranch: r.branch, commit: tip });
  }
  if (!dropped) r.out(`No merge was being resolved in phase ${phase.number}: nothing to abort.`);
  else r.out(`Dropped the merge of ${dropped.module ?? dropped.mergeHead.slice(0, 8)}: ${port.worktree} is back at ${r.branch}${tip ? ` (${tip.slice(0, 8)})` : ''}.`);
  return EXIT.ok;
}

/** A module of the phase that the last merge left out on a conflict (or whose resolution is in progress). */
async function checkModule(r: Resolving, module: string, current: ResolutionInProgress | null): Promise<void> {
  const n = r.phase.number;
  const ids = r.run.modules.map((m) => m.id);
  if (!ids.includes(module)) throw new UsageError(`phase ${n} has no module "${plainText(module)}" (modules: ${ids.join(', ')})`);
  if (current?.module === module) return;
  const last = await readMergeResult(r.engine.conductorDir, r.run.slug);
  if (!last) throw new UsageError(`phase ${n} has not been merged yet: "${r.next('merge', '')}" merges it and reports the conflicts to resolve`);
  const conflicting = conflictModules(last);
  if (conflicting.includes(module)) return;
  const why = last.merged.includes(module) ? 'it was merged' : (last.notMerged.find((m) => m.module === module)?.reason ?? 'it was not merged');
  throw new UsageError(
    `${module} did not conflict in the last merge of phase ${n} (${plainText(why)}); ${conflicting.length > 0 ? `the modules that did: ${conflicting.join(', ')}` : 'no module did'}`,
  );
}

function conflictModules(result: MergeResult): string[] {
  return [...new Set(result.conflicts.map((c) => c.module))];
}

function beingResolved(r: Resolving, current: ResolutionInProgress): string {
  return current.module
    ? `The merge of ${current.module} is being resolved in ${r.port.worktree}`
    : `A merge of ${current.mergeHead.slice(0, 8)}, no module of phase ${r.phase.number}, is in progress in ${r.port.worktree}`;
}

type Marked = Awaited<ReturnType<typeof markersIn>>[number];

function fileLine(f: Marked): string {
  if (f.blocks === null) return `${f.file}  (not in the worktree: deleted on one side)`;
  if (f.blocks.length === 0) return `${f.file}  (no conflict markers left)`;
  return `${f.file}:${f.blocks[0].startLine}  (conflict markers at lines ${f.blocks.map((b) => `${b.startLine}-${b.endLine}`).join(', ')})`;
}

function printFiles(r: Resolving, files: Marked[]): void {
  r.out(files.length === 0 ? 'No file is left unmerged.' : `${files.length} file${files.length === 1 ? '' : 's'} to resolve:`);
  for (const f of files) r.out(`  ${fileLine(f)}`);
}

function printNext(r: Resolving): void {
  r.out('');
  r.out('Edit each file: keep what both sides need and remove the markers (<<<<<<<, =======, >>>>>>>). Then:');
  r.out(`  ${r.next('resolve', ' --commit')}   commit the resolution on ${r.branch}`);
  r.out(`  ${r.next('resolve', ' --abort')}    or drop it`);
}

function locked<T>(r: Resolving, what: string, work: () => Promise<T>): Promise<T> {
  return withPhaseLock(new PhaseLocks(r.engine.conductorDir), r.phase, `conductor resolve ${r.phase.number}${what}`, work);
}

function json(r: Resolving, value: object): number {
  r.io.stdout(`${JSON.stringify(value, null, 2)}\n`);
  return EXIT.ok;
}

/** The user's to fix (markers left, nothing to commit): said plainly on stderr, exit 1. */
function fail(r: Resolving, message: string, extra: object = {}): number {
  r.io.stderr(`conductor: ${plainText(message.split('\n')[0])}\n${message.split('\n').slice(1).map((l) => `${plainText(l)}\n`).join('')}`);
  if (r.flags.json) r.io.stdout(`${JSON.stringify({ phase: r.phase.number, ok: false, error: message.split('\n')[0], ...extra }, null, 2)}\n`);
  return EXIT.failed;
}

/** The options a follow-up command needs to find the same plan and worktrees, quoted for a shell. */
function carriedOptions(flags: ResolveFlags): string {
  const pairs: [string, string | undefined][] = [
    ['--root', flags.root],
    ['--spec', flags.spec],
    ...(flags.contracts ?? []).map((c): [string, string] => ['--contracts', c]),
    ['--worktree-root', flags['worktree-root']],
  ];
  return pairs
    .filter((p): p is [string, string] => p[1] !== undefined)
    .map(([name, value]) => ` ${name} ${/^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, "'\\''")}'`}`)
    .join('');
}
