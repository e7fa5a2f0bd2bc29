import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FsSpecSource } from '../../src/infra/fsSpecSource';
import { locateSpec } from '../../src/core/spec/locateSpec';

const CONTRACT_GLOBS = ['contracts/*.md', '**/contract.md'];

async function write(root: string, rel: string, text = `# ${rel}\n`): Promise<void> {
  const file = path.join(root, rel);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, text);
}

describe('FsSpecSource', () => {
  let root: string;

  before(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'fs-spec-source-'));
    for (const rel of [
      'READY.md',
      'contract.md',
      'contracts/auth.md',
      'contracts/ui.md',
      'contracts/notes.txt',
      'contracts/deep/nested.md',
      'features/auth/contract.md',
      'features/billing/api/contract.md',
      '.prelude/contract.md',
      'docs/contracts/other.md',
      'node_modules/pkg/contract.md',
      'features/node_modules/x/contract.md',
      '.git/contract.md',
      '.conductor/worktrees/auth/contract.md',
      'dist/contract.md',
      'out/contract.md',
      'linked-worktree/contract.md',
      'linked-worktree/contracts/a.md',
    ]) {
      await write(root, rel);
    }
    // A worktree of another repository has a `.git` *file* pointing at its gitdir.
    await fs.writeFile(path.join(root, 'linked-worktree/.git'), 'gitdir: /somewhere/else/.git/worktrees/x\n');
    // A symlink loop and a link to a directory that holds a contract: neither is followed.
    await fs.symlink('..', path.join(root, 'features/loop'), 'dir');
    await fs.symlink(path.join(root, 'features/auth'), path.join(root, 'auth-link'), 'dir');
    // A symlinked file is still a file; a dangling link is ignored.
    await fs.symlink(path.join(root, 'contracts/ui.md'), path.join(root, 'contracts/ui-link.md'));
    await fs.symlink(path.join(root, 'missing.md'), path.join(root, 'contracts/dangling.md'));
  });

  after(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  test('finds contracts by the default globs, skipping ignored trees, worktrees and symlinked dirs', async () => {
    const files = await new FsSpecSource(root).findFiles(CONTRACT_GLOBS);
    assert.deepEqual(files, [
      '.prelude/contract.md',
      'contract.md',
      'contracts/auth.md',
      'contracts/ui-link.md',
      'contracts/ui.md',
      'features/auth/contract.md',
      'features/billing/api/contract.md',
    ]);
  });

  test('a pattern without a slash matches at the root only', async () => {
    const source = new FsSpecSource(root);
    assert.deepEqual(await source.findFiles(['*.md']), ['READY.md', 'contract.md']);
    assert.deepEqual(await source.findFiles(['contracts/**/*.md']), [
      'contracts/auth.md',
      'contracts/deep/nested.md',
      'contracts/ui-link.md',
      'contracts/ui.md',
    ]);
  });

  test('results are unique when several globs match the same file; ./ prefixes and negations work', async () => {
    const source = new FsSpecSource(root);
    assert.deepEqual(await source.findFiles(['contracts/auth.md', './contracts/*.md', 'contracts/a*.md', '!contracts/ui*']), [
      'contracts/auth.md',
    ]);
    assert.deepEqual(await source.findFiles([]), []);
    assert.deepEqual(await source.findFiles(['nowhere/*.md']), []);
  });

  test('readText returns the text, or null for a missing file', async () => {
    const source = new FsSpecSource(root);
    assert.equal(await source.readText('contracts/auth.md'), '# contracts/auth.md\n');
    assert.equal(await source.readText('nope.md'), null);
    assert.equal(await source.readText('READY.md/below'), null);
  });

  test('readText reports other errors with the path', async () => {
    await assert.rejects(new FsSpecSource(root).readText('contracts'), (err: Error) => {
      assert.ok(err.message.includes(path.join(root, 'contracts')), err.message);
      return true;
    });
  });
});

describe('locateSpec', () => {
  const roots: string[] = [];
  after(async () => {
    await Promise.all(roots.map((r) => fs.rm(r, { recursive: true, force: true })));
  });

  async function tree(files: string[]): Promise<FsSpecSource> {
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'locate-spec-'));
    roots.push(root);
    for (const rel of files) await write(root, rel);
    return new FsSpecSource(root);
  }

  test('READY.md, then .prelude/READY.md, then tasks.csv', async () => {
    assert.equal(await locateSpec(await tree(['READY.md', '.prelude/READY.md', 'tasks.csv'])), 'READY.md');
    assert.equal(await locateSpec(await tree(['.prelude/READY.md', 'tasks.csv'])), '.prelude/READY.md');
    assert.equal(await locateSpec(await tree(['tasks.csv'])), 'tasks.csv');
    assert.equal(await locateSpec(await tree(['other.md'])), null);
  });

  test('a configured path wins, even when the file is missing; an empty setting means none', async () => {
    const source = await tree(['READY.md']);
    assert.equal(await locateSpec(source, 'plans/tasks.csv'), 'plans/tasks.csv');
    assert.equal(await locateSpec(source, ''), 'READY.md');
    assert.equal(await locateSpec(source, '   '), 'READY.md');
  });
});
