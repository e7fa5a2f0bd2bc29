// Fresh git repositories for the end-to-end scenarios that conduct: the demo's sample bookshop (or a
// test fixture) committed in a temp folder, with the scripted test agent configured as the custom
// agent and its plan in a file next to the repository (outside it, so the checkout stays clean).
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createSample } from '../../scripts/demo/demo';
import { REPO_ROOT } from './tools';

const SCRIPTED_AGENT = path.join(REPO_ROOT, 'test', 'agents', 'scripted-agent.mjs');
const IDENTITY = { GIT_AUTHOR_NAME: 'E2E', GIT_AUTHOR_EMAIL: 'e2e@example.invalid', GIT_COMMITTER_NAME: 'E2E', GIT_COMMITTER_EMAIL: 'e2e@example.invalid' };

/** The scripted agent's plan: steps by module, `<module>#<attempt>` or `*` (see test/agents/scripted-agent.mjs). */
export type AgentPlan = Record<string, Record<string, unknown>[]>;

export interface RepoFixture {
  /** The repository, opened as the workspace folder. */
  folder: string;
  /** Where the modules' worktrees go by default. */
  worktreeRoot: string;
  /** Runs git in the repository and returns its output. */
  git(...args: string[]): string;
  /** Writes (or replaces) files and commits them. */
  commit(message: string, files: Record<string, string>): void;
  /** The workbench options that make the scripted agent, with `plan`, the custom agent. */
  agent(plan: AgentPlan, settings?: Record<string, unknown>): { env: Record<string, string>; settings: Record<string, unknown> };
  remove(): void;
}

/** The sample bookshop of `npm run demo` (one phase: catalog | search, cart | checkout), committed. */
export function sampleRepo(): RepoFixture {
  const parent = tempParent();
  return fixture(parent, createSample(parent));
}

/** A copy of test/fixtures/<name> as a fresh repository, with `edit` applied to READY.md before the first commit. */
export function fixtureRepo(name: string, edit: (readyMd: string) => string = (text) => text): RepoFixture {
  const parent = tempParent();
  const folder = path.join(parent, name);
  cpSync(path.join(REPO_ROOT, 'test', 'fixtures', name), folder, { recursive: true });
  const ready = path.join(folder, 'READY.md');
  writeFileSync(ready, edit(readFileSync(ready, 'utf8')));
  commitAll(folder, `${name} fixture`);
  return fixture(parent, folder);
}

/** A fresh repository `<temp>/<name>` holding `files` (paths relative to it), committed on main. */
export function filesRepo(name: string, files: Record<string, string>): RepoFixture {
  const parent = tempParent();
  const folder = path.join(parent, name);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(folder, rel)), { recursive: true });
    writeFileSync(path.join(folder, rel), text);
  }
  commitAll(folder, `${name}: initial`);
  return fixture(parent, folder);
}

function commitAll(folder: string, message: string): void {
  run(folder, 'init', '-q', '-b', 'main');
  run(folder, 'add', '-A');
  run(folder, 'commit', '-qm', message);
}

function fixture(parent: string, folder: string): RepoFixture {
  const planFile = path.join(parent, 'agent-plan.json');
  const remove = (): void => {
    process.off('exit', remove);
    rmSync(parent, { recursive: true, force: true });
  };
  process.on('exit', remove);
  return {
    folder,
    worktreeRoot: `${folder}.worktrees`,
    git: (...args) => run(folder, ...args),
    commit: (message, files) => {
      for (const [rel, text] of Object.entries(files)) {
        mkdirSync(path.dirname(path.join(folder, rel)), { recursive: true });
        writeFileSync(path.join(folder, rel), text);
      }
      run(folder, 'add', '-A');
      run(folder, 'commit', '-qm', message);
    },
    agent: (plan, settings = {}) => {
      writeFileSync(planFile, JSON.stringify(plan, null, 2));
      return {
        env: { SCRIPTED_AGENT_PLAN: planFile },
        settings: { 'specConductor.agent': 'custom', 'specConductor.customCommand': `node ${SCRIPTED_AGENT}`, ...settings },
      };
    },
    remove,
  };
}

function tempParent(): string {
  return realpathSync(mkdtempSync(path.join(os.tmpdir(), 'sc-e2e-repo-')));
}

function run(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: { ...process.env, ...IDENTITY }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** The sample's READY.md cut to one phase, Storefront, of `modules`, validated by `testCommand`. */
export function storefrontReady(bullet: string, modules: readonly string[], testCommand: string): string {
  return `# Bookshop

## Implementation Phases

### Phase 1: Storefront
- ${bullet}

**Modules:** ${modules.join(', ')}

#### Test Commands
- \`${testCommand}\`
`;
}

/** The sample's search contract without its dependency on catalog: it runs beside catalog in wave 1. */
export const STANDALONE_SEARCH_CONTRACT = `---
feature_id: feature-002-search
provides:
  api: [search(q)]
  files: [src/search/**]
depends_on: []
acceptance_criteria:
  - "\`search('dun')\` returns the book with id 1"
---
`;
