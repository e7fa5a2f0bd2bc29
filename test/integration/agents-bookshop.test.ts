// Issue 8's "done when": headless `conductor conduct` with each of the claude, codex, gemini and qwen
// presets completes the bookshop's phase 2 (four modules in three waves) against the scripted model,
// every module reported by the agent itself, its file committed on its branch.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { git } from '../support/gitRepo';
import { conductBookshop } from '../support/bookshopRun';
import { skipUnlessInstalled, type RealCli } from '../support/realAgents';

const CLIS: RealCli[] = ['claude', 'codex', 'gemini', 'qwen'];

describe('the bookshop phase with each real agent CLI', () => {
  for (const cli of CLIS) {
    test(`${cli}: every module complete with the agent's own report`, { skip: skipUnlessInstalled(cli), timeout: 300_000 }, async () => {
      const run = await conductBookshop(cli);
      try {
        assert.equal(run.exit, 0, run.output);
        assert.deepEqual(
          run.modules.map((m) => [m.id, m.state, m.attempts, m.lastSummary]),
          ['catalog', 'search', 'cart', 'checkout'].map((id) => [id, 'complete', 1, `${id} implemented by the scripted model`]),
        );
        for (const m of run.modules) assert.match(git(run.root, 'show', '--name-only', '--format=', m.branch), new RegExp(`src/${m.id}\\.js`));
        assert.ok(run.usage && (run.usage.inputTokens ?? 0) > 0, `the stream's usage reached status --json: ${JSON.stringify(run.usage)}`);
      } finally {
        run.cleanup();
      }
    });
  }
});
