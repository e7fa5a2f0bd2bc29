// Merge & Validate's merging of 10 module branches (merge-tree check, commit-tree, compare-and-swap
// of the integration ref, worktree sync) against a plain `git merge --no-ff` loop in a worktree,
// in the same repository in the same run.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createPhaseRun } from '../src/core/run/createRun';
import { SpecWorkspace } from '../src/core/specWorkspace';
import { GitRunner } from '../src/infra/git/gitRunner';
import { MergeTree } from '../src/infra/git/mergeTree';
import { GitRepo } from '../src/infra/git/repo';
import { Worktrees } from '../src/infra/git/worktrees';
import { mergePhase } from '../src/infra/merge/phaseMerge';
import { readyMd } from '../test/support/specBuilder';
import { fmt } from './stats';

const env = { ...process.env, GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@b', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@b' };
const git = (cwd: string, ...args: string[]): string => execFileSync('git', args, { cwd, env, encoding: 'utf8' });

export async function benchMerge(log: (line: string) => void, files = 5000, modules = 10): Promise<void> {
  const parent = mkdtempSync(path.join(tmpdir(), 'bench-merge-'));
  try {
    const root = path.join(parent, 'repo');
    mkdirSync(path.join(root, 'src'), { recursive: true });
    for (let i = 0; i < files; i++) writeFileSync(path.join(root, 'src', `f${i}.ts`), `export const v${i} = ${i};\n`);
    const ids = Array.from({ length: modules }, (_, i) => `m${i + 1}`);
    writeFileSync(path.join(root, 'READY.md'), readyMd([{ number: 1, name: 'Bench', modules: ids }]));
    git(root, 'init', '-q', '-b', 'main');
    git(root, 'add', '-A');
    git(root, 'commit', '-qm', 'init');
    const base = git(root, 'rev-parse', 'HEAD').trim();
    // Each module branch changes a few files of its own.
    for (const [n, id] of ids.entries()) {
      const branch = `conductor/phase-1-bench/${id}`;
      git(root, 'branch', branch, base);
      const wt = path.join(parent, 'wt', id);
      git(root, 'worktree', 'add', '-q', wt, branch);
      for (let k = 0; k < 5; k++) writeFileSync(path.join(wt, 'src', `f${n * 5 + k}.ts`), `export const changed = ${n};\n`);
      git(wt, 'commit', '-qam', `${id} work`);
    }

    const ws = new SpecWorkspace();
    ws.setSpec('READY.md', readyMd([{ number: 1, name: 'Bench', modules: ids }]));
    const phase = ws.plan().phases[0];
    const run = createPhaseRun(phase, { runId: 'b', baseCommit: base, now: new Date().toISOString(), worktreeRoot: path.join(parent, 'wt'), agent: 'x', maxParallel: 4, retries: 0 });
    run.modules = run.modules.map((m) => ({ ...m, state: 'complete', baseCommit: base }));
    const runner = new GitRunner();
    const repo = new GitRepo(root, runner);
    const result = await mergePhase(
      phase,
      run,
      { git: runner, repo, worktrees: new Worktrees(root, runner), mergeTree: new MergeTree(root, runner), conductorDir: path.join(root, '.conductor') },
      { worktreeRoot: path.join(parent, 'ours'), trust: false, commands: [], into: null, startFrom: null },
    );
    if (result.merged.length !== modules) throw new Error(`merged ${result.merged.length} of ${modules}`);

    const t0 = performance.now();
    const plain = path.join(parent, 'plain');
    git(root, 'worktree', 'add', '-q', '-b', 'plain-integration', plain, base);
    for (const id of ids) git(plain, 'merge', '-q', '--no-ff', '--no-edit', `conductor/phase-1-bench/${id}`);
    const plainMs = performance.now() - t0;

    log(`${modules} module branches, ${files}-file repository`);
    log(`  Merge & Validate merging (worktree, checks, CAS, sync): ${fmt(result.mergeMs)}`);
    log(`  plain worktree add + git merge --no-ff loop:            ${fmt(plainMs)}`);
    log(`  ratio ours / plain:                                     ${(result.mergeMs / plainMs).toFixed(2)}  (target ≤ 1.2)`);
    log(`  validation that followed (expected files, TODO scan):   ${fmt(result.validateMs)}`);
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
