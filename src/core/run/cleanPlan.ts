// Orphans (seed 003): conductor branches and worktrees that no recorded run knows about. Removing
// one must never lose work, so anything with uncommitted changes or unmerged commits is kept and
// reported unless the user forces that module.

export interface OrphanFacts {
  branch: string;
  /** The module name: the branch's last segment. */
  module: string;
  worktree: { path: string; dirty: boolean; missing: boolean } | null;
  /** Commits on the branch that are in neither the user's HEAD nor the phase's integration branch. */
  unmergedCommits: number;
  /** Live processes working inside its worktree (an agent still running, whatever state.json says). */
  liveProcesses: { pid: number; command: string }[];
  /** Who holds the phase's lock (conducting or merging it), if anyone alive does. */
  lockHolder: string | null;
  /** A known module of a done phase (its work is in the checkpoint): only its worktree goes, the branch stays. */
  finishedPhase?: boolean;
}

export type CleanDecision =
  | { branch: string; module: string; action: 'remove'; worktree: string | null; forced: boolean; keepBranch?: boolean }
  | { branch: string; module: string; action: 'keep'; worktree: string | null; reason: string };

export function planClean(orphans: readonly OrphanFacts[], force: ReadonlySet<string>): CleanDecision[] {
  return orphans.map((o) => {
    const forced = force.has(o.module) || force.has(o.branch);
    const worktree = o.worktree && !o.worktree.missing ? o.worktree.path : null;
    // Live work is never removed, forced or not.
    if (o.lockHolder) return { branch: o.branch, module: o.module, action: 'keep', worktree, reason: `its phase is being conducted or merged by ${o.lockHolder}` };
    if (worktree && o.liveProcesses.length > 0) {
      const p = o.liveProcesses[0];
      return { branch: o.branch, module: o.module, action: 'keep', worktree, reason: `a live process works in its worktree (pid ${p.pid}: ${p.command}); stop it first` };
    }
    const reasons: string[] = [];
    if (o.worktree?.dirty && !o.worktree.missing) reasons.push('its worktree has uncommitted changes');
    if (o.finishedPhase) {
      if (reasons.length > 0 && !forced) return { branch: o.branch, module: o.module, action: 'keep', worktree, reason: `${reasons[0]}; use --force ${o.module} to remove it anyway` };
      return { branch: o.branch, module: o.module, action: 'remove', worktree, forced: forced && reasons.length > 0, keepBranch: true };
    }
    if (o.unmergedCommits > 0) reasons.push(`${o.unmergedCommits} commit(s) not merged`);
    if (reasons.length > 0 && !forced) {
      return { branch: o.branch, module: o.module, action: 'keep', worktree, reason: `${reasons.join(' and ')}; use --force ${o.module} to remove it anyway` };
    }
    return { branch: o.branch, module: o.module, action: 'remove', worktree, forced: forced && reasons.length > 0 };
  });
}
