// Parsing of `git merge-tree --write-tree` output (git ≥ 2.38), as documented in git-merge-tree(1):
//   <tree oid> NUL
//   <mode> SP <object> SP <stage> TAB <path> NUL          (conflicted file info, one per stage)
//   NUL                                                    (the messages section starts)
//   <n> NUL <path1> NUL … <pathN> NUL <type> NUL <message> NUL   (informational messages)
// With --stdin each merge is preceded by `<status> NUL` (1 clean, 0 conflicted) and followed by NUL.
import type { ConflictKind } from './conflicts';

export interface MergeTreeEntry {
  mode: string;
  object: string;
  /** 1 = common ancestor, 2 = ours (the first commit), 3 = theirs (the second). */
  stage: number;
  path: string;
}

export interface MergeTreeMessage {
  /** Paths the message is about (with -z; best effort without). */
  paths: string[];
  /** Stable type, e.g. `CONFLICT (contents)`, `CONFLICT (binary)`, `Auto-merging`. */
  type: string;
  message: string;
}

export interface MergeTreeResult {
  /** The written tree (with conflict markers in conflicted files), or null when there was none. */
  tree: string | null;
  entries: MergeTreeEntry[];
  messages: MergeTreeMessage[];
}

export interface MergeTreeStdinResult extends MergeTreeResult {
  /** `merge-tree --stdin` status: 1 clean, 0 conflicted, negative when git could not merge. */
  status: number;
}

const OID = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;
const ENTRY = /^([0-7]{6}) ([0-9a-f]{40}(?:[0-9a-f]{24})?) ([0-3])\t([\s\S]+)$/;

class OutputError extends Error {
  override readonly name = 'MergeTreeOutputError';
}

function entryOf(token: string, unquote: (s: string) => string): MergeTreeEntry | null {
  const m = ENTRY.exec(token);
  return m ? { mode: m[1], object: m[2], stage: Number(m[3]), path: unquote(m[4]) } : null;
}

/** Conflicted file info, then the messages section; returns the index after what it read. */
function parseBody(tokens: readonly string[], from: number, result: MergeTreeResult, stdin: boolean): number {
  let i = from;
  for (let e: MergeTreeEntry | null; i < tokens.length && (e = entryOf(tokens[i], (s) => s)); i++) result.entries.push(e);
  if (i >= tokens.length) return i;
  if (tokens[i] !== '') throw new OutputError(`unexpected "${tokens[i].slice(0, 80)}" after the conflicted file info`);
  i++; // the NUL that starts the messages section
  while (i < tokens.length && tokens[i] !== '') {
    if (!/^\d+$/.test(tokens[i])) throw new OutputError(`expected a path count, found "${tokens[i].slice(0, 80)}"`);
    const n = Number(tokens[i]);
    if (i + n + 2 >= tokens.length) throw new OutputError('a message record is cut short');
    result.messages.push({ paths: tokens.slice(i + 1, i + 1 + n), type: tokens[i + n + 1], message: tokens[i + n + 2] });
    i += n + 3;
  }
  if (stdin && i >= tokens.length) throw new OutputError('a merge is not terminated by NUL');
  return i;
}

/** Git's C-style quoting of unusual paths (core.quotePath), used without -z. */
function unquoteC(s: string): string {
  if (!(s.length >= 2 && s.startsWith('"') && s.endsWith('"'))) return s;
  const bytes: number[] = [];
  const simple: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92, '"': 34 };
  const body = s.slice(1, -1);
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c !== '\\') {
      bytes.push(...new TextEncoder().encode(c));
      continue;
    }
    const next = body[++i];
    if (/[0-7]/.test(next)) {
      bytes.push(parseInt(body.slice(i, i + 3), 8));
      i += 2;
    } else {
      bytes.push(simple[next] ?? next.charCodeAt(0));
    }
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}

/**
 * One merge's output. With `nul` (-z) the messages are parsed into records; without it they are
 * prose for humans, kept as one message per line and tied to the conflicted paths they mention.
 */
export function parseMergeTreeOutput(stdout: string, nul: boolean): MergeTreeResult {
  if (nul) {
    const tokens = stdout.split('\0');
    const tree = OID.test(tokens[0]) ? tokens[0] : null;
    const result: MergeTreeResult = { tree, entries: [], messages: [] };
    if (tree) parseBody(tokens, 1, result, false);
    return result;
  }
  const lines = stdout.split('\n');
  const tree = OID.test(lines[0]) ? lines[0] : null;
  const result: MergeTreeResult = { tree, entries: [], messages: [] };
  if (!tree) return result;
  let i = 1;
  for (let e: MergeTreeEntry | null; i < lines.length && (e = entryOf(lines[i], unquoteC)); i++) result.entries.push(e);
  result.messages = messagesFromText(lines.slice(i + 1).join('\n'), result.entries.map((e) => e.path));
  return result;
}

