// The `claude` preset in the real workbench, with the REAL Claude Code (pinned in
// test/agents/versions.env) running interactively in each agent's terminal, against the scripted
// model server (test/model-server) in this process. Conduct Phase with specConductor.agent = "claude":
// - pricing's model ends its first turn with a question: Claude Code's Stop hook (installed by the
//   engine, `conductor-hook claude-event`) makes it needs-input in the Phases tree, not complete;
//   the user types the answer into its terminal, and the agent finishes and reports complete itself;
// - catalog's model works and reports complete on its own.
// Claude Code runs with an isolated HOME and a fake key (test/support/agentHomes/claude.ts): every
// request it makes goes to the scripted server, which must have answered them all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { ModuleRecord } from '../../src/core/run/model';
import { contractFor, readyMd } from '../support/specBuilder';
import { prepareClaudeHome } from '../support/agentHomes/claude';
import { realAgentsBinDir, realCliVersion, skipUnlessInstalled } from '../support/realAgents';
import { alive, killGroup } from '../support/processes';
import { filesRepo } from './gitFixture';
import { withWorkbench } from './harness';
import { waitUntil } from './waitUntil';
import {
  clickDialogButton,
  readDialog,
  readNotificationToasts,
  readStatusItem,
  showPhasesView,
  typeInModuleTerminal,
  waitForTree,
} from './workbenchViews';

interface ModelServer {
  url: string;
  requests: { dialect: string | null; method: string; path: string; status: number; module: string | null }[];
  close(): Promise<void>;
}

const PHASE = 'phase-1-shop';
/** Asks first (scenario 'ask' of test/model-server/script.mjs), then works. */
const ASKS = 'pricing';
/** Works and reports on its own (scenario 'diligent'). */
const WORKS = 'catalog';
const ANSWER = 'EUR';
/** Claude Code starting in a terminal, its turns and hooks: slow on a loaded machine; none of these is a threshold. */
const AGENT_WAIT_MS = 240_000;

