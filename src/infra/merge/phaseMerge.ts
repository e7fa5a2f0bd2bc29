// Merge & Validate for one phase: the completed module branches are merged, one at a time in wave
// order, into `conductor/integration/<phase>` — by merge-tree, commits written through a long-lived
// hash-object and compare-and-swaps of the ref, never in the user's checkout; the integration
// worktree is filled meanwhile — then the result is validated in the integration worktree
// (expected files; check, lint and test commands when trusted; the TODO scan).
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Plan, PlannedPhase } from '../../core/model';
import { contractFileOf, integrationBranch, integrationWorktree, mergeMessage, mergeOrder, nextStep, type NotMergedCause } from '../../core/merge/planMerge';
import { intoDecision, mergeVerdict, notMergedSummary, type NotMerged } from '../../core/merge/mergeVerdict';
import type { ModuleRecord, PhaseRun } from '../../core/run/model';
import type { GitExec } from '../git/gitRunner';
import type { GitRepo } from '../git/repo';
import type { MergeTree } from '../git/mergeTree';
import type { Worktrees } from '../git/worktrees';
import type { Conflict } from '../../core/merge/conflicts';
import { notRunResults } from '../../core/validate/notRun';
import { Validator, type ValidationResult } from '../validate/validator';
import { lastTouchedBy } from '../validate/attribution';
import { attributeLines } from '../validate/lineAttribution';
import { findCommits } from '../git/objects';
import { mergeHeadAt, ResolutionInProgressError } from './conflictResolution';
import { MergeJournal } from './journal';
import { IntegrationWriter } from '../git/integrationWriter';

export interface ConflictRecord {
  module: string;
  with: string[];
  file: string;
  kind: Conflict['kind'];
  startLine: number;
  endLine: number;
  theirsStartLine: number;
  theirsEndLine: number;
}

export interface MergeResult {
  phase: number;
  integrationBranch: string;
  integrationWorktree: string;
  integrationCommit: string;
  merged: string[];
  /** Modules not even tried: not complete, a dependency not merged, or their branch is gone. */
  skipped: { module: string; reason: string }[];
  /** Every module of the phase that is not in the result, with why (skipped and conflicting ones). */
  notMerged: NotMerged[];
  conflicts: ConflictRecord[];
  validation: ValidationResult[];
  /** What was merged validated: no error finding, and every command that should run ran. */
  validated: boolean;
  /** `partial`: the branch got only part of the phase (--partial), the modules in notMerged are missing. */
  into: { branch: string; commit: string; partial: boolean } | null;
  /** Every module of the phase merged and the result validated. */
  ok: boolean;
  /** Not every module merged, but something was and it validated: what --partial accepts. */
  partial: boolean;
  mergeMs: number;
  validateMs: number;
  finishedAt: string;
}

export interface MergeOptions {
  worktreeRoot: string;
  /** Commands run only in a trusted repository; false skips them (said in the result). */
  trust: boolean;
  /** Test commands (the phase's, or an override). */
  commands: readonly string[];
  /** Lint and check commands; the phase's when not given. */
  lintCommands?: readonly string[];
  checkCommands?: readonly string[];
  into: string | null;
  /** Let `into` take a partial phase: what was merged validated though some modules were not merged. */
  partial?: boolean;
  /** Where the previous phase's integration result is, to start from it (null: the phase base). */
  startFrom: string | null;
  note?: (text: string) => void;
  /** Called when the merge is over and the validation begins. */
  onValidate?: () => void;
}

export interface MergeDeps {
  git: GitExec;
  repo: GitRepo;
  worktrees: Worktrees;
  mergeTree: MergeTree;
  conductorDir: string;
}

