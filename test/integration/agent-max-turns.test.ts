// tasks.csv's max_turns with the REAL Claude Code and Qwen Code CLIs (pinned in test/agents/versions.env),
// headless through the built `conductor`, against the scripted model server: the flag the preset
// passes is one the CLI takes, and the CLI stops at the budget. The diligent script needs four model
// turns (write, commit, report, answer); with a budget of 2 the agent never gets to report.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { git, makeRepo, type TempRepo } from '../support/gitRepo';
import { conductorBin, type BinResult } from '../support/conductorBin';
import { pathWithRealAgents, skipUnlessInstalled } from '../support/realAgents';
import { startModelServer, type ModelServer } from '../support/modelServer';
import { prepareClaudeHome } from '../support/agentHomes/claude';
import { prepareQwenHome } from '../support/agentHomes/qwen';


const RUN_TIMEOUT_MS = 150_000;

function conductor(cwd: string, args: string[], env: Record<string, string>): Promise<BinResult> {
  return conductorBin(cwd, args, env, { timeoutMs: RUN_TIMEOUT_MS });
}

describe('max_turns with the real CLIs', () => {
  let server: ModelServer;
  const repos: TempRepo[] = [];
  before(async () => {
    server = await startModelServer({ default: 'diligent' });
  });
  after(async () => {
    await server?.close();
    repos.forEach((r) => r.cleanup());
  });

  /** One row `solo` run by `preset` with `maxTurns`; the engine's log and status file, and the requests it made. */
  async function conductRow(preset: 'claude' | 'qwen', maxTurns: string, homeEnv: (home: string) => Promise<Record<string, string>>) {
    const repo = makeRepo({ 'tasks.csv': `id,agent,task,max_turns\nsolo,${preset},Implement solo,${maxTurns}\n` });
    repos.push(repo);
    const home = mkdtempSync(path.join(repo.root, '..', 'home-'));
    const env = { ...(await homeEnv(home)), PATH: pathWithRealAgents() };
    const from = server.requests.length;
    // The run's own agent is never used: the row names its preset.
    const r = await conductor(repo.root, ['conduct', '1', '--agent', 'codex', '--retries', '0'], env);
    const status = JSON.parse((await conductor(repo.root, ['status', '--json'], {})).stdout) as { phases: { modules: { state: string; agent: string; lastSummary: string | null; branch: string }[] }[] };
    const read = (rel: string): string => {
      try {
        return readFileSync(path.join(repo.root, rel), 'utf8');
      } catch {
        return '';
      }
    };
    return {
      repo,
      r,
      module: status.phases[0].modules[0],
      log: read('.conductor/logs/phase-1-tasks/solo.log'),
      statusLines: read('.conductor/status/phase-1-tasks/solo.jsonl'),
      requests: server.requests.slice(from),
    };
  }

  test('claude: --max-turns 2 stops Claude Code after two turns, before it reports', { skip: skipUnlessInstalled('claude'), timeout: RUN_TIMEOUT_MS + 30_000 }, async () => {
    const run = await conductRow('claude', '2', (home) => prepareClaudeHome(home, server.url));
    assert.equal(run.module.agent, 'claude');
    assert.ok(run.requests.length > 0 && run.requests.every((q) => q.dialect === 'anthropic'), 'Claude Code talked to the scripted model');
    // The result event of a run stopped by its budget.
    assert.match(run.log, /"subtype":"error_max_turns"/, run.log.slice(-2000));
    assert.doesNotMatch(run.statusLines, /"status":"complete"/, 'the third turn, the report, never came');
    assert.equal(run.module.state, 'failed');
    assert.match(run.module.lastSummary ?? '', /^the agent CLI reported: Reached maximum number of turns \(2\)/);
    // The two turns it had: the file written and committed.
    assert.match(git(run.repo.root, 'log', '--format=%s', run.module.branch), /solo: implement/);
  });

  test('qwen: --max-session-turns 2 stops Qwen Code after two turns, before it reports', { skip: skipUnlessInstalled('qwen'), timeout: RUN_TIMEOUT_MS + 30_000 }, async () => {
    const run = await conductRow('qwen', '2', (home) => prepareQwenHome(home, server.url));
    assert.equal(run.module.agent, 'qwen');
    assert.ok(run.requests.length > 0, 'Qwen Code talked to the scripted model');
    assert.doesNotMatch(run.statusLines, /"status":"complete"/, 'the report never came');
    assert.match(run.log, /^Reached max session turns for this session\./m, run.log.slice(-2000));
    assert.equal(run.module.state, 'failed');
    assert.equal(run.module.lastSummary, "the agent CLI reported: Reached its maximum number of session turns (the module's max_turns) — exited with code 53 without reporting");
    assert.match(git(run.repo.root, 'log', '--format=%s', run.module.branch), /solo: implement/);
  });
});
