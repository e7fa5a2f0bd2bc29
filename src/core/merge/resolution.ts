// Resolving a module's merge conflict by hand: the module's branch is merged into the phase's
// integration worktree with the conflict left in progress (git's MERGE_HEAD, the index's stages,
// markers in the files), the user resolves each file, and the resolution is committed on the
// integration branch — where Merge & Validate finds the module merged (its tip is an ancestor).
// Pure: what git printed, and the decisions on it; infra/merge/conflictResolution.ts runs git.
import { scanConflictMarkers } from './conflicts';

/** One file the merge left unmerged, with the blob of each side git keeps in the index (null: that side has no file). */
export interface UnmergedFile {
  path: string;
  /** Stage 1: the merge base's version. */
  base: string | null;
  /** Stage 2: the integration branch's version (HEAD of the integration worktree). */
  ours: string | null;
  /** Stage 3: the module's version (MERGE_HEAD). */
  theirs: string | null;
}

/** A merge of `module` in progress in a phase's integration worktree. */
export interface ResolutionInProgress {
  /** The module whose tip MERGE_HEAD is; null when it is none of the phase's modules (someone else's merge). */
  module: string | null;
  mergeHead: string;
  /** Files still unmerged in the index (resolved ones were staged). */
  unmerged: UnmergedFile[];
}

/** What preparing the merge did: a conflict to resolve, or a merge that went through on its own. */
export type PrepareOutcome =
  | { kind: 'conflicts'; module: string; worktree: string; files: UnmergedFile[]; resumed: boolean }
  | { kind: 'merged'; module: string; commit: string; why: string };

/** The port the editor drives; infra/merge/conflictResolution.ts implements it with git. */
export interface ConflictResolutionPort {
  /** Merges `module`'s branch into the integration worktree without committing; conflicts stay for the user. */
  prepare(module: string): Promise<PrepareOutcome>;
  /** The merge in progress in the integration worktree, or null. */
  inProgress(): Promise<ResolutionInProgress | null>;
  /** Stages the resolved files and commits the merge on the integration branch; refuses while a file holds markers. */
  commit(): Promise<{ module: string; commit: string }>;
  /** Drops the merge in progress, the integration worktree back at its branch's tip. */
  abort(): Promise<void>;
}

/** `git ls-files --unmerged -z`: `<mode> <object> <stage>\t<path>\0` per stage present. */
export function parseUnmerged(stdout: string): UnmergedFile[] {
  const byPath = new Map<string, UnmergedFile>();
  for (const entry of stdout.split('\0')) {
    const m = /^(\d{6}) ([0-9a-f]{40,64}) ([123])\t([\s\S]+)$/.exec(entry);
    if (!m) continue;
    const [, , blob, stage, file] = m;
    const f = byPath.get(file) ?? { path: file, base: null, ours: null, theirs: null };
    if (stage === '1') f.base = blob;
    else if (stage === '2') f.ours = blob;
    else f.theirs = blob;
    byPath.set(file, f);
  }
  return [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** The 1-based line ranges of the conflict blocks still in a file (markers included): where its diagnostics go. */
export function markerRanges(text: string): { startLine: number; endLine: number }[] {
  return scanConflictMarkers(text).map((b) => ({ startLine: b.markerStart + 1, endLine: b.markerEnd + 1 }));
}

/**
 * Why the resolution cannot be committed yet, or null: a file that still holds conflict markers.
 * `files` are the unmerged files with their text in the worktree (null: the file was deleted, a resolution too).
 */
export function commitRefusal(files: readonly { path: string; text: string | null }[]): string | null {
  const marked = markedFiles(files);
  if (marked.length === 0) return null;
  return `${marked.join(', ')} still ${marked.length === 1 ? 'holds' : 'hold'} conflict markers; resolve ${marked.length === 1 ? 'it' : 'them'} (Resolve in Merge Editor) and save first`;
}

/** The files that still hold conflict markers (null text: deleted, no markers). */
export function markedFiles(files: readonly { path: string; text: string | null }[]): string[] {
  return files.filter((f) => f.text !== null && markerRanges(f.text).length > 0).map((f) => f.path);
}

/** Which module a MERGE_HEAD belongs to: the one whose branch tip it is. */
export function moduleAt(mergeHead: string, tips: readonly { module: string; tip: string | null }[]): string | null {
  return tips.find((t) => t.tip === mergeHead)?.module ?? null;
}