export async function mergePhase(phase: PlannedPhase, run: PhaseRun, deps: MergeDeps, options: MergeOptions): Promise<MergeResult> {
  const note = options.note ?? (() => undefined);
  const { repo } = deps;
  const ref = `refs/heads/${integrationBranch(run.slug)}`;
  const worktree = integrationWorktree(options.worktreeRoot, run.slug);
  const journal = new MergeJournal(path.join(deps.conductorDir, 'merge', `${run.slug}.journal.jsonl`));
  const started = Date.now();

  // The integration branch starts at the phase base (or the previous phase's integration result).
  let tip = await repo.refTip(ref);
  if (tip === null) {
    const start = await repo.resolve(options.startFrom ?? run.baseCommit);
    await journal.append({ step: 'create', ref, commit: start });
    await repo.compareAndSwap(ref, start, null);
    tip = start;
  } else {
    const last = await journal.last();
    if (last && last.step === 'intent') note(`Recovering an interrupted merge: ${integrationBranch(run.slug)} is at ${tip.slice(0, 8)}.`);
  }
  // Registered now (so a path or branch in the way fails before any ref moves). The merges happen in
  // git's object store, so a new worktree is filled at the start commit while they run, and moved to
  // the result at the end, rewriting only what the merges changed.
  const [ensured] = await deps.worktrees.ensure([{ branch: integrationBranch(run.slug), path: worktree, startPoint: tip }], { checkout: false });
  if (ensured.status === 'failed') throw new Error(`cannot create the integration worktree: ${ensured.message}`);
  // A conflict being resolved there (Resolve in Merge Editor) is the user's work: never reset it away.
  const resolving = await mergeHeadAt(deps.git, worktree);
  if (resolving) {
    throw new ResolutionInProgressError(`a merge conflict is being resolved in ${worktree} (MERGE_HEAD ${resolving.slice(0, 8)}): commit the resolution (Conductor: Commit Resolved Merge, or conductor resolve ${phase.number} --commit) or abort it (conductor resolve ${phase.number} --abort) first`);
  }
  const filledAt = tip;
  // Settled (never rejected) so that a failing merge loop still waits for it before reporting.
  const filling = ensured.status === 'reused' ? null : deps.worktrees.populate(worktree, filledAt).then(() => null, (e: unknown) => e);

  const merged = new Set<string>();
  const failed = new Map<string, string>();
  const reasons = new Map<string, { cause: NotMergedCause; reason: string }>();
  const skipped: MergeResult['skipped'] = [];
  const conflicts: ConflictRecord[] = [];
  const mergedTips: { id: string; tip: string }[] = [];
  const order = mergeOrder(run);
  // Every module branch's commit by one process, and which of them cannot be in the integration
  // branch yet by another, instead of a rev-parse and an is-ancestor check per module.
  const tips = await branchTips(deps, order.map((m) => m.branch));
  // Each commit once: of two modules at one commit, the second finds it among the tips merged.
  const independent = await repo.independentOf(tip, [...new Set(tips.values())].filter((t): t is string => t !== null));
  const created = new Set<string>();
  // Opened at the first merge that makes a commit, closed (its processes ended) when the loop ends.
  let writer: Promise<IntegrationWriter> | null = null;
  try {
    for (const m of order) {
      const step = nextStep(m, merged, failed);
      if (step.type === 'skip') {
        skipped.push({ module: m.id, reason: step.reason });
        reasons.set(m.id, { cause: step.cause, reason: step.reason });
        failed.set(m.id, 'not merged');
        continue;
      }
      const moduleTip = tips.get(m.branch) ?? null;
      if (moduleTip === null) {
        // Deleted by hand (or never made): this module is reported; the others still merge.
        const reason = `its branch ${m.branch} does not exist (deleted?); nothing of it was merged`;
        skipped.push({ module: m.id, reason });
        reasons.set(m.id, { cause: 'branch-missing', reason });
        failed.set(m.id, 'branch missing');
        note(`${m.id}: its branch ${m.branch} is missing; not merged.`);
        continue;
      }
      // The integration branch holds its first commit, the merges made here and what they merged: a
      // module tip that is none of those (`independent`) is not in it; any other is asked of git.
      const contained = mergedTips.some((t) => t.tip === moduleTip) || (independent.has(moduleTip) && !created.has(moduleTip) ? false : await repo.isAncestorOf(moduleTip, tip));
      if (contained) {
        // Merged by an earlier (possibly interrupted) run, or another module at this commit was.
        merged.add(m.id);
        mergedTips.push({ id: m.id, tip: moduleTip });
        continue;
      }
      const message = mergeMessage(m, contractFileOf(phase, m.id));
      // The merge that makes the commit (integration first, as `git merge` would); only when it does
      // not merge cleanly, the module-first merge-tree that describes the conflicts at their lines.
      writer ??= IntegrationWriter.open(deps.git, repo);
      const result = await repo.mergeCommitIds(tip, moduleTip, message, await writer);
      if ('conflicts' in result) {
        const check = await deps.mergeTree.merge(moduleTip, tip);
        failed.set(m.id, 'conflicts');
        if (check.clean) {
          reasons.set(m.id, { cause: 'conflicts', reason: `it conflicts in ${result.conflicts.join(', ')}` });
          continue;
        }
        reasons.set(m.id, { cause: 'conflicts', reason: `it conflicts in ${[...new Set(check.conflicts.map((c) => c.file))].join(', ')}` });
        for (const c of check.conflicts) conflicts.push(...(await describeConflict(deps, m, c, run.baseCommit, tip, mergedTips)));
        note(`${m.id}: conflicts in ${[...new Set(check.conflicts.map((c) => c.file))].join(', ')}; not merged.`);
        continue;
      }
      await journal.append({ step: 'intent', module: m.id, old: tip, new: result.commit });
      await (await writer).compareAndSwap(ref, result.commit, tip);
      await journal.append({ step: 'merged', module: m.id, commit: result.commit });
      tip = result.commit;
      created.add(tip);
      merged.add(m.id);
      mergedTips.push({ id: m.id, tip: moduleTip });
      note(`${m.id}: merged.`);
    }
  } catch (e) {
    // Ending the processes is all that is left to do: the failure is what is reported.
    await writer?.then((w) => w.close()).catch(() => undefined);
    await filling;
    throw e;
  }
  if (writer) await (await writer).close();
  // The worktree follows the ref (it is ours: nothing of the user's lives there). One made by this
  // run moves from the start commit to the result. One from an earlier run is reset to it.
  if (filling) {
    const failure = await filling;
    if (failure) throw failure;
    await deps.worktrees.advance(worktree, filledAt, tip);
  } else {
    await deps.git.run(worktree, ['reset', '--hard', '--quiet', tip]);
    await deps.git.run(worktree, ['clean', '-fdq']);
  }
  const mergeMs = Date.now() - started;

  options.onValidate?.();
  const validateStart = Date.now();
  const mergedBranches = new Map(run.modules.filter((m) => merged.has(m.id)).map((m) => [m.id, m.branch]));
  const { validation, validated, untrusted } = await validateMerged(phase, run, deps, options, { worktree, tip, mergedBranches });
  const validateMs = Date.now() - validateStart;
  // Every module of the phase counts: a failed or unfinished one is missing from the result too.
  const verdict = mergeVerdict({ modules: mergeOrder(run).map((m) => m.id), merged, reasons, validated });
  const missing = notMergedSummary(verdict.notMerged, run.modules.length);
  if (missing) note(`${missing}.`);

  let into: MergeResult['into'] = null;
  if (options.into) {
    const decision = intoDecision({ verdict, mergedCount: merged.size, validated, untrusted, partialAllowed: options.partial ?? false });
    if (!decision.move) note(`${options.into} was not moved: ${decision.why}.`);
    else {
      into = { ...(await bringInto(deps, options.into, tip, note)), partial: decision.partial };
      if (decision.partial) note(`${options.into} got a partial phase ${run.number}: ${verdict.notMerged.map((n) => n.module).join(', ')} not merged.`);
    }
  }
  await journal.append({ step: 'done', commit: tip });
  return {
    phase: run.number,
    integrationBranch: integrationBranch(run.slug),
    integrationWorktree: worktree,
    integrationCommit: tip,
    merged: [...merged],
    skipped,
    notMerged: verdict.notMerged,
    conflicts,
    validation,
    validated,
    into,
    ok: verdict.ok,
    partial: verdict.partial,
    mergeMs,
    validateMs,
    finishedAt: new Date().toISOString(),
  };
}

