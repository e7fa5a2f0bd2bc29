// Worktree creation: Worktrees.ensure (serial registration, parallel checkout) against a plain
// serial `git worktree add -b` loop, and the failure count of many simultaneous requests.
// Run alone with: node --import tsx bench/worktrees.bench.ts
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { GitRunner, runGit } from '../src/infra/git/gitRunner';
import { Worktrees } from '../src/infra/git/worktrees';

export interface WorktreeBenchOptions {
  /** Files in the repository for (a) and (b). */
  files?: number;
  /** Modules created in (a) and in (b). */
  modules?: number;
  /** Files in the repository for (c): its races are in git's registry, and 400 checkouts of a large tree would take many minutes. */
  stressFiles?: number;
  /** Repetitions of (c). */
  repetitions?: number;
}

const AUTHOR = {
  GIT_AUTHOR_NAME: 'Bench', GIT_AUTHOR_EMAIL: 'bench@example.invalid',
  GIT_COMMITTER_NAME: 'Bench', GIT_COMMITTER_EMAIL: 'bench@example.invalid',
};

async function makeRepo(dir: string, files: number): Promise<string> {
  const repo = path.join(dir, 'repo');
  await runGit(dir, ['init', '-q', '-b', 'main', repo]);
  const folders = Math.max(1, Math.ceil(files / 100));
  for (let d = 0; d < folders; d++) await mkdir(path.join(repo, 'src', `pkg${d}`), { recursive: true });
  for (let i = 0; i < files; i += 200) {
    const batch = Array.from({ length: Math.min(200, files - i) }, (_, k) => i + k);
    await Promise.all(batch.map((n) => writeFile(path.join(repo, 'src', `pkg${n % folders}`, `file${n}.ts`), `export const v${n} = ${n};\n`)));
  }
  await runGit(repo, ['add', '-A']);
  await runGit(repo, ['-c', 'commit.gpgsign=false', 'commit', '-q', '-m', 'initial'], { env: AUTHOR });
  return repo;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const value = await fn();
  return [value, performance.now() - start];
}

/** Branches under `prefix` that have no worktree: what a failed `worktree add -b` leaves behind. */
async function orphanBranches(repo: string, prefix: string): Promise<number> {
  const refs = (await runGit(repo, ['for-each-ref', '--format=%(refname:short)', `refs/heads/${prefix}`])).stdout.split('\n').filter(Boolean);
  const list = (await runGit(repo, ['worktree', 'list', '--porcelain'])).stdout;
  return refs.filter((b) => !list.includes(`branch refs/heads/${b}\n`)).length;
}

async function cleanRound(repo: string, folder: string, prefix: string): Promise<void> {
  await rm(folder, { recursive: true, force: true });
  await runGit(repo, ['worktree', 'prune']);
  const refs = (await runGit(repo, ['for-each-ref', '--format=delete %(refname)', `refs/heads/${prefix}`])).stdout;
  if (refs) await runGit(repo, ['update-ref', '--stdin'], { input: refs });
}

export async function benchWorktrees(log: (line: string) => void, options: WorktreeBenchOptions = {}): Promise<void> {
  const { files = 5000, modules = 20, stressFiles = 100, repetitions = 50 } = options;
  const dir = await mkdtemp(path.join(tmpdir(), 'bench-worktrees-'));
  try {
    const [repo, buildMs] = await timed(() => makeRepo(dir, files));
    log(`worktrees: repository with ${files} files built in ${seconds(buildMs)}`);
    const base = path.join(dir, 'repo.worktrees');
    const names = Array.from({ length: modules }, (_, i) => `module-${i}`);

    // (b) first, so that (a) does not get a warmer disk cache than the baseline.
    const [, plainMs] = await timed(async () => {
      for (const m of names) {
        await runGit(repo, ['worktree', 'add', '-q', '-b', `plain/${m}`, '--', path.join(base, 'plain', m), 'main']);
      }
    });
    const worktrees = new Worktrees(repo, new GitRunner());
    const requests = names.map((m) => ({ branch: `ensure/${m}`, path: path.join(base, 'ensure', m), startPoint: 'main' }));
    const [results, ensureMs] = await timed(() => worktrees.ensure(requests));
    const failed = results.filter((r) => r.status === 'failed').length;
    log(`worktrees (a) Worktrees.ensure, ${modules} modules (concurrency 4, ${availableParallelism()} cores): ${seconds(ensureMs)}${failed ? `, ${failed} FAILED` : ''}`);
    log(`worktrees (b) serial git worktree add -b, ${modules} modules: ${seconds(plainMs)}`);
    log(`worktrees (a)/(b) = ${(ensureMs / plainMs).toFixed(2)}`);
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir);

    const small = await makeRepo(dir, stressFiles);
    const stressBase = path.join(dir, 'repo.worktrees');
    const stress = new Worktrees(small, new GitRunner());
    let ensureFailures = 0;
    let plainFailures = 0;
    let orphans = 0;
    let stressMs = 0;
    for (let rep = 0; rep < repetitions; rep++) {
      const batch = Array.from({ length: 8 }, (_, m) => ({ branch: `c/m${m}`, path: path.join(stressBase, `e${rep}`, `m${m}`), startPoint: 'main' }));
      const [res, ms] = await timed(() => stress.ensure(batch, { concurrency: 8 }));
      stressMs += ms;
      ensureFailures += res.filter((r) => r.status !== 'created').length;
      await cleanRound(small, path.join(stressBase, `e${rep}`), 'c/');

      // The naive way, for comparison: eight `git worktree add -b` processes at once.
      const outcomes = await Promise.allSettled(Array.from({ length: 8 }, (_, m) =>
        runGit(small, ['worktree', 'add', '-q', '-b', `p/m${m}`, '--', path.join(stressBase, `p${rep}`, `m${m}`), 'main'])));
      plainFailures += outcomes.filter((o) => o.status === 'rejected').length;
      orphans += await orphanBranches(small, 'p/');
      await cleanRound(small, path.join(stressBase, `p${rep}`), 'p/');
    }
    const total = repetitions * 8;
    log(`worktrees (c) 8 modules at once x ${repetitions} (repository of ${stressFiles} files): Worktrees.ensure ${ensureFailures} failures of ${total} (mean ${seconds(stressMs / repetitions)} a batch); plain parallel git worktree add -b: ${plainFailures} failures of ${total}, ${orphans} orphan branches left`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (typeof require !== 'undefined' && require.main === module) {
  benchWorktrees((line) => console.log(line)).catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
