// Engine overhead per module: `conductor conduct` with a no-op agent (it only reports complete),
// against a baseline doing the same essential work directly: a serial `git worktree add -b` and one
// run of the same agent command per module.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { readyMd } from '../test/support/specBuilder';
import { fmt } from './stats';

const NOOP_AGENT = 'git commit -q --allow-empty -m noop && "$CONDUCTOR_HOOK" complete --summary noop';
const env = { ...process.env, GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@b', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@b' };
const DIST_CLI = path.join(__dirname, '../dist/cli.js');

function makeRepo(parent: string, modules: number): string {
  const root = path.join(parent, 'repo');
  mkdirSync(path.join(root, 'src'), { recursive: true });
  for (let i = 0; i < 200; i++) writeFileSync(path.join(root, 'src', `f${i}.ts`), `export const v${i} = ${i};\n`);
  const ids = Array.from({ length: modules }, (_, i) => `m${i + 1}`);
  writeFileSync(path.join(root, 'READY.md'), readyMd([{ number: 1, name: 'Bench', modules: ids }]));
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: root, env });
  execFileSync('git', ['add', '-A'], { cwd: root, env });
  execFileSync('git', ['commit', '-qm', 'init'], { cwd: root, env });
  return root;
}

export async function benchEngine(log: (line: string) => void): Promise<void> {
  const modules = 20;
  const parent = mkdtempSync(path.join(tmpdir(), 'bench-engine-'));
  try {
    const root = makeRepo(parent, modules);
    const t0 = performance.now();
    execFileSync(process.execPath, [DIST_CLI, 'conduct', '1', '--agent', NOOP_AGENT, '--max-parallel', '4', '--quiet'], { cwd: root, env, stdio: 'pipe' });
    const engineMs = performance.now() - t0;

    const baseRoot = makeRepo(path.join(parent, 'baseline'), modules);
    const hook = path.join(root, '.conductor/bin/conductor-hook');
    const t1 = performance.now();
    for (let i = 1; i <= modules; i++) {
      const wt = path.join(parent, 'baseline-wt', `m${i}`);
      execFileSync('git', ['worktree', 'add', '-q', '-b', `b/m${i}`, wt, 'HEAD'], { cwd: baseRoot, env });
      execFileSync('/bin/sh', ['-c', NOOP_AGENT], {
        cwd: wt,
        env: { ...env, CONDUCTOR_HOOK: hook, CONDUCTOR_STATUS_FILE: path.join(parent, 'baseline-status', `m${i}.jsonl`), CONDUCTOR_MODULE: `m${i}` },
      });
    }
    const baselineMs = performance.now() - t1;
    log(`${modules} modules, no-op agent (reports complete at once), 200-file repo, --max-parallel 4`);
    log(`  conductor conduct (whole run, incl. process start): ${fmt(engineMs)}  = ${fmt(engineMs / modules)} per module`);
    log(`  baseline: serial worktree add + agent run:          ${fmt(baselineMs)}  = ${fmt(baselineMs / modules)} per module`);
    log(`  engine overhead per module:                        ${fmt((engineMs - baselineMs) / modules)}  (ratio ${(engineMs / baselineMs).toFixed(2)})`);
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
}

if (require.main === module) {
  benchEngine((l) => console.log(l)).catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