/**
 * Validates the integration result: check, lint and test commands only when trusted (else said as
 * not run, and then it is not validated); findings at a line go to the module that wrote that line.
 */
async function validateMerged(
  phase: PlannedPhase,
  run: PhaseRun,
  deps: MergeDeps,
  options: MergeOptions,
  at: { worktree: string; tip: string; mergedBranches: ReadonlyMap<string, string> },
): Promise<{ validation: ValidationResult[]; validated: boolean; untrusted: boolean }> {
  const checks = options.checkCommands ?? phase.checkCommands.map((c) => c.value);
  const lints = options.lintCommands ?? phase.lintCommands.map((c) => c.value);
  const tests = options.commands;
  const touched = await lastTouchedBy(deps.repo.root, at.tip, run.baseCommit, at.mergedBranches, deps.git);
  const found = await new Validator().validate({
    worktree: at.worktree,
    base: run.baseCommit,
    phase,
    checkCommands: options.trust ? checks : [],
    lintCommands: options.trust ? lints : [],
    commands: options.trust ? tests : [],
    lastTouchedBy: touched,
  });
  const validation = await attributeLines(deps.repo.root, at.tip, run.baseCommit, at.mergedBranches, found, deps.git);
  const untrusted = !options.trust && checks.length + lints.length + tests.length > 0;
  if (untrusted) validation.push(...notRunResults([['check-command', checks], ['lint-command', lints], ['test-command', tests]]));
  const validated = !untrusted && validation.every((v) => !v.findings.some((f) => f.severity === 'error'));
  return { validation, validated, untrusted };
}