/**
 * Messages written for humans (merge-tree without -z, or `git merge`), one per line, each tied to
 * the given paths it mentions. `CONFLICT (content)` there is `CONFLICT (contents)` with -z.
 */
export function messagesFromText(text: string, paths: readonly string[]): MergeTreeMessage[] {
  // A path counts as mentioned when it stands alone: `in a.txt`, not `in data.txt`.
  const mentions = [...new Set(paths)].map((p) => {
    const escaped = p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return { path: p, re: new RegExp(`(^|[\\s'"(])${escaped}($|[\\s'".,:;)])`) };
  });
  const out: MergeTreeMessage[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const type = /^(CONFLICT \([^)]*\))/.exec(line)?.[1] ?? (/cannot merge binary/i.test(line) ? 'CONFLICT (binary)' : /^Auto-merging/.test(line) ? 'Auto-merging' : 'message');
    out.push({ paths: mentions.filter((m) => m.re.test(line)).map((m) => m.path), type, message: line });
  }
  return out;
}

/** `merge-tree --stdin -z --messages` output: one result per input line, in order. */
export function parseMergeTreeStdinOutput(stdout: string): MergeTreeStdinResult[] {
  const tokens = stdout.split('\0');
  const out: MergeTreeStdinResult[] = [];
  let i = 0;
  while (i < tokens.length && !(i === tokens.length - 1 && tokens[i] === '')) {
    if (!/^-?\d+$/.test(tokens[i])) throw new OutputError(`expected a merge status, found "${tokens[i].slice(0, 80)}"`);
    const status = Number(tokens[i]);
    const tree = tokens[i + 1] ?? '';
    if (!OID.test(tree)) throw new OutputError(`expected a tree id, found "${tree.slice(0, 80)}"`);
    const result: MergeTreeStdinResult = { status, tree, entries: [], messages: [] };
    i = parseBody(tokens, i + 2, result, true) + 1; // past the merge's terminating NUL
    out.push(result);
  }
  return out;
}

const isConflictType = (m: MergeTreeMessage): boolean => /^CONFLICT\b/.test(m.type) || /cannot merge binary/i.test(m.message);

/**
 * The kind of a conflicted file, from the message types about it (git's documented advice: the
 * stages alone cannot tell). Without any message, stages 2 and 3 mean a content conflict.
 */
export function kindOf(stages: ReadonlySet<number>, messages: readonly MergeTreeMessage[]): ConflictKind {
  const conflicts = messages.filter(isConflictType);
  const has = (re: RegExp): boolean => conflicts.some((m) => re.test(m.type) || re.test(m.message));
  if (has(/\(binary\)|cannot merge binary/i)) return 'binary';
  if (has(/\(modify\/delete\)/i)) return 'modify/delete';
  if (conflicts.some((m) => /rename/i.test(m.type))) return 'rename';
  if (has(/\(add\/add\)/i)) return 'add/add';
  if (conflicts.some((m) => /^CONFLICT \(contents?\)/.test(m.type))) return 'content';
  if (conflicts.length > 0) return 'other';
  return stages.has(2) && stages.has(3) ? 'content' : 'other';
}

export interface FileConflict {
  file: string;
  kind: ConflictKind;
  /** The file's conflicted stages (empty when only a message names it). */
  entries: MergeTreeEntry[];
}

/**
 * Conflicted files, in the order git lists them. When git lists none (some directory-rename
 * conflicts), the paths named by CONFLICT messages are used; an empty answer means nothing usable.
 */
export function conflictsOf(result: MergeTreeResult): FileConflict[] {
  const byFile = new Map<string, MergeTreeEntry[]>();
  for (const e of result.entries) byFile.set(e.path, [...(byFile.get(e.path) ?? []), e]);
  if (byFile.size === 0) {
    for (const m of result.messages) if (isConflictType(m)) for (const p of m.paths) if (!byFile.has(p)) byFile.set(p, []);
  }
  return [...byFile].map(([file, entries]) => ({
    file,
    kind: kindOf(new Set(entries.map((e) => e.stage)), result.messages.filter((m) => m.paths.includes(file))),
    entries,
  }));
}
