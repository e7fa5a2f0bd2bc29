// Issue 9, item 10: a status line of ~50 MB. It is skipped with a problem naming its file and line,
// without being held whole by the watcher, and the lines after it still count — whether the watcher
// delivers them while the agent runs or the read after the agent exits does.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { makeRepo, type TempRepo } from '../support/gitRepo';
import { conductorBin } from '../support/conductorBin';
import { contractFor, readyMd } from '../support/specBuilder';

const repos: TempRepo[] = [];
after(() => repos.forEach((r) => r.cleanup()));

/**
 * An agent that appends a ~50 MB well-formed status line in 1 MiB writes and exits at once: with
 * THEN_COMPLETE it has committed and reports complete after the line; without, it did nothing (so
 * its clean exit is a failure) and the long line is the last thing it wrote.
 */
function agent(repo: TempRepo): string {
  const file = path.join(repo.root, '..', 'long-line-agent.mjs');
  writeFileSync(
    file,
    `import * as fs from 'node:fs';
import { execFileSync } from 'node:child_process';
const env = process.env;
if (env.THEN_COMPLETE) {
  fs.writeFileSync(env.CONDUCTOR_MODULE + '.txt', 'work');
  execFileSync('git', ['add', '-A']);
  execFileSync('git', ['commit', '-qm', 'work']);
}
const fd = fs.openSync(env.CONDUCTOR_STATUS_FILE, 'a');
fs.writeSync(fd, '{"status":"progress","ts":"' + new Date().toISOString() + '","summary":"');
const mib = 'x'.repeat(1024 * 1024);
for (let i = 0; i < 50; i++) fs.writeSync(fd, mib);
fs.writeSync(fd, '"}\\n');
fs.closeSync(fd);
if (env.THEN_COMPLETE) execFileSync(env.CONDUCTOR_HOOK, ['complete', '--summary', 'done after the long line']);
`,
  );
  return `node ${file}`;
}

for (const thenComplete of [true, false]) {
  test(`a 50 MB status line is skipped with a problem at its file and line; ${thenComplete ? 'the complete after it counts' : 'it never becomes the summary'}`, async () => {
    const repo = makeRepo({ 'READY.md': readyMd([{ number: 1, name: 'Shop', modules: ['a'] }]), 'contracts/a.md': contractFor('a') });
    repos.push(repo);
    const r = await conductorBin(repo.root, ['conduct', '1', '--agent', agent(repo), '--retries', '0'], thenComplete ? { THEN_COMPLETE: '1' } : {});
    assert.match(r.stdout, /\.conductor\/status\/phase-1-shop\/a\.jsonl:1: Malformed status line: the line is longer than 1048576 characters/);
    const status = JSON.parse((await conductorBin(repo.root, ['status', '--json'])).stdout);
    const m = status.phases[0].modules[0];
    if (thenComplete) {
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.equal(m.state, 'complete');
    } else {
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.equal(m.state, 'failed', 'exited without a (readable) report and without work');
    }
    assert.ok(statSync(path.join(repo.root, '.conductor/state.json')).size < 100_000, 'the long line is in no summary');
  });
}