/** Each branch's commit (null: no such branch), by one `cat-file --batch-check`. */
async function branchTips(deps: MergeDeps, branches: readonly string[]): Promise<Map<string, string | null>> {
  const names = [...new Set(branches)];
  // A name git could not be asked about in a batch (a line break) names no branch either.
  const askable = names.filter((b) => b !== '' && !/[\n\0]/.test(b));
  const found = await findCommits(deps.git, deps.repo.root, askable.map((b) => `refs/heads/${b}`));
  const tips = new Map<string, string | null>(names.map((b) => [b, null]));
  askable.forEach((b, i) => tips.set(b, found[i]));
  return tips;
}

/** One record per conflicting range, naming the merged modules that last touched those lines. */
async function describeConflict(
  deps: MergeDeps,
  m: ModuleRecord,
  c: Conflict,
  base: string,
  integrationTip: string,
  mergedTips: { id: string; tip: string }[],
): Promise<ConflictRecord[]> {
  const ranges = c.ranges.length > 0 ? c.ranges : [{ startLine: 1, endLine: 1, theirsStartLine: 1, theirsEndLine: 1 }];
  const out: ConflictRecord[] = [];
  for (const r of ranges) {
    // An empty range on the integration side (end < start) means it has no lines there to blame.
    const blamable = c.ranges.length > 0 && r.theirsEndLine >= r.theirsStartLine;
    const commits = blamable ? await blameCommits(deps.git, deps.repo.root, integrationTip, c.theirsFile ?? c.file, r.theirsStartLine, r.theirsEndLine) : null;
    const withModules: string[] = [];
    for (const other of mergedTips) {
      const touched = commits
        ? await someAsync(commits, async (sha) => (await deps.repo.isAncestorOf(sha, other.tip)) && !(await deps.repo.isAncestorOf(sha, base)))
        : await changesFile(deps.git, deps.repo.root, base, other.tip, c.file);
      if (touched) withModules.push(other.id);
    }
    out.push({ module: m.id, with: withModules, file: c.file, kind: c.kind, ...r });
  }
  return out;
}

