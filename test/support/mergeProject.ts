// The phase the merge tests conduct and merge: real branches made by the scripted agent.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { contractFor, readyMd } from './specBuilder';
import { git, makeRepo, type TempRepo } from './gitRepo';
import { conductorBin, SCRIPTED_AGENT } from './conductorBin';

export type Steps = Record<string, unknown[]>;
export const write = (file: string, content: string) => ({ write: file, content });
export const done = (summary = 'done') => [{ commit: summary }, { report: 'complete', summary }];

/** Phase 1: a, b, c (after a), d (after b and c); `extra` lines go into the phase body. */
export function project(repos: TempRepo[], extra: string[] = [], files: Record<string, string> = {}): TempRepo {
  const repo = makeRepo({
    'READY.md': readyMd([{ number: 1, name: 'Shop', modules: ['a', 'b', 'c', 'd'], extra }]),
    'contracts/a.md': contractFor('a'),
    'contracts/b.md': contractFor('b'),
    'contracts/c.md': contractFor('c', ['a']),
    'contracts/d.md': contractFor('d', ['b', 'c']),
    'src/shared.ts': 'one\ntwo\nthree\nfour\nfive\n',
    'check.mjs': "import { existsSync, readFileSync } from 'node:fs';\nconst t = readFileSync('src/shared.ts', 'utf8');\nif (t.includes('BROKEN')) { console.log('src/shared.ts:2:1: error shared is broken'); process.exit(1); }\nconsole.log('ok');\n",
    ...files,
  });
  repos.push(repo);
  return repo;
}

/** Conducts phase 1; modules without steps run the scripted agent's default (write <module>.txt, commit, report). */
export async function conduct(repo: TempRepo, steps: Steps, args: string[] = []): Promise<void> {
  const plan = path.join(repo.root, '..', 'plan.json');
  writeFileSync(plan, JSON.stringify(steps));
  const r = await conductorBin(repo.root, ['conduct', '1', '--agent', SCRIPTED_AGENT, '--quiet', ...args], { SCRIPTED_AGENT_PLAN: plan });
  assert.ok(r.code === 0 || r.code === 1, r.stderr);
}

export interface FindingJson {
  file: string | null;
  line: number | null;
  column: number | null;
  severity: string;
  message: string;
  module: string | null;
}

export interface MergeJson {
  integrationBranch: string;
  integrationWorktree: string;
  merged: string[];
  skipped: { module: string; reason: string }[];
  notMerged: { module: string; reason: string }[];
  conflicts: { module: string; with: string[]; file: string; kind: string; startLine: number; endLine: number; theirsStartLine: number; theirsEndLine: number }[];
  validation: { kind: string; command: string | null; exitCode: number | null; findings: FindingJson[] }[];
  into: { branch: string; commit: string; partial: boolean } | null;
  ok: boolean;
}

export async function merge(repo: TempRepo, ...args: string[]): Promise<{ code: number; json: MergeJson }> {
  const r = await conductorBin(repo.root, ['merge', '1', '--json', ...args]);
  assert.ok(r.code === 0 || r.code === 1, r.stderr);
  return { code: r.code, json: JSON.parse(r.stdout) as MergeJson };
}

/** Merge commits made by Merge & Validate (not the scratch "start of" merges inside module branches). */
export function integrationMerges(repo: TempRepo, branch: string): string[] {
  return git(repo.root, 'log', '--merges', '--format=%s', branch)
    .trim()
    .split('\n')
    .filter((s) => s.startsWith('conductor: merge '));
}

/**
 * Phase 1 conducted and merged once, with a conflict left to resolve by hand: a and b (wave 1) change
 * line 2 of src/shared.ts differently, so b conflicts with a; c (wave 2) needs b. The check fails
 * while src/shared.ts holds conflict markers.
 */
export async function conflictedShop(repos: TempRepo[]): Promise<{ repo: TempRepo; first: MergeJson }> {
  const repo = makeRepo({
    'READY.md': readyMd([{ number: 1, name: 'Shop', modules: ['a', 'b', 'c'], extra: ['', '#### Test Commands', '- `node check.mjs`'] }]),
    'contracts/a.md': contractFor('a'),
    'contracts/b.md': contractFor('b'),
    'contracts/c.md': contractFor('c', ['b']),
    'src/shared.ts': 'one\ntwo\nthree\nfour\nfive\n',
    'check.mjs': "import { readFileSync } from 'node:fs';\nif (readFileSync('src/shared.ts', 'utf8').includes('<<<<<<<')) process.exit(1);\nconsole.log('ok');\n",
  });
  repos.push(repo);
  await conduct(repo, {
    a: [write('src/shared.ts', 'one\na-two\nthree\nfour\nfive\n'), ...done()],
    b: [write('src/shared.ts', 'one\nb-two\nthree\nfour\nfive\n'), ...done()],
  });
  const first = await merge(repo, '--trust');
  assert.deepEqual(first.json.conflicts.map((c) => [c.module, c.file]), [['b', 'src/shared.ts']]);
  return { repo, first: first.json };
}
