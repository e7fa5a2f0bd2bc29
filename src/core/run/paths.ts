// Where the engine keeps its own files: `.conductor/` of the main repository, never a worktree.
export const CONDUCTOR_DIR = '.conductor';

export interface ConductorPaths {
  dir: string;
  stateFile: string;
  statusDir: string;
  hookDir: string;
  statusFile(module: string): string;
  promptFile(module: string): string;
  logFile(module: string): string;
}

export function conductorPaths(repoRoot: string, phaseSlug: string): ConductorPaths {
  const dir = `${repoRoot.replace(/\/+$/, '')}/${CONDUCTOR_DIR}`;
  return {
    dir,
    stateFile: `${dir}/state.json`,
    statusDir: `${dir}/status`,
    hookDir: `${dir}/bin`,
    statusFile: (m) => `${dir}/status/${phaseSlug}/${m}.jsonl`,
    promptFile: (m) => `${dir}/prompts/${phaseSlug}/${m}.md`,
    logFile: (m) => `${dir}/logs/${phaseSlug}/${m}.log`,
  };
}