async function blameCommits(git: GitExec, root: string, rev: string, file: string, start: number, end: number): Promise<string[]> {
  const r = await git.run(root, ['blame', '--porcelain', '-L', `${start},${Math.max(start, end)}`, rev, '--', file], { readOnly: true, allowExitCodes: [128] });
  if (r.exitCode !== 0) return [];
  return [...new Set(r.stdout.split('\n').filter((l) => /^[0-9a-f]{40} \d+ \d+/.test(l)).map((l) => l.slice(0, 40)))];
}

async function changesFile(git: GitExec, root: string, base: string, tip: string, file: string): Promise<boolean> {
  const r = await git.run(root, ['diff', '--name-only', '--no-renames', base, tip, '--', file], { readOnly: true });
  return r.stdout.trim() !== '';
}

async function someAsync<T>(xs: readonly T[], f: (x: T) => Promise<boolean>): Promise<boolean> {
  for (const x of xs) if (await f(x)) return true;
  return false;
}

/** `--into`: fast-forward (or merge) the user's branch to the validated result — the one time a user branch moves, on request. */
export async function bringInto(deps: MergeDeps, branch: string, tip: string, note: (t: string) => void): Promise<{ branch: string; commit: string }> {
  const { repo, git } = deps;
  const ref = `refs/heads/${branch}`;
  const current = await repo.refTip(ref);
  if (current === null) throw new Error(`there is no branch ${branch}`);
  const checkedOut = (await git.run(repo.root, ['symbolic-ref', '--quiet', 'HEAD'], { allowExitCodes: [1], readOnly: true })).stdout.trim() === ref;
  if (checkedOut) {
    if ((await repo.changedFiles()).length > 0) throw new Error(`${branch} is checked out with uncommitted changes; commit or stash them first`);
    await git.run(repo.root, ['merge', '--no-edit', tip]);
  } else {
    const merged = await repo.mergeCommits(current, [tip], `conductor: bring ${path.basename(tip)} into ${branch}`);
    if ('conflicts' in merged) throw new Error(`the result conflicts with ${branch} (${merged.conflicts.join(', ')})`);
    await repo.compareAndSwap(ref, merged.commit, current);
  }
  const commit = (await repo.refTip(ref))!;
  note(`${branch} is now at ${commit.slice(0, 8)}.`);
  return { branch, commit };
}

export async function writeMergeResult(conductorDir: string, slug: string, result: MergeResult): Promise<void> {
  const file = path.join(conductorDir, 'merge', `${slug}.json`);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(`${file}.tmp`, JSON.stringify(result, null, 2));
  await fs.rename(`${file}.tmp`, file);
}

export async function readMergeResult(conductorDir: string, slug: string): Promise<MergeResult | null> {
  try {
    return JSON.parse(await fs.readFile(path.join(conductorDir, 'merge', `${slug}.json`), 'utf8')) as MergeResult;
  } catch {
    return null;
  }
}

/**
 * Where a phase's integration branch starts: the integration result of the phase it depends on
 * (the latest one that has been merged), so phases build on each other; else its own base commit.
 */
export async function previousIntegration(repo: GitRepo, plan: Plan, phase: PlannedPhase, base: string): Promise<string | null> {
  for (const number of [...phase.dependsOn].reverse()) {
    const dep = plan.phases.find((p) => p.number === number);
    if (!dep) continue;
    const tip = await repo.refTip(`refs/heads/${integrationBranch(dep.slug)}`);
    // Only when it is ahead of the base: a result already in the user's branch adds nothing.
    if (tip && !(await repo.isAncestorOf(tip, base))) return tip;
  }
  return null;
}
