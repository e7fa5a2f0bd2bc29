// Merge & Validate's merging of module branches (merge-tree, commit-tree, compare-and-swap of the
// integration ref, the integration worktree) against a plain `git worktree add -b` + `git merge
// --no-ff` loop, in the same repository in the same run: 10 modules, then 100, in a 5,000-file
// repository. Where our time goes is printed per git command (count and time) from a timing runner.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createPhaseRun } from '../src/core/run/createRun';
import { SpecWorkspace } from '../src/core/specWorkspace';
import type { GitLines } from '../src/infra/git/gitLines';
import { GitRunner, type GitExec, type GitResult, type RunGitOptions } from '../src/infra/git/gitRunner';
import { MergeTree } from '../src/infra/git/mergeTree';
import { GitRepo } from '../src/infra/git/repo';
import { Worktrees } from '../src/infra/git/worktrees';
import { mergePhase } from '../src/infra/merge/phaseMerge';
import { readyMd } from '../test/support/specBuilder';
import { fmt, median } from './stats';

const env = { ...process.env, GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@b', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@b' };
const git = (cwd: string, args: string[], input?: string): string => execFileSync('git', args, { cwd, env, encoding: 'utf8', input });

/** A GitExec that adds up, per git command, how many processes ran and for how long. */
class TimingGit implements GitExec {
  readonly steps = new Map<string, { count: number; ms: number }>();
  constructor(private readonly inner: GitExec) {}

  async run(cwd: string, args: readonly string[], opts?: RunGitOptions): Promise<GitResult> {
    return this.timed(stepName(args), () => this.inner.run(cwd, args, opts));
  }

  /** A long-lived process: each request is counted and timed (its start-up falls in the first). */
  spawnLines(cwd: string, args: readonly string[], opts?: { env?: Record<string, string> }): GitLines {
    const lines = this.inner.spawnLines!(cwd, args, opts);
    const key = `${args[0]} --stdin request`;
    return { request: (input, n) => this.timed(key, () => lines.request(input, n)), close: () => lines.close() };
  }

  private async timed<T>(key: string, f: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    try {
      return await f();
    } finally {
      const s = this.steps.get(key) ?? { count: 0, ms: 0 };
      s.count++;
      s.ms += performance.now() - t0;
      this.steps.set(key, s);
    }
  }

  gitVersion() {
    return this.inner.gitVersion();
  }
}

/** `worktree add`, `merge-tree --stdin`, `rev-parse`…: the command and what tells its uses apart. */
function stepName(args: readonly string[]): string {
  const [command, ...rest] = args;
  if (command === 'worktree') return `worktree ${rest[0]}`;
  const flags = rest.filter((a) => ['--stdin', '--name-only', '--is-ancestor', '--hard', '--batch-check=%(objectname) %(objecttype)'].includes(a));
  return [command, ...flags.map((f) => (f.startsWith('--batch-check') ? '--batch-check' : f))].join(' ');
}

export async function benchMerge(log: (line: string) => void): Promise<void> {
  await benchMergeOf(log, 5000, 10, 'worktrees', 3);
  await benchMergeOf(log, 5000, 100, 'fast-import', 3);
}

/**
 * `setup`: how the module branches are made (not measured): a worktree and a commit per module, or
 * one `git fast-import` for all (100 worktrees of 5,000 files would take minutes to set up).
 */
