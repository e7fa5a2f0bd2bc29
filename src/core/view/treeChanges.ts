// Which rows of the Phases tree a refresh changed, so the view redraws those rows only. A redraw of
// the whole tree makes VS Code forget every row's element until it has fetched the rows again: an
// inline action clicked in that gap (Stop Agent on a running module, whose row ticks every second)
// reaches its command without its row.
import type { TreeNode } from './phaseTree';

export type Collapse = 'none' | 'collapsed' | 'expanded';

export function collapseOf(node: TreeNode): Collapse {
  if (node.children.length === 0) return 'none';
  return node.kind === 'phase' && node.expanded ? 'expanded' : 'collapsed';
}

/**
 * What a row shows. Tooltips are resolved when a row is hovered and kept by VS Code until the row is
 * redrawn: a change of state (a new summary) counts them; a tick (running times) does not.
 */
function look(node: TreeNode, tooltip: boolean): string {
  return JSON.stringify([node.label, node.description ?? '', node.icon ?? null, node.contextValue, node.command ?? null, tooltip ? node.tooltip : null]);
}

/**
 * Ids of the nodes whose row looks different in `after`, or null when the tree's shape changed
 * (a row added, removed or moved, or one that gained or lost children or its expanded state): then
 * the whole tree must be redrawn. Both indexes are depth-first, as indexNodes() builds them.
 */
export function changedRows(before: ReadonlyMap<string, TreeNode>, after: ReadonlyMap<string, TreeNode>, options: { tooltips?: boolean } = {}): string[] | null {
  if (before.size !== after.size) return null;
  const beforeIds = [...before.keys()];
  const afterIds = [...after.keys()];
  const changed: string[] = [];
  for (let i = 0; i < afterIds.length; i++) {
    if (beforeIds[i] !== afterIds[i]) return null;
    const was = before.get(beforeIds[i])!;
    const now = after.get(afterIds[i])!;
    if (was.parentId !== now.parentId || collapseOf(was) !== collapseOf(now)) return null;
    if (look(was, options.tooltips ?? false) !== look(now, options.tooltips ?? false)) changed.push(now.id);
  }
  return changed;
}
