// Which module last changed each file of a phase's merged result, read from git history: the
// integration branch's first-parent chain is walked from the newest merge back to the phase base;
// the first step that changed a file decides, and a merge step is credited to the module whose
// branch holds the merged-in parent. (`-m` with `--first-parent` diffs a merge against its first
// parent only, on old git versions too.)
import { GitError, GitRunner, type GitExec } from '../git/gitRunner';

interface ChainStep {
  commit: string;
  parents: string[];
  subject: string;
  /** Files changed relative to the first parent. */
  files: string[];
}

// Commits of a module branch that are the module's own, newest first.
interface ModuleCommits {
  module: string;
  commits: string[];
}

const MERGE_SUBJECT = /^conductor: merge (\S+)/;

/**
 * For each file changed between `base` and `integration`, the module whose branch last changed it.
 * Files last changed by commits that belong to no module (e.g. a fix made on the integration branch)
 * are left out.
 */
export async function lastTouchedBy(
  repoRoot: string,
  integration: string,
  base: string,
  moduleBranches: ReadonlyMap<string, string>,
  git: GitExec = new GitRunner(),
): Promise<Map<string, string>> {
  const run = async (args: string[]): Promise<string> => (await git.run(repoRoot, args, { readOnly: true })).stdout;
  const changed = new Set(splitZ(await run(['diff', '--name-only', '-z', '--no-renames', base, integration, '--'])));
  const result = new Map<string, string>();
  if (changed.size === 0) return result;

  const chain = parseChain(await run([
    'log', '--first-parent', '-m', '--name-only', '-z', '--no-renames',
    '--format=%x1e%H %P%x1f%s', `${base}..${integration}`, '--',
  ]));
  const chainMerges = new Set(chain.filter((s) => s.parents.length > 1).map((s) => s.commit));
  const { owner, unreadable } = await commitOwners(git, repoRoot, base, moduleBranches, chainMerges);

  // Files changed by each extra parent of an octopus merge, asked only when such a merge matters.
  const sideFiles = new Map<string, Set<string>>();
  const filesOfSide = async (first: string, side: string): Promise<Set<string>> => {
    const key = `${first}...${side}`;
    let files = sideFiles.get(key);
    if (!files) {
      files = new Set(splitZ(await run(['diff', '--name-only', '-z', '--no-renames', key, '--'])));
      sideFiles.set(key, files);
    }
    return files;
  };

  const decided = new Set<string>();
  for (const step of chain) {
    for (const file of step.files) {
      if (!changed.has(file) || decided.has(file)) continue;
      decided.add(file);
      let module: string | null = null;
      if (step.parents.length <= 1) {
        module = owner.get(step.commit) ?? null;
      } else if (step.parents.length === 2) {
        module = owner.get(step.parents[1]) ?? null;
      } else {
        // Octopus: the last merged-in parent whose side changed the file.
        for (let i = step.parents.length - 1; i >= 1 && module === null; i--) {
          if ((await filesOfSide(step.parents[0], step.parents[i])).has(file)) module = owner.get(step.parents[i]) ?? null;
        }
      }
      // A module whose branch is gone can still be named by the merge commit's message.
      if (module === null && step.parents.length > 1) {
        const named = MERGE_SUBJECT.exec(step.subject)?.[1];
        if (named !== undefined && unreadable.has(named)) module = named;
      }
      if (module !== null) result.set(file, module);
    }
    if (decided.size === changed.size) break;
  }
  return result;
}

/**
 * Commit -> module for the modules' own commits: each branch's first-parent line down from its tip,
 * stopping at the base or at a merge of the integration branch (the branch may have started from an
 * earlier phase's integration result, whose commits are not this module's). A commit on several
 * branches (a branch started from another module's) belongs to the branch with the fewest own commits.
 */
export async function commitOwners(
  git: GitExec,
  repoRoot: string,
  base: string,
  moduleBranches: ReadonlyMap<string, string>,
  chainMerges: ReadonlySet<string>,
): Promise<{ owner: Map<string, string>; unreadable: Set<string> }> {
  const lists: ModuleCommits[] = [];
  const unreadable = new Set<string>();
  for (const [module, branch] of moduleBranches) {
    let out: string;
    try {
      out = (await git.run(repoRoot, ['rev-list', '--first-parent', branch, `^${base}`, '--'], { readOnly: true })).stdout;
    } catch (e) {
      if (e instanceof GitError && e.reason !== 'timeout' && e.reason !== 'git-missing') {
        unreadable.add(module);
        continue;
      }
      throw e;
    }
    const commits: string[] = [];
    for (const commit of out.split('\n').filter(Boolean)) {
      if (chainMerges.has(commit)) break;
      commits.push(commit);
    }
    lists.push({ module, commits });
  }
  lists.sort((a, b) => a.commits.length - b.commits.length);
  const owner = new Map<string, string>();
  for (const { module, commits } of lists) for (const c of commits) if (!owner.has(c)) owner.set(c, module);
  return { owner, unreadable };
}

function splitZ(text: string): string[] {
  return text.split('\0').filter((s) => s.length > 0);
}

/** Parses `log --format=%x1e%H %P%x1f%s --name-only -z` output. */
function parseChain(text: string): ChainStep[] {
  const steps: ChainStep[] = [];
  for (const record of text.split('\x1e')) {
    if (record.length === 0) continue;
    const headerEnd = record.indexOf('\0');
    const header = headerEnd < 0 ? record : record.slice(0, headerEnd);
    const sep = header.indexOf('\x1f');
    const ids = (sep < 0 ? header : header.slice(0, sep)).trim().split(' ').filter(Boolean);
    const subject = sep < 0 ? '' : header.slice(sep + 1);
    const files = headerEnd < 0 ? [] : splitZ(record.slice(headerEnd + 1)).map((f) => f.replace(/^\n/, '')).filter(Boolean);
    if (ids.length === 0) continue;
    steps.push({ commit: ids[0], parents: ids.slice(1), subject, files });
  }
  return steps;
}
