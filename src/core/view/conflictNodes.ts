// The Phases tree's rows for a merge that stopped on a conflict: under the module that could not be
// merged, one row per file, carrying what its inline actions need — the phase and module (Resolve in
// Merge Editor) and the findings its agent would get (Send to Agent).
import { conflictFinding } from '../planRun/sendToAgent';
import type { MergeConflict } from '../planRun/outcome';
import type { FixFinding } from '../run/model';
import { codeSpan, escapeMarkdown } from './format';
import type { ViewIcon } from './looks';
import type { ViewCommand } from './phaseTree';
import { TREE_ITEM_KIND, VIEW_COMMAND, type CommandTarget } from './viewIds';

/** What the tree needs of a phase's last Merge & Validate (infra's MergeResult has this shape). */
export interface PhaseConflicts {
  integrationBranch: string;
  /** Where the merge happens (absolute): a row's click opens its file there. */
  integrationWorktree: string;
  conflicts: readonly MergeConflict[];
}

export interface ConflictNode extends CommandTarget {
  kind: 'conflict';
  id: string;
  parentId: string;
  module: string;
  phaseSlug: string;
  label: string;
  description?: string;
  tooltip: string;
  icon: ViewIcon;
  contextValue: string;
  command?: ViewCommand;
  /** Send to Agent's request: the phase, the module and these findings. */
  findings: FixFinding[];
  file: string;
  children: [];
}

const CONFLICT_ICON: ViewIcon = { id: 'git-merge', color: 'list.errorForeground' };

/** One row per file `module` conflicts in, in the phase's last merge. */
export function conflictNodes(at: { phase: number; phaseSlug: string; module: string; parentId: string }, merge: PhaseConflicts | undefined): ConflictNode[] {
  const mine = (merge?.conflicts ?? []).filter((c) => c.module === at.module);
  const files = [...new Set(mine.map((c) => c.file))];
  return files.map((file) => {
    const ranges = mine.filter((c) => c.file === file);
    const others = [...new Set(ranges.flatMap((c) => c.with))];
    return {
      kind: 'conflict',
      id: `conflict:${at.phaseSlug}/${at.module}/${file}`,
      parentId: at.parentId,
      phase: at.phase,
      module: at.module,
      phaseSlug: at.phaseSlug,
      label: `conflict: ${file}`,
      description: others.length > 0 ? `with ${others.join(', ')}` : undefined,
      tooltip: [
        `$(${CONFLICT_ICON.id}) **Merge conflict** merging ${codeSpan(at.module)} into ${codeSpan(merge!.integrationBranch)}`,
        '',
        `- File: ${codeSpan(file)}, lines ${ranges.map((c) => `${c.startLine}–${c.endLine}`).join(', ')} in ${escapeMarkdown(at.module)}'s version`,
        ...(others.length > 0 ? [`- With: ${others.map(escapeMarkdown).join(', ')}`] : []),
        '- Resolve in Merge Editor, or Send to Agent',
      ].join('\n'),
      icon: CONFLICT_ICON,
      contextValue: TREE_ITEM_KIND.conflict,
      command: { command: VIEW_COMMAND.open, title: 'Open in the Integration Worktree', args: [`${merge!.integrationWorktree.replace(/\/+$/, '')}/${file}`] },
      findings: ranges.map((c) => conflictFinding(c, merge!.integrationBranch)),
      file,
      children: [],
    };
  });
}

/**
 * A phase's conflicts from the merge result a `conductor merge` (or another window) wrote
 * (`.conductor/merge/<phase>.json`), or null when the text is not one: only what the tree needs,
 * each field checked (the file is read, never trusted).
 */
export function parsePhaseConflicts(text: string): PhaseConflicts | null {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return null;
  }
  const r = json as Record<string, unknown> | null;
  if (!r || typeof r !== 'object' || typeof r.integrationBranch !== 'string' || typeof r.integrationWorktree !== 'string' || !Array.isArray(r.conflicts)) return null;
  const conflicts: MergeConflict[] = [];
  for (const c of r.conflicts as unknown[]) {
    const x = c as Record<string, unknown> | null;
    if (!x || typeof x.module !== 'string' || typeof x.file !== 'string' || !Array.isArray(x.with) || !x.with.every((w) => typeof w === 'string')) return null;
    if (!Number.isInteger(x.startLine) || !Number.isInteger(x.endLine)) return null;
    conflicts.push({ module: x.module, file: x.file, with: x.with as string[], startLine: x.startLine as number, endLine: x.endLine as number });
  }
  return { integrationBranch: r.integrationBranch, integrationWorktree: r.integrationWorktree, conflicts };
}
