// Conflict prediction: every pair of module branches merged with MergeTree.mergeMany (one
// `merge-tree --stdin` process, plus one cat-file for the conflicted files' text) against the same
// `git merge-tree --write-tree` calls made one process per pair, in the same run and repository.
// Run alone with: node --import tsx bench/predict.bench.ts
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GitRunner, runGit } from '../src/infra/git/gitRunner';
import { MergeTree } from '../src/infra/git/mergeTree';
import { Predictor } from '../src/infra/git/predictor';
import { fmt, median } from './stats';

export interface PredictBenchOptions {
  files?: number;
  /** Module counts to measure; the first is also measured against one process per pair. */
  modules?: number[];
  repetitions?: number;
}

const AUTHOR = {
  GIT_AUTHOR_NAME: 'Bench', GIT_AUTHOR_EMAIL: 'bench@example.invalid',
  GIT_COMMITTER_NAME: 'Bench', GIT_COMMITTER_EMAIL: 'bench@example.invalid',
};

const fileText = (n: number, changed?: { line: number; by: string }): string =>
  Array.from({ length: 12 }, (_, i) => (changed && i === changed.line ? `// changed by ${changed.by}\n` : `export const v${n}_${i} = ${n * 100 + i};\n`)).join('');

const fileOf = (n: number, folders: number): string => path.join('src', `pkg${n % folders}`, `file${n}.ts`);

async function makeRepo(dir: string, files: number): Promise<{ repo: string; folders: number }> {
  const repo = path.join(dir, 'repo');
  await runGit(dir, ['init', '-q', '-b', 'main', repo]);
  const folders = Math.max(1, Math.ceil(files / 100));
  for (let d = 0; d < folders; d++) await mkdir(path.join(repo, 'src', `pkg${d}`), { recursive: true });
  for (let i = 0; i < files; i += 200) {
    const batch = Array.from({ length: Math.min(200, files - i) }, (_, k) => i + k);
    await Promise.all(batch.map((n) => writeFile(path.join(repo, fileOf(n, folders)), fileText(n))));
  }
  await runGit(repo, ['add', '-A']);
  await runGit(repo, ['-c', 'commit.gpgsign=false', 'commit', '-q', '-m', 'initial'], { env: AUTHOR });
  return { repo, folders };
}

/**
 * Module m edits four files of its own and one of three shared files (line 3), so modules with the
 * same m % 3 conflict; every fifth also edits a file far from the others (a clean overlap).
 */
async function makeBranches(repo: string, folders: number, files: number, count: number, from: number): Promise<string[]> {
  const names: string[] = [];
  for (let m = from; m < from + count; m++) {
    const name = `module-${m}`;
    await runGit(repo, ['checkout', '-q', '-b', name, 'main']);
    const own = [0, 1, 2, 3].map((k) => 100 + m * 7 + k * 997);
    for (const n of own) await writeFile(path.join(repo, fileOf(n % files, folders)), fileText(n % files, { line: 5, by: name }));
    const shared = m % 3;
    await writeFile(path.join(repo, fileOf(shared, folders)), fileText(shared, { line: 3, by: name }));
    if (m % 5 === 0) await writeFile(path.join(repo, fileOf(50, folders)), fileText(50, { line: m % 12, by: name }));
    await runGit(repo, ['-c', 'commit.gpgsign=false', 'commit', '-q', '-am', name], { env: AUTHOR });
    names.push(name);
  }
  await runGit(repo, ['checkout', '-q', 'main']);
  return names;
}

function pairsOf(names: string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < names.length; i++) for (let j = i + 1; j < names.length; j++) out.push([names[i], names[j]]);
  return out;
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const value = await fn();
  return [value, performance.now() - start];
}

export async function benchPredict(log: (line: string) => void, options: PredictBenchOptions = {}): Promise<void> {
  const { files = 5000, modules = [10, 20], repetitions = 5 } = options;
  const dir = await mkdtemp(path.join(tmpdir(), 'bench-predict-'));
  try {
    const [{ repo, folders }, buildMs] = await timed(() => makeRepo(dir, files));
    const names: string[] = [];
    names.push(...(await makeBranches(repo, folders, files, Math.max(...modules), 0)));
    log(`predict: repository with ${files} files and ${names.length} module branches built in ${fmt(buildMs)}`);
    const git = new GitRunner();
    const version = await git.gitVersion();
    log(`predict: git ${version.major}.${version.minor}.${version.patch}`);

    for (const [index, count] of modules.entries()) {
      const pairs = pairsOf(names.slice(0, count));
      const manyMs: number[] = [];
      const singleMs: number[] = [];
      let conflicted = 0;
      for (let rep = 0; rep < repetitions; rep++) {
        // A fresh MergeTree each time: nothing is cached between repetitions.
        const [checks, ms] = await timed(() => new MergeTree(repo, git).mergeMany(pairs));
        manyMs.push(ms);
        conflicted = checks.filter((c) => !c.clean).length;
        if (index === 0) {
          const [, oneByOne] = await timed(async () => {
            for (const [a, b] of pairs) await runGit(repo, ['merge-tree', '--write-tree', a, b], { allowExitCodes: [1] });
          });
          singleMs.push(oneByOne);
        }
      }
      const many = median(manyMs);
      log(`predict (${count} modules, ${pairs.length} pairs, ${conflicted} conflicted): mergeMany (one merge-tree --stdin + one cat-file, ranges included) median ${fmt(many)} of ${repetitions}`);
      if (index === 0) {
        const single = median(singleMs);
        log(`predict (${count} modules): plain merge-tree --write-tree, one process per pair, median ${fmt(single)}`);
        log(`predict (${count} modules): mergeMany / one-per-pair = ${(many / single).toFixed(2)} (target ≤ 1.0)`);
      } else {
        log(`predict (${count} modules): ${many < 2000 ? 'within' : 'OVER'} the 2 s target`);
      }
    }

    // End to end: a Predictor over branches (no worktrees), then a poll in which nothing changed;
    // with each module's base commit given (as the conductor knows it), and without.
    const count = Math.max(...modules);
    const base = (await runGit(repo, ['rev-parse', 'main'])).stdout.trim();
    for (const withBase of [true, false]) {
      const predictor = new Predictor(repo, git, new MergeTree(repo, git));
      const input = names.slice(0, count).map((n, i) => ({
        id: n, branch: n, worktree: null, base: withBase ? base : null,
        owns: [`src/pkg${(100 + i * 7) % folders}/**`],
      }));
      const [first, firstMs] = await timed(() => predictor.predict(input));
      const [, againMs] = await timed(() => predictor.predict(input));
      log(`predict: Predictor.predict, ${count} modules, ${withBase ? 'bases given' : 'no bases (a diff per pair)'}: first ${fmt(firstMs)} (${first.pairs.length} conflicting pairs, ${first.ownershipViolations.length} ownership violations), unchanged poll ${fmt(againMs)}`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (typeof require !== 'undefined' && require.main === module) {
  benchPredict((line) => console.log(line)).catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
