// Review Changes: which files a module (or a phase's integration result) changed against its base,
// and what each side of its diff shows. Pure: src/infra/git/changes.ts asks git, the vscode layer
// turns the entries into the multi-file diff editor's uris.
import type { ModuleRecord, PhaseRun } from '../run/model';

export type ChangeKind = 'added' | 'modified' | 'deleted';

export interface ChangedFile {
  /** Repository-relative, forward slashes. */
  path: string;
  kind: ChangeKind;
}

/**
 * `git diff --name-status -z --no-renames` output: status and path, each NUL-terminated. A type
 * change counts as modified; unmerged paths (a fix round's conflict markers) too.
 */
export function parseNameStatus(out: string): ChangedFile[] {
  const parts = out.split('\0');
  const files: ChangedFile[] = [];
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const status = parts[i].trim();
    const path = parts[i + 1];
    if (!status || !path) continue;
    files.push({ path, kind: status.startsWith('A') ? 'added' : status.startsWith('D') ? 'deleted' : 'modified' });
  }
  return files;
}

/** The diff's files with the untracked ones (`git ls-files --others --exclude-standard -z`) as added, sorted by path. */
export function withUntracked(files: readonly ChangedFile[], untrackedOut: string): ChangedFile[] {
  const known = new Set(files.map((f) => f.path));
  const untracked = untrackedOut
    .split('\0')
    .filter((p) => p && !known.has(p))
    .map((path): ChangedFile => ({ path, kind: 'added' }));
  return [...files, ...untracked].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** One side of a file's diff: the file on disk (the worktree's, while its agent works), the file at a commit, or nothing. */
export type DiffSide = { kind: 'disk' } | { kind: 'commit'; commit: string } | null;

export interface ReviewEntry {
  path: string;
  original: DiffSide;
  modified: DiffSide;
}

/** What is compared: `base` against the working tree of `dir` (tip null) or against the commit `tip`. */
export interface ReviewSource {
  title: string;
  /** The directory the paths are in: the module's worktree, or the repository. */
  dir: string;
  /** A revision whose merge-base with `tip` (or the worktree's HEAD) is the left side. */
  base: string;
  tip: string | null;
}

/** Added files have nothing on the left, deleted ones nothing on the right. */
export function reviewEntries(files: readonly ChangedFile[], base: string, tip: string | null): ReviewEntry[] {
  const right: DiffSide = tip === null ? { kind: 'disk' } : { kind: 'commit', commit: tip };
  return files.map((f) => ({
    path: f.path,
    original: f.kind === 'added' ? null : { kind: 'commit', commit: base },
    modified: f.kind === 'deleted' ? null : right,
  }));
}

/**
 * A module's changes: its worktree (committed and uncommitted work) against the commit its branch
 * started from; its branch tip instead when the worktree is gone. Null with a reason when there is nothing to compare.
 */
export function moduleReview(phase: { number: number }, record: ModuleRecord, repoRoot: string, worktreeExists: boolean): ReviewSource | { unavailable: string } {
  if (!record.baseCommit) return { unavailable: `${record.id} has not started yet: it has no changes to review.` };
  const title = `${record.id} (Phase ${phase.number}): changes`;
  if (worktreeExists) return { title, dir: record.worktree, base: record.baseCommit, tip: null };
  return { title, dir: repoRoot, base: record.baseCommit, tip: record.branch };
}

/** A phase's integration result (the integration branch's tip, else its checkpoint) against the commit the phase started from. */
export function phaseReview(run: PhaseRun, repoRoot: string, integrationTip: string | null, checkpoint: string | null): ReviewSource | { unavailable: string } {
  const tip = integrationTip ?? checkpoint;
  if (!tip) return { unavailable: `phase ${run.number} has no integration result yet: run Merge & Validate first.` };
  return { title: `Phase ${run.number}: ${run.name} — integration result`, dir: repoRoot, base: run.baseCommit, tip };
}

/** The query of a read-only git uri (`<scheme>:<absolute path>?<query>`): the commit and the repository-relative path. */
export function gitQuery(commit: string, path: string): string {
  return new URLSearchParams({ commit, path }).toString();
}

export function parseGitQuery(query: string): { commit: string; path: string } | null {
  const q = new URLSearchParams(query);
  const commit = q.get('commit');
  const path = q.get('path');
  return commit && /^[0-9a-f]{7,64}$/.test(commit) && path && !path.includes('\n') ? { commit, path } : null;
}
