// `npm run demo`: the whole loop in about a minute, without an AI CLI. Creates the sample bookshop
// in a temporary folder, conducts its phase with the demo agent, merges and validates, and prints
// the report. `--keep` leaves the folder for a look around (npm run demo:vscode opens it).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { SAMPLE_FILES } from './sample';

const CLI = path.join(__dirname, '../../dist/cli.js');
const AGENT = path.join(__dirname, 'demo-agent.mjs');
const IDENTITY = { GIT_AUTHOR_NAME: 'Demo', GIT_AUTHOR_EMAIL: 'demo@example.invalid', GIT_COMMITTER_NAME: 'Demo', GIT_COMMITTER_EMAIL: 'demo@example.invalid' };

export function createSample(parent: string): string {
  const root = path.join(parent, 'bookshop');
  for (const [rel, text] of Object.entries(SAMPLE_FILES)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), text);
  }
  const git = (...args: string[]) => execFileSync('git', args, { cwd: root, env: { ...process.env, ...IDENTITY }, stdio: 'pipe' });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-qm', 'Bookshop: plan and contracts');
  return root;
}

function step(title: string, args: string[], cwd: string): number {
  console.log(`\n\x1b[1m$ conductor ${args.join(' ')}\x1b[0m   # ${title}`);
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, stdio: 'inherit', env: { ...process.env, ...IDENTITY } });
  return r.status ?? 1;
}

function main(): void {
  const keep = process.argv.includes('--keep');
  const parent = mkdtempSync(path.join(tmpdir(), 'spec-conductor-demo-'));
  const root = createSample(parent);
  console.log(`Sample project: ${root}`);
  const started = Date.now();
  try {
    step('the plan: phases, modules, contracts, waves', ['plan'], root);
    const conducted = step('one worktree, branch and demo agent per module', ['conduct', '1', '--agent', `node ${AGENT}`, '--max-parallel', '4'], root);
    if (conducted !== 0) throw new Error('conducting the phase failed');
    const merged = step('merge in an integration worktree, run npm test there', ['merge', '1', '--trust'], root);
    step('the phase report', ['report', '1'], root);
    console.log(`\nDone in ${((Date.now() - started) / 1000).toFixed(1)} s (merge ${merged === 0 ? 'clean and validated' : 'not clean'}).`);
    if (keep) console.log(`The sample stays in ${root}; its worktrees are in ${root}.worktrees`);
    process.exitCode = merged;
  } finally {
    if (!keep) rmSync(parent, { recursive: true, force: true });
  }
}

if (require.main === module) main();
