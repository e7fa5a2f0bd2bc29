// The worktrees of a phase run's modules: made for a batch of starts, or ahead of them (decide()'s
// `prepare` actions) while agents run, so that a freed slot starts its next agent without waiting
// for git to make and fill a worktree.
import type { EnsureResult, WorktreePort, WorktreeRequest } from '../ports';

export interface ModuleWorktreesHost {
  /** The module's worktree request from `startPoint`. */
  request(module: string, startPoint: string): WorktreeRequest;
  /** True while the module has not started (nothing of an agent's is in its worktree). */
  unstarted(module: string): boolean;
  note(text: string): void;
}

export class ModuleWorktrees {
  /** Worktrees made (or being made) ahead of their module's start. */
  private readonly ahead = new Map<string, Promise<EnsureResult>>();

  constructor(
    private readonly port: WorktreePort,
    private readonly concurrency: number,
    private readonly host: ModuleWorktreesHost,
  ) {}

  /** Modules whose worktree is made or being made ahead. */
  get prepared(): ReadonlySet<string> {
    return new Set(this.ahead.keys());
  }

  /** Starts making these modules' worktrees at `startPoint`, in one batch, in the background. */
  prepare(modules: readonly string[], startPoint: string): void {
    const fresh = modules.filter((m) => !this.ahead.has(m));
    if (fresh.length === 0) return;
    const batch = this.port.ensure(fresh.map((m) => this.host.request(m, startPoint)), { concurrency: this.concurrency });
    fresh.forEach((m, i) => this.ahead.set(m, batch.then((r) => r[i], (e: unknown) => failed(this.host.request(m, startPoint), e))));
  }

  /**
   * The worktrees of modules about to start, one result per start in order: those made ahead are
   * taken as they are, the others (and any made ahead that failed) are made now in one batch.
   */
  async forStarts(starts: readonly { module: string; startPoint: string }[]): Promise<EnsureResult[]> {
    const results: (EnsureResult | null)[] = await Promise.all(
      starts.map(async ({ module, startPoint }) => {
        const made = this.ahead.get(module);
        this.ahead.delete(module);
        const result = made ? await made : null;
        return result && result.status !== 'failed' && result.request.startPoint === startPoint ? result : null;
      }),
    );
    const missing = starts.map((s, i) => ({ ...s, i })).filter(({ i }) => results[i] === null);
    if (missing.length > 0) {
      const made = await this.port.ensure(missing.map(({ module, startPoint }) => this.host.request(module, startPoint)), { concurrency: this.concurrency });
      missing.forEach(({ i }, k) => (results[i] = made[k]));
    }
    return results as EnsureResult[];
  }

  /**
   * Removes what was made ahead for modules that never started (a halted or stopped run): an
   * unused worktree and branch would look like work. Only when untouched: a worktree with changes
   * or a branch that moved is left for the user (remove() and deleteBranch() refuse them).
   */
  async release(): Promise<void> {
    const left = [...this.ahead];
    this.ahead.clear();
    for (const [module, made] of left) {
      const result = await made;
      if (result.status !== 'created' || !this.host.unstarted(module)) continue;
      try {
        await this.port.remove(result.path);
        await this.port.deleteBranch(result.request.branch, { mergedInto: result.head });
      } catch (e) {
        this.host.note(`${module}: its worktree, made ahead of a start that did not come, was kept: ${(e as Error).message}`);
      }
    }
  }
}

function failed(request: WorktreeRequest, e: unknown): EnsureResult {
  return { request, status: 'failed', reason: 'failed', message: e instanceof Error ? e.message : String(e) };
}
