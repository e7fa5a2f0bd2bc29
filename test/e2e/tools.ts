// Where test/e2e/install.sh put node 24, code-server and chromium: the same cache folder, computed
// from the same versions.env. Fails with the command to run when something is missing.
import { existsSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';

export const REPO_ROOT = path.resolve(__dirname, '../..');
export const VSIX = path.join(REPO_ROOT, 'spec-conductor.vsix');
export const RESULTS_DIR = path.join(REPO_ROOT, 'test-results', 'e2e');
/** Each test's screenshots by step name, unnumbered (`steps/<test>/<step>.png`): stable paths for scripts/readme-screenshots.sh. */
export const STEPS_DIR = path.join(RESULTS_DIR, 'steps');

export interface Tools {
  /** Folder with node 24's `node`, to put first in PATH for code-server. */
  nodeBin: string;
  codeServer: string;
  chromium: string;
}

export function findTools(env: NodeJS.ProcessEnv = process.env): Tools {
  const versions = readVersions(path.join(__dirname, 'versions.env'));
  const cacheRoot = env.SPEC_CONDUCTOR_E2E_CACHE || path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'spec-conductor-e2e');
  const dir = path.join(cacheRoot, `node-${versions.NODE_VERSION}-code-server-${versions.CODE_SERVER_VERSION}`);
  const install = 'run `bash test/e2e/install.sh` first';
  if (!existsSync(path.join(dir, '.complete'))) throw new Error(`No finished code-server install in ${dir}: ${install}.`);
  const chromium = which('chromium', env);
  if (!chromium) throw new Error(`chromium is not in PATH: ${install}.`);
  return {
    nodeBin: path.join(dir, 'node', 'node_modules', '.bin'),
    codeServer: path.join(dir, 'code-server', 'node_modules', '.bin', 'code-server'),
    chromium,
  };
}

function readVersions(file: string): Record<'NODE_VERSION' | 'CODE_SERVER_VERSION', string> {
  const vars = new Map<string, string>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^([A-Z_]+)=(\S+)$/.exec(line.trim());
    if (m) vars.set(m[1], m[2]);
  }
  const get = (key: string): string => {
    const value = vars.get(key);
    if (!value) throw new Error(`${file} does not set ${key}.`);
    return value;
  };
  return { NODE_VERSION: get('NODE_VERSION'), CODE_SERVER_VERSION: get('CODE_SERVER_VERSION') };
}

function which(command: string, env: NodeJS.ProcessEnv): string | null {
  try {
    return execFileSync('which', [command], { env, encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}
