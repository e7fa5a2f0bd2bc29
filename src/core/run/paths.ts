// Where the engine keeps its own files: `.conductor/` of the main repository, never a worktree.
export const CONDUCTOR_DIR = '.conductor';
/** In CONDUCTOR_DIR: every discovery the agents reported, one JSON line each. */
export const DISCOVERIES_LOG = 'discoveries.jsonl';

export interface ConductorPaths {
  dir: string;
  stateFile: string;
  /** What agents reported as discoveries, one JSON line each, appended (see core/discoveries). */
  discoveriesLog: string;
  /** This phase's status folder: one JSON Lines file per module. */
  phaseStatusDir: string;
  hookDir: string;
  statusFile(module: string): string;
  promptFile(module: string): string;
  logFile(module: string): string;
}

export function conductorPaths(repoRoot: string, phaseSlug: string): ConductorPaths {
  const dir = `${repoRoot.replace(/\/+$/, '')}/${CONDUCTOR_DIR}`;
  const phaseStatusDir = `${dir}/status/${phaseSlug}`;
  return {
    dir,
    stateFile: `${dir}/state.json`,
    discoveriesLog: `${dir}/${DISCOVERIES_LOG}`,
    phaseStatusDir,
    hookDir: `${dir}/bin`,
    statusFile: (m) => `${phaseStatusDir}/${m}.jsonl`,
    promptFile: (m) => `${dir}/prompts/${phaseSlug}/${m}.md`,
    logFile: (m) => `${dir}/logs/${phaseSlug}/${m}.log`,
  };
}
