// A finding at a line belongs to the module whose commit wrote that line (git blame of the integration
// result), not merely to the module that last changed its file: two modules may change one file
// cleanly in different places, and the file-level answer then names whichever merged last. A line no
// module wrote (older than the phase) keeps the file-level module.
import { isRepoRelative, type ValidationResult } from '../../core/validate/findings';
import { GitRunner, type GitExec } from '../git/gitRunner';
import { commitOwners } from './attribution';

// `<sha> <orig line> <final line>[ <lines in group>]`: the header of each blamed line in --porcelain.
const HEADER = /^([0-9a-f]{40,64}) \d+ (\d+)(?: \d+)?$/;

export async function attributeLines(
  repoRoot: string,
  integration: string,
  base: string,
  moduleBranches: ReadonlyMap<string, string>,
  results: readonly ValidationResult[],
  git: GitExec = new GitRunner(),
): Promise<ValidationResult[]> {
  const wanted = new Map<string, Set<number>>();
  for (const r of results) {
    for (const f of r.findings) {
      if (!isRepoRelative(f.file) || f.line === null || f.line < 1) continue;
      const lines = wanted.get(f.file) ?? new Set<number>();
      lines.add(f.line);
      wanted.set(f.file, lines);
    }
  }
  if (wanted.size === 0 || moduleBranches.size === 0) return [...results];

  const merges = (await git.run(repoRoot, ['rev-list', '--first-parent', '--merges', `${base}..${integration}`, '--'], { readOnly: true })).stdout;
  const { owner } = await commitOwners(git, repoRoot, base, moduleBranches, new Set(merges.split('\n').filter(Boolean)));
  const lineOwner = new Map<string, string>();
  for (const [file, lines] of wanted) {
    for (const [line, commit] of await blame(git, repoRoot, integration, file, [...lines])) {
      const module = owner.get(commit);
      if (module !== undefined) lineOwner.set(`${file}\0${line}`, module);
    }
  }
  return results.map((r) => ({
    ...r,
    findings: r.findings.map((f) => {
      const module = f.line === null ? undefined : lineOwner.get(`${f.file}\0${f.line}`);
      return module === undefined ? f : { ...f, module };
    }),
  }));
}

/** Line -> the commit that wrote it; lines git cannot blame (past the end, an untracked file) are left out. */
async function blame(git: GitExec, root: string, rev: string, file: string, lines: number[]): Promise<Map<number, string>> {
  const run = async (ls: number[]): Promise<string | null> => {
    const r = await git.run(root, ['blame', '--porcelain', ...ls.flatMap((l) => ['-L', `${l},${l}`]), rev, '--', file], { readOnly: true, allowExitCodes: [128] });
    return r.exitCode === 0 ? r.stdout : null;
  };
  // One blame per file; when one line is out of range git refuses them all, so then one per line.
  const outputs = [await run(lines)];
  if (outputs[0] === null) for (const l of lines) outputs.push(await run([l]));
  const out = new Map<number, string>();
  for (const text of outputs) {
    for (const header of (text ?? '').split('\n')) {
      const m = HEADER.exec(header);
      if (m) out.set(Number(m[2]), m[1]);
    }
  }
  return out;
}
