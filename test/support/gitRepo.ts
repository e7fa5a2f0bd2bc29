// Real git repositories in temp folders for integration tests.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

export const GIT_ENV = {
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.invalid',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.invalid',
};

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, ...GIT_ENV } });
}

export interface TempRepo {
  root: string;
  write(rel: string, text: string): void;
  cleanup(): void;
}

/** A repository with `files` committed on main; cleanup also removes its sibling worktree folder. */
export function makeRepo(files: Record<string, string>, name = 'repo'): TempRepo {
  const parent = mkdtempSync(path.join(tmpdir(), 'conductor-it-'));
  const root = path.join(parent, name);
  mkdirSync(root);
  const write = (rel: string, text: string): void => {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), text);
  };
  for (const [rel, text] of Object.entries(files)) write(rel, text);
  git(root, 'init', '-q', '-b', 'main');
  git(root, 'add', '-A');
  git(root, 'commit', '-qm', 'initial');
  return { root, write, cleanup: () => rmSync(parent, { recursive: true, force: true }) };
}