test(`claude preset, interactive: Claude Code ${realCliVersion('claude')} in each agent's terminal; a question is needs-input until answered there`, { skip: skipUnlessInstalled('claude') }, async (t) => {
  const { startModelServer, QUESTION } = await loadModelServer();
  const server = await startModelServer({ default: 'diligent', modules: { [ASKS]: 'ask' } });
  t.after(() => server.close());

  const repo = filesRepo('shop', {
    'READY.md': readyMd([{ number: 1, name: 'Shop', modules: [WORKS, ASKS] }]),
    [`contracts/${WORKS}.md`]: contractFor(WORKS),
    [`contracts/${ASKS}.md`]: contractFor(ASKS),
  });
  t.after(() => repo.remove());

  // Claude Code's own home, next to the repository (removed with it). Interactive Claude Code asks
  // once per folder whether to trust it, and a trusted folder covers its subfolders (see
  // docs/agents/claude.md): the user trusts `<repo>.worktrees` once, where every module's worktree
  // goes. That answer is pre-written here, in the isolated config ($CLAUDE_CONFIG_DIR/.claude.json).
  const home = path.join(path.dirname(repo.folder), 'home');
  const claudeEnv = await prepareClaudeHome(home, server.url, { trust: [repo.worktreeRoot] });
  // What a user who installed Claude Code has in that HOME: the CLI on the PATH of their login shell,
  // which is where VS Code (code-server too) takes the extension host's environment from, and so the
  // agents' terminals (a PATH given to code-server directly is reset by /etc/profile); their git
  // identity, for the agents' commits.
  writeFileSync(path.join(home, '.profile'), `PATH=${shellQuote(realAgentsBinDir())}:"$PATH"\nexport PATH\n`);
  writeFileSync(path.join(home, '.gitconfig'), '[user]\n\tname = E2E\n\temail = e2e@example.invalid\n');
  const env = {
    ...claudeEnv,
    // Claude Code's documented switch against installing its VS Code extension when it runs in a VS Code
    // terminal (not observed without it here; set so that nothing depends on the gallery being empty).
    CLAUDE_CODE_IDE_SKIP_AUTO_INSTALL: '1',
    // The login shell VS Code asks for that environment: one that reads ~/.profile, whatever the test runner's own shell is.
    SHELL: '/bin/sh',
  };
  const settings = {
    'specConductor.agent': 'claude',
    'terminal.integrated.tabs.hideCondition': 'never',
    'terminal.integrated.hideOnLastClosed': false,
  };

  const stateOf = (modules: ModuleRecord[] | undefined, id: string): ModuleRecord | undefined => modules?.find((m) => m.id === id);
  const statusLines = (module: string): { status: string; summary: string }[] => {
    const file = path.join(repo.folder, '.conductor', 'status', PHASE, `${module}.jsonl`);
    if (!existsSync(file)) return [];
    return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { status: string; summary: string });
  };
  /** The agents' terminal shells (each leads the group of its Claude Code). */
  const shells = new Set<number>();

  try {
    await withWorkbench({ name: 'claude', folder: repo.folder, trust: true, probe: true, env, settings }, async (wb) => {
      const modules = async (): Promise<ModuleRecord[] | undefined> => {
        const run = (await wb.host('runState')).phases[PHASE];
        for (const m of run?.modules ?? []) if (m.pid !== null) shells.add(m.pid);
        return run?.modules;
      };

      await showPhasesView(wb.page);
      await waitForTree(wb.page, (rows) => rows.some((r) => r.label === 'Phase 1: Shop'), 'the phase');
      await wb.runCommand('Conductor: Conduct Phase');
      const preview = await readDialog(wb.page);
      await wb.screenshot('preview');
      assert.equal(preview.message, 'Conduct Phase 1: Shop?');
      assert.match(preview.detail, /Agent: claude · /);
      await clickDialogButton(wb.page, 'Conduct');

      // catalog completes by itself; pricing asks, and waits for its user (not complete).
      const waiting = await waitUntil(
        `${WORKS} complete and ${ASKS} needing input (or off the script)`,
        modules,
        (ms) => (stateOf(ms, WORKS)?.state === 'complete' && stateOf(ms, ASKS)?.state === 'needs-input') || stateOf(ms, ASKS)?.state === 'complete' || offScript(ms),
        AGENT_WAIT_MS,
      );
      assert.deepEqual(
        waiting?.map((m) => [m.id, m.state]),
        [
          [WORKS, 'complete'],
          [ASKS, 'needs-input'],
        ],
        JSON.stringify(waiting?.map((m) => [m.id, m.state, m.lastSummary])),
      );
      assert.equal(stateOf(waiting, WORKS)?.lastSummary, `${WORKS} implemented by the scripted model`, 'the summary the agent gave the hook');
      // The question came from the Stop hook at the end of the turn; nothing said complete. (After
      // about 60 s idle Claude Code's idle_prompt notification adds "waiting for your input".)
      const asked = statusLines(ASKS);
      assert.equal(asked.find((l) => l.status === 'needs-input')?.summary, QUESTION, JSON.stringify(asked));
      assert.deepEqual(asked.filter((l) => l.status === 'complete'), []);

      const icons = (rs: { level: number; label: string; icon: string | null }[]): [string, string | null][] => rs.filter((r) => r.level === 2).map((r) => [r.label, r.icon]);
      await waitForTree(wb.page, (rs) => sameJson(icons(rs), [[WORKS, 'pass-filled'], [ASKS, 'bell-dot']]), `${WORKS} complete and ${ASKS} waiting for input`);
      const question = `Agent ${ASKS} needs your input: ${QUESTION}`;
      await waitUntil('the needs-input notification', () => readNotificationToasts(wb.page), (ts) => ts.some((n) => n.message === question));
      assert.match((await readStatusItem(wb.page))?.text ?? '', /1\/2 done · 1 waiting/);
      await wb.screenshot('needs-input');

      // The engine installed Claude Code's hooks in the worktree: turn ends and waits, never completion.
      const hooks = readFileSync(path.join(repo.worktreeRoot, PHASE, ASKS, '.claude', 'settings.local.json'), 'utf8');
      assert.match(hooks, /"Stop"[\s\S]*conductor-hook claude-event/);

      // The user answers in pricing's terminal: Claude Code takes it as the next turn.
      await typeInModuleTerminal(wb.page, ASKS, ANSWER);
      await wb.screenshot('answered');
      const done = await waitUntil(`${ASKS} complete (or off the script)`, modules, (ms) => stateOf(ms, ASKS)?.state === 'complete' || offScript(ms), AGENT_WAIT_MS);
      assert.deepEqual(done?.map((m) => [m.id, m.state, m.lastSummary]), [
        [WORKS, 'complete', `${WORKS} implemented by the scripted model`],
        [ASKS, 'complete', `${ASKS} implemented by the scripted model (prices in ${ANSWER})`],
      ]);

      await wb.waitForHost('statusBarText', (text) => text === '$(pass) Phase 1 · 2/2 done', 'the phase to end', AGENT_WAIT_MS);
      await waitForTree(wb.page, (rs) => [WORKS, ASKS].every((m) => rs.some((r) => r.label === m && r.icon === 'pass-filled')), 'both modules complete');
      await wb.screenshot('phase-done');

      // Each module's work is committed on its branch by the agent.
      for (const m of [WORKS, ASKS]) {
        const branch = `conductor/${PHASE}/${m}`;
        assert.match(repo.git('show', `${branch}:src/${m}.js`), new RegExp(`export const ${m} =`));
        assert.equal(repo.git('log', '-1', '--format=%s', branch).trim(), `${m}: implement (attempt 1)`);
      }
      // The only completion of each is the agent's own, after pricing's question.
      const finalLines = statusLines(ASKS).map((l) => l.status);
      assert.ok(finalLines.indexOf('needs-input') < finalLines.indexOf('complete'), finalLines.join(', '));
      assert.deepEqual(statusLines(ASKS).filter((l) => l.status === 'complete').map((l) => l.summary), [`${ASKS} implemented by the scripted model (prices in ${ANSWER})`]);
      assert.deepEqual(statusLines(WORKS).filter((l) => l.status === 'complete').map((l) => l.summary), [`${WORKS} implemented by the scripted model`]);

      // The phase over, its agents are stopped: no Claude Code left in a terminal.
      await waitUntil('every agent shell to be gone', async () => [...shells].filter(alive), (live) => live.length === 0);
      assert.equal(shells.size, 2, 'one terminal shell per module');
    });

    // Claude Code talked only to the scripted server, for both modules, and every request had an answer.
    const requests = server.requests;
    assert.deepEqual([...new Set(requests.map((r) => r.module).filter(Boolean))].sort(), [WORKS, ASKS].sort());
    assert.deepEqual(
      requests.filter((r) => r.dialect !== 'anthropic' || r.status >= 400),
      [],
      'every request went to a route of the Anthropic dialect and was answered',
    );
  } finally {
    // A failed run may leave Claude Code running: it is this test's to end.
    [...shells].filter(alive).forEach(killGroup);
  }
});

const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** States this test never waits for: once a module is in one, waiting longer changes nothing (the assertions after the wait say what went wrong). */
const OFF_SCRIPT = new Set(['failed', 'interrupted', 'complete-unverified', 'blocked', 'paused']);

function offScript(modules: ModuleRecord[] | undefined): boolean {
  return (modules ?? []).some((m) => OFF_SCRIPT.has(m.state));
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

async function loadModelServer(): Promise<{ startModelServer(config: Record<string, unknown>): Promise<ModelServer>; QUESTION: string }> {
  const [server, script] = await Promise.all([
    import(path.join(__dirname, '../model-server/server.mjs')) as Promise<{ startModelServer(config: Record<string, unknown>): Promise<ModelServer> }>,
    import(path.join(__dirname, '../model-server/script.mjs')) as Promise<{ QUESTION: string }>,
  ]);
  return { startModelServer: server.startModelServer, QUESTION: script.QUESTION };
}
