// "Done" only with proof (seed 003's false completion): a module that reports complete is verified
// against its branch and worktree — commits beyond its base or its expected files, work left off
// its branch, files written into the user's checkout instead — and, when the phase ends, commits
// that landed after it was verified are reported.
import type { ConductPorts } from './conductTypes';
import type { RunEvent } from './events';
import { freshCall } from './freshCall';
import type { ModuleRecord, PhaseRun } from './model';

export interface CompletionProofHost {
  current(): PhaseRun;
  /** The module's record in the current run (throws for an unknown one). */
  record(id: string): ModuleRecord;
  /** The module's expected files, relative to its worktree. */
  expectedFiles(id: string): string[];
  /** The user's checkout's changed files (the engine's own writing left out). */
  changedFiles(): Promise<string[]>;
  apply(event: RunEvent): Promise<void>;
  note(text: string): void;
  /** Something changed: the runner's loop looks again. */
  wake(): void;
  now(): string;
}

export class CompletionProof {
  private readonly verifying = new Set<string>();
  /** Changes the user's checkout had before any agent ran; anything new there came from outside a worktree. */
  private checkoutBaseline = new Set<string>();
  /** The checkout's changes, one `git status` shared by the modules that finish at the same time. */
  private readonly freshChanges = freshCall(() => this.host.changedFiles());

  constructor(
    private readonly ports: Pick<ConductPorts, 'repo' | 'worktrees' | 'files'>,
    private readonly host: CompletionProofHost,
  ) {}

  /** A verification is under way: the phase is not over yet. */
  get busy(): boolean {
    return this.verifying.size > 0;
  }

  async takeCheckoutBaseline(): Promise<void> {
    this.checkoutBaseline = new Set(await this.host.changedFiles());
  }

  /** Verifies a module that reported complete, once at a time (its result comes as a `verified` event). */
  verify(id: string): void {
    if (this.verifying.has(id)) return;
    this.verifying.add(id);
    void this.verifyNow(id).finally(() => {
      this.verifying.delete(id);
      this.host.wake();
    });
  }

  private async verifyNow(id: string): Promise<void> {
    const m = this.host.record(id);
    const [ahead, checkedOut] = await Promise.all([
      m.baseCommit ? this.ports.repo.commitsAhead(m.branch, m.baseCommit).catch(() => 0) : 0,
      this.ports.worktrees.checkedOut(m.worktree).catch(() => null),
    ]);
    const expected = this.host.expectedFiles(id);
    const present = await Promise.all(expected.map((f) => this.ports.files.exists(`${m.worktree}/${f}`)));
    const proof = ahead > 0 || (expected.length > 0 && present.every(Boolean));
    let detail = 'no commits beyond its base';
    if (!proof && (await this.ports.worktrees.isDirty(m.worktree).catch(() => false))) detail += ' (its changes are not committed)';
    const offBranch = await this.offBranch(m, checkedOut);
    // A worktree on its branch has the branch's tip as its HEAD: no need to ask again.
    const head = checkedOut?.branch === m.branch ? checkedOut.head : await this.ports.repo.resolve(m.branch).catch(() => null);
    await this.host.apply({ type: 'verified', module: id, proof, detail, offBranch, head, at: this.host.now() });
    await this.checkOutsideWrites(id);
  }

  /**
   * Work the merge would never see: the worktree left its module branch (a detached HEAD, another
   * branch) with commits that are not on the module branch. Null when all is on the branch.
   */
  private async offBranch(m: ModuleRecord, entry: { head: string | null; branch: string | null } | null): Promise<string | null> {
    if (!entry || entry.branch === m.branch || entry.head === null) return null;
    const stray = await this.ports.repo.commitsAhead(entry.head, m.branch).catch(() => 0);
    if (stray === 0) return null;
    const where = entry.branch ? `on branch ${entry.branch}` : 'on a detached HEAD';
    return `its worktree is ${where} with ${stray} commit(s) not on ${m.branch}; the merge takes only ${m.branch}: put them there (git checkout -B ${m.branch}) and retry`;
  }

  /** An agent that wrote into the user's checkout instead of its worktree (seen when it finishes). */
  private async checkOutsideWrites(id: string): Promise<void> {
    const now = await this.freshChanges().catch(() => []);
    const added = now.filter((f) => !this.checkoutBaseline.has(f));
    if (added.length === 0) return;
    for (const f of added) this.checkoutBaseline.add(f);
    const text = `files appeared in your checkout, outside any worktree, while it ran: ${added.slice(0, 5).join(', ')}${added.length > 5 ? ', …' : ''}`;
    this.host.note(`${id}: ${text}`);
    await this.host.apply({ type: 'annotated', module: id, text, at: this.host.now() });
  }

  /** Commits that landed on a module branch after it was verified are in no verified result: say so. */
  async reportLateCommits(): Promise<void> {
    const verified = this.host.current().modules.filter((m) => m.state === 'complete' && m.verifiedHead);
    if (verified.length === 0) return;
    // One read of every tip; only a branch that moved is counted (a missing one has nothing late).
    const tips = await this.ports.repo.branchTips(verified.map((m) => m.branch)).catch(() => null);
    for (const m of verified) {
      if (tips && tips.get(m.branch) === m.verifiedHead) continue;
      const late = await this.ports.repo.commitsAhead(m.branch, m.verifiedHead!).catch(() => 0);
      if (late === 0) continue;
      const text = `${late} commit(s) landed on ${m.branch} after the module was verified (at ${m.verifiedHead!.slice(0, 8)}); review them before merging`;
      this.host.note(`${m.id}: ${text}.`);
      await this.host.apply({ type: 'annotated', module: m.id, text, at: this.host.now() });
    }
  }
}