async function benchMergeOf(log: (line: string) => void, files: number, modules: number, setup: 'worktrees' | 'fast-import', rounds: number): Promise<void> {
  const parent = mkdtempSync(path.join(tmpdir(), 'bench-merge-'));
  try {
    const root = path.join(parent, 'repo');
    mkdirSync(path.join(root, 'src'), { recursive: true });
    for (let i = 0; i < files; i++) writeFileSync(path.join(root, 'src', `f${i}.ts`), `export const v${i} = ${i};\n`);
    const ids = Array.from({ length: modules }, (_, i) => `m${i + 1}`);
    writeFileSync(path.join(root, 'READY.md'), readyMd([{ number: 1, name: 'Bench', modules: ids }]));
    git(root, ['init', '-q', '-b', 'main']);
    git(root, ['add', '-A']);
    git(root, ['commit', '-qm', 'init']);
    const base = git(root, ['rev-parse', 'HEAD']).trim();
    // Each module branch changes a few files of its own.
    const changes = (n: number) => Array.from({ length: 5 }, (_, k) => [`src/f${(n * 5 + k) % files}.ts`, `export const changed = ${n};\n`] as const);
    if (setup === 'worktrees') {
      for (const [n, id] of ids.entries()) {
        const branch = `conductor/phase-1-bench/${id}`;
        git(root, ['branch', branch, base]);
        const wt = path.join(parent, 'wt', id);
        git(root, ['worktree', 'add', '-q', wt, branch]);
        for (const [file, text] of changes(n)) writeFileSync(path.join(wt, file), text);
        git(wt, ['commit', '-qam', `${id} work`]);
      }
    } else {
      const stream = ids.map((id, n) => {
        const blobs = changes(n).map(([file, text]) => `M 100644 inline ${file}\ndata ${Buffer.byteLength(text)}\n${text}\n`).join('');
        const message = `${id} work\n`;
        return `commit refs/heads/conductor/phase-1-bench/${id}\ncommitter b <b@b> 1700000000 +0000\ndata ${Buffer.byteLength(message)}\n${message}from ${base}\n${blobs}\n`;
      });
      git(root, ['fast-import', '--quiet'], stream.join(''));
    }

    // The setup's writes are flushed now, not during whichever measurement would come first.
    execFileSync('sync');

    const ws = new SpecWorkspace();
    ws.setSpec('READY.md', readyMd([{ number: 1, name: 'Bench', modules: ids }]));
    const phase = ws.plan().phases[0];
    const run = createPhaseRun(phase, { runId: 'b', baseCommit: base, now: new Date().toISOString(), worktreeRoot: path.join(parent, 'wt'), agent: 'x', maxParallel: 4, retries: 0 });
    run.modules = run.modules.map((m) => ({ ...m, state: 'complete', baseCommit: base }));

    /** One Merge & Validate merge into its own integration branch and worktree (a phase slug per round). */
    const ours = async (round: number) => {
      const runner = new TimingGit(new GitRunner());
      await runner.gitVersion();
      // What the merge spent, per git command (taken when the validation, which runs git too, begins).
      let steps: [string, { count: number; ms: number }][] = [];
      const repo = new GitRepo(root, runner);
      const result = await mergePhase(
        phase,
        { ...run, slug: `${run.slug}-r${round}` },
        { git: runner, repo, worktrees: new Worktrees(root, runner), mergeTree: new MergeTree(root, runner), conductorDir: path.join(root, '.conductor') },
        { worktreeRoot: path.join(parent, 'ours'), trust: false, commands: [], into: null, startFrom: null, onValidate: () => (steps = [...runner.steps].map(([k, v]) => [k, { ...v }])) },
      );
      if (result.merged.length !== modules) throw new Error(`merged ${result.merged.length} of ${modules}`);
      // Filling the integration worktree (5,000 files), the same work as the plain loop's worktree add.
      const checkoutMs = steps.filter(([k]) => k === 'read-tree' || k === 'reset --hard' || k === 'clean').reduce((t, [, v]) => t + v.ms, 0);
      return { ms: result.mergeMs, validateMs: result.validateMs, steps, commit: result.integrationCommit, checkoutMs };
    };
    /** The baseline: `git worktree add -b` and one `git merge --no-ff` per module branch. */
    const plain = (round: number) => {
      const t0 = performance.now();
      const dir = path.join(parent, `plain-${round}`);
      git(root, ['worktree', 'add', '-q', '-b', `plain-integration-${round}`, dir, base]);
      const addMs = performance.now() - t0;
      for (const id of ids) git(dir, ['merge', '-q', '--no-ff', '--no-edit', `conductor/phase-1-bench/${id}`]);
      return { ms: performance.now() - t0, addMs, commit: git(root, ['rev-parse', `plain-integration-${round}`]).trim() };
    };

    // Rounds in alternating order (ours first, then plain first…): the machine's load and the page
    // cache favour neither side; each side's median is compared.
    const oursRuns: Awaited<ReturnType<typeof ours>>[] = [];
    const plainRuns: ReturnType<typeof plain>[] = [];
    for (let round = 0; round < rounds; round++) {
      if (round % 2 === 0) {
        oursRuns.push(await ours(round));
        plainRuns.push(plain(round));
      } else {
        plainRuns.push(plain(round));
        oursRuns.push(await ours(round));
      }
    }
    const tree = (commit: string) => git(root, ['rev-parse', `${commit}^{tree}`]);
    if (tree(oursRuns[0].commit) !== tree(plainRuns[0].commit)) throw new Error('our integration result and the plain loop\'s differ');

    const oursMs = median(oursRuns.map((r) => r.ms));
    const plainMs = median(plainRuns.map((r) => r.ms));
    const addMs = median(plainRuns.map((r) => r.addMs));
    const list = (xs: number[]) => xs.map((x) => fmt(x)).join(', ');
    log(`${modules} module branches, ${files}-file repository, median of ${rounds} rounds in alternating order`);
    log(`  Merge & Validate merging (worktree, merges, CAS, sync): ${fmt(oursMs)}  (${fmt(oursMs / modules)} a module; rounds: ${list(oursRuns.map((r) => r.ms))})`);
    log(`  plain worktree add -b + git merge --no-ff loop:         ${fmt(plainMs)}  (worktree add ${fmt(addMs)}, ${fmt((plainMs - addMs) / modules)} a merge; rounds: ${list(plainRuns.map((r) => r.ms))})`);
    log(`  ratio ours / plain:                                     ${(oursMs / plainMs).toFixed(2)}  (target ≤ 1.0; per round: ${oursRuns.map((r, i) => (r.ms / plainRuns[i].ms).toFixed(2)).join(', ')})`);
    // Ours fills the new integration worktree at the start commit while the merges run, then moves it
    // to the result: its fill overlaps the merging instead of adding to it.
    log(`  filling the worktree (ours: read-tree at the start, during the merges, then to the result; plain: worktree add): ${fmt(median(oursRuns.map((r) => r.checkoutMs)))} / ${fmt(addMs)}`);
    log(`  validation that followed (expected files, TODO scan):   ${fmt(median(oursRuns.map((r) => r.validateMs)))}`);
    const mid = [...oursRuns].sort((a, b) => a.ms - b.ms)[Math.floor((rounds - 1) / 2)];
    log(`  where our merge time went in the median round (git processes by command; the fill overlaps the merges, so these can add up to more than the wall time):`);
    let total = 0;
    for (const [key, s] of mid.steps.sort((a, b) => b[1].ms - a[1].ms)) {
      total += s.ms;
      log(`    ${key.padEnd(24)} ${String(s.count).padStart(4)} × ${fmt(s.ms / s.count).padStart(10)} = ${fmt(s.ms)}`);
    }
    if (mid.ms > total) log(`    ${'(outside git)'.padEnd(24)}                     ${fmt(mid.ms - total)}`);
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
}

if (require.main === module) {
  benchMerge((l) => console.log(l)).catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
