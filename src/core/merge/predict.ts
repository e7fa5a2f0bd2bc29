// Live conflict prediction between the modules of a phase: which pairs would conflict if merged
// now, and which module is changing files another module's contract owns. Pure; git lives in
// src/infra/git/predictor.ts.
import picomatch from 'picomatch';
import type { ConflictKind, MergeCheck } from './conflicts';

export interface PredictModule {
  id: string;
  branch: string;
  /** The module's worktree; its uncommitted work counts. Null: only the branch is looked at. */
  worktree: string | null;
  /** The `owns` globs of the module's contract (relative to the repository root). */
  owns: readonly string[];
  /** The commit the module started from; without it, changes are taken since the merge-base with each owner. */
  base?: string | null;
}

/**
 * A predicted conflict between modules a and b. startLine/endLine are lines of a's version of the
 * file, bStartLine/bEndLine of b's (1-based, inclusive; an empty side has end = start - 1). All four
 * are 0 for a conflict about the whole file (modify/delete, rename, binary…).
 */
export interface PredictedConflict {
  file: string;
  kind: ConflictKind;
  startLine: number;
  endLine: number;
  bStartLine: number;
  bEndLine: number;
}

export interface PairPrediction {
  a: string;
  b: string;
  conflicts: PredictedConflict[];
}

export interface OwnershipViolation {
  /** The module that changed the file. */
  module: string;
  file: string;
  /** The module whose contract owns it. */
  owner: string;
}

export interface Prediction {
  /** Only pairs with a predicted conflict, in input order. */
  pairs: PairPrediction[];
  ownershipViolations: OwnershipViolation[];
}

/** Every unordered pair, in input order: (0,1), (0,2), …, (1,2), … */
export function pairsOf<T>(items: readonly T[]): [T, T][] {
  const out: [T, T][] = [];
  for (let i = 0; i < items.length; i++) for (let j = i + 1; j < items.length; j++) out.push([items[i], items[j]]);
  return out;
}

/** One entry per conflicting hunk, or one whole-file entry for a conflict without hunks. */
export function pairConflicts(check: MergeCheck): PredictedConflict[] {
  if (check.clean) return [];
  return check.conflicts.flatMap((c) =>
    c.ranges.length === 0
      ? [{ file: c.file, kind: c.kind, startLine: 0, endLine: 0, bStartLine: 0, bEndLine: 0 }]
      : c.ranges.map((r) => ({ file: c.file, kind: c.kind, startLine: r.startLine, endLine: r.endLine, bStartLine: r.theirsStartLine, bEndLine: r.theirsEndLine })),
  );
}

/**
 * Whether a repository path is owned by a set of `owns` globs. A glob without wildcards names a
 * file or a whole folder (as in the plan's overlap check); `!glob` excludes.
 */
export function ownsMatcher(globs: readonly string[]): (file: string) => boolean {
  const clean = globs.map((g) => g.trim()).filter((g) => g !== '' && g !== '!');
  const compile = (patterns: string[]): ((file: string) => boolean) => {
    const tests = patterns.map((raw) => {
      const g = raw.replace(/^\.\//, '').replace(/\/+$/, '/**');
      if (picomatch.scan(g).isGlob) return picomatch(g, { dot: true });
      return (file: string) => file === g || file.startsWith(`${g}/`);
    });
    return (file) => tests.some((t) => t(file));
  };
  const include = compile(clean.filter((g) => !g.startsWith('!')));
  const exclude = compile(clean.filter((g) => g.startsWith('!')).map((g) => g.slice(1)));
  return (file) => include(file) && !exclude(file);
}

/**
 * Files `module` changed that another module owns. A file the changing module owns as well is not
 * reported (overlapping ownership is the plan check's concern).
 */
export function ownershipViolations(
  module: string,
  changed: readonly string[],
  owners: readonly { id: string; owns: (file: string) => boolean }[],
): OwnershipViolation[] {
  const own = owners.find((o) => o.id === module);
  const out: OwnershipViolation[] = [];
  for (const file of changed) {
    if (own?.owns(file)) continue;
    for (const o of owners) if (o.id !== module && o.owns(file)) out.push({ module, file, owner: o.id });
  }
  return out;
}

/** Orders and deduplicates violations found through several baselines. */
export function uniqueViolations(list: readonly OwnershipViolation[]): OwnershipViolation[] {
  const seen = new Map<string, OwnershipViolation>();
  for (const v of list) seen.set(`${v.module}\0${v.owner}\0${v.file}`, v);
  return [...seen.values()].sort((x, y) => x.module.localeCompare(y.module) || x.file.localeCompare(y.file) || x.owner.localeCompare(y.owner));
}

/** Fields before the path in `git status --porcelain=v2` entries: ordinary, renamed or copied, unmerged, untracked. */
const V2_FIELDS: Record<string, number> = { '1': 8, '2': 9, u: 10, '?': 1 };

/**
 * `git status --porcelain=v2 -z --branch` output: the HEAD commit (null before the first commit)
 * and the changed paths, untracked ones included (a rename's source skipped) — both from one process.
 */
export function statusV2(porcelainZ: string): { head: string | null; paths: string[] } {
  let head: string | null = null;
  const paths: string[] = [];
  const parts = porcelainZ.split('\0');
  for (let i = 0; i < parts.length; i++) {
    const entry = parts[i];
    if (entry.startsWith('# branch.oid ')) {
      const oid = entry.slice('# branch.oid '.length);
      head = oid === '(initial)' ? null : oid;
      continue;
    }
    const fields = V2_FIELDS[entry[0]];
    if (fields === undefined) continue;
    let at = 0;
    for (let f = 0; f < fields && at >= 0; f++) at = entry.indexOf(' ', at) + 1 || -1;
    if (at > 0) paths.push(entry.slice(at));
    if (entry[0] === '2') i++; // the rename's or copy's source follows
  }
  return { head, paths };
}
