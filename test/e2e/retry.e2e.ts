// Retry Module and Stop Agent from the Phases tree's inline actions, in one conducted phase of three
// modules (catalog | search in wave 1, cart after catalog in wave 2), with no automatic retries:
// 1. catalog's first attempt exits without reporting: the tree shows it failed (cart blocked behind
//    it) and the status bar counts it, while search works on;
// 2. the user hovers catalog's row and clicks its "Retry Module" action: attempt 2 runs in the same
//    terminal slot (`Agent: catalog`, opened twice, never two at once) and completes, and cart,
//    unblocked, runs after it;
// 3. search hangs: the user clicks "Stop Agent" on its row: it is interrupted (tree and state.json),
//    its agent and its terminal are gone, and the phase ends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { ModuleRecord, RunStateFile } from '../../src/core/run/model';
import { sampleRepo, STANDALONE_SEARCH_CONTRACT, storefrontReady } from './gitFixture';
import { withWorkbench, type Workbench } from './harness';
import { waitUntil } from './waitUntil';
import {
  clickDialogButton,
  clickInlineAction,
  readDialog,
  readInlineActions,
  readStatusItem,
  readTerminalTabs,
  showPhasesView,
  waitForTree,
  type TreeRow,
} from './workbenchViews';
import { alive, killGroup } from '../support/processes';

const PHASE = 'phase-1-storefront';
const MODULES = ['catalog', 'search', 'cart'];
const READY = storefrontReady('Customers can browse, search and buy books', MODULES, 'npm test');
const SEARCH_PROGRESS = 'search: indexing the catalog';
const RETRY = 'Retry Module';
const STOP = 'Stop Agent';

interface AgentStart {
  module: string;
  attempt: number;
  pid: number;
  env: Record<string, string>;
}

const moduleRows = (rows: TreeRow[]): [string, string | null][] => rows.filter((r) => r.level === 2).map((r) => [r.label, r.icon]);

test('Retry Module and Stop Agent from the tree: a failed module retried in its terminal slot, a hanging agent stopped', async (t) => {
  const repo = sampleRepo();
  t.after(() => repo.remove());
  repo.git('rm', '-q', 'contracts/checkout.md');
  repo.commit('Three modules: catalog and search in wave 1, cart after catalog', { 'READY.md': READY, 'contracts/search.md': STANDALONE_SEARCH_CONTRACT });

  const implement = (id: string): Record<string, unknown>[] => [
    { write: `src/${id}/index.js`, content: `export const ${id} = true;\n` },
    { commit: `${id}: implemented` },
    { report: 'complete', summary: `${id} implemented`, files: [`src/${id}/index.js`] },
  ];
  const agent = repo.agent(
    {
      catalog: [{ failOnAttempt: 1 }, ...implement('catalog')],
      search: [{ report: 'progress', summary: SEARCH_PROGRESS }, { print: SEARCH_PROGRESS }, { hang: true }],
      cart: implement('cart'),
    },
    {
      'specConductor.retries': 0,
      'terminal.integrated.tabs.hideCondition': 'never',
      'terminal.integrated.hideOnLastClosed': false,
    },
  );
  const agentLog = path.join(path.dirname(repo.folder), 'agents.jsonl');
  const stateFile = path.join(repo.folder, '.conductor', 'state.json');
  const modulesOnDisk = (): ModuleRecord[] => (JSON.parse(readFileSync(stateFile, 'utf8')) as RunStateFile).phases[PHASE].modules;
  /** Every start of a scripted agent, in order. */
  const agentStarts = (): AgentStart[] => {
    let text = '';
    try {
      text = readFileSync(agentLog, 'utf8');
    } catch {
      return [];
    }
    return text
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as AgentStart & { event: string })
      .filter((e) => e.event === 'start');
  };
  /** The agents' terminal shells, as the run state recorded them. */
  const shellPids = new Set<number>();
  const everyPid = (): number[] => [...agentStarts().map((s) => s.pid), ...shellPids];

  try {
    await withWorkbench({ name: 'retry', folder: repo.folder, trust: true, probe: true, env: { ...agent.env, SCRIPTED_AGENT_LOG: agentLog }, settings: agent.settings }, async (wb) => {
      const moduleState = async (id: string): Promise<ModuleRecord | undefined> => (await wb.host('runState')).phases[PHASE]?.modules.find((m) => m.id === id);
      const hostRow = async (id: string) => (await wb.host('tree')).find((r) => r.id === `module:${PHASE}/${id}`);
      const recordShells = async (): Promise<void> => {
        for (const m of (await wb.host('runState')).phases[PHASE]?.modules ?? []) if (m.pid !== null) shellPids.add(m.pid);
      };

      // 1. Conduct from the palette; catalog's first attempt fails, search works on, cart waits blocked.
      await showPhasesView(wb.page);
      await waitForTree(wb.page, (rows) => rows.some((r) => r.label === 'Phase 1: Storefront'), 'the phase');
      await wb.screenshot('planned');
      await wb.runCommand('Conductor: Conduct Phase');
      const preview = await readDialog(wb.page);
      await wb.screenshot('preview');
      assert.equal(preview.message, 'Conduct Phase 1: Storefront?');
      assert.match(preview.detail, /Wave 1: catalog, search\nWave 2: cart/);
      await clickDialogButton(wb.page, 'Conduct');

      await wb.waitForHost(
        'runState',
        (s) => {
          const m = s.phases[PHASE]?.modules ?? [];
          return ['failed', 'running', 'blocked'].every((state, i) => m.find((x) => x.id === MODULES[i])?.state === state) && m[1]?.lastSummary === SEARCH_PROGRESS;
        },
        'catalog failed, search running (its progress reported) and cart blocked',
        60_000,
      );
      await recordShells();
      const failed = await waitForTree(wb.page, (rows) => rows.some((r) => r.label === 'catalog' && r.icon === 'error'), 'catalog failed');
      await wb.screenshot('catalog-failed');
      assert.deepEqual(moduleRows(failed), [
        ['catalog', 'error'],
        ['search', 'sync~spin'],
        ['cart', 'circle-slash'],
      ]);
      assert.deepEqual(
        await Promise.all(MODULES.map(async (m) => (await hostRow(m))?.contextValue)),
        ['module-failed', 'module-running', 'module-failed'],
      );
      const catalogFailed = await moduleState('catalog');
      assert.deepEqual([catalogFailed?.attempts, catalogFailed?.attemptLimit, catalogFailed?.lastSummary], [1, 1, 'exited with code 1 without reporting']);
      assert.equal((await moduleState('cart'))?.lastSummary, 'blocked by catalog');
      assert.equal(await wb.host('statusBarText'), '$(sync~spin) Phase 1 · 0/3 done · 1 failed');
      assert.deepEqual(await waitUntil('the status bar item', () => readStatusItem(wb.page), (s) => s?.text === 'Phase 1 · 0/3 done · 1 failed'), {
        icons: ['sync~spin'],
        text: 'Phase 1 · 0/3 done · 1 failed',
      });
      // The inline actions each kind of row offers (package.json's `view/item/context`, group "inline").
      assert.deepEqual(await readInlineActions(wb.page, 'catalog'), [RETRY]);
      assert.deepEqual(await readInlineActions(wb.page, 'search'), ['Focus Agent Terminal', STOP]);
      assert.deepEqual((await wb.host('terminalsOpened')).filter((n) => n === 'Agent: catalog'), ['Agent: catalog']);

      // 2. Retry catalog from its row. Every read of the open terminals while it restarts counts them.
      const catalogTerminals = new Set<number>();
      const countTerminals = async (): Promise<void> => {
        catalogTerminals.add((await wb.host('terminals')).filter((n) => n === 'Agent: catalog').length);
        catalogTerminals.add((await readTerminalTabs(wb.page)).filter((n) => n === 'Agent: catalog').length);
      };
      await countTerminals();
      await clickUntil(wb, 'catalog', RETRY, async () => ((await moduleState('catalog'))?.attempts ?? 0) >= 2, countTerminals);
      const retried = await waitUntil(
        'catalog\'s second attempt complete, then cart complete',
        async () => {
          await countTerminals();
          return (await wb.host('runState')).phases[PHASE]?.modules ?? [];
        },
        (ms) => ms.find((m) => m.id === 'catalog')?.state === 'complete' && ms.find((m) => m.id === 'cart')?.state === 'complete',
        60_000,
      );
      await countTerminals();
      await recordShells();
      const afterRetry = await waitForTree(
        wb.page,
        (rows) => rows.some((r) => r.label === 'catalog' && r.icon === 'pass-filled') && rows.some((r) => r.label === 'cart' && r.icon === 'pass-filled'),
        'catalog and cart complete',
      );
      await wb.screenshot('catalog-retried');
      assert.deepEqual(moduleRows(afterRetry), [
        ['catalog', 'pass-filled'],
        ['search', 'sync~spin'],
        ['cart', 'pass-filled'],
      ]);
      assert.match(afterRetry.find((r) => r.label === 'catalog')?.description ?? '', /^wave 1 · .+ · attempt 2$/);
      assert.match((await hostRow('catalog'))?.description ?? '', /^wave 1 · .+ · attempt 2$/);
      assert.deepEqual(
        retried.map((m) => [m.id, m.state, m.attempts]),
        [['catalog', 'complete', 2], ['search', 'running', 1], ['cart', 'complete', 1]],
      );
      // Attempt 2 ran as an agent in a terminal the port opened (only its wrapper sets CONDUCTOR_EXIT_FILE).
      const catalogStarts = agentStarts().filter((s) => s.module === 'catalog');
      assert.deepEqual(catalogStarts.map((s) => [s.attempt, s.env.CONDUCTOR_ATTEMPT, typeof s.env.CONDUCTOR_EXIT_FILE]), [[1, '1', 'string'], [2, '2', 'string']]);
      // The slot is reused: the terminal opened twice, and never two were open at once.
      assert.deepEqual((await wb.host('terminalsOpened')).filter((n) => n === 'Agent: catalog'), ['Agent: catalog', 'Agent: catalog']);
      t.diagnostic(`"Agent: catalog" terminals open at once, in the host and in the tab list, as polled: ${[...catalogTerminals].sort().join(', ')}`);
      assert.ok(Math.max(...catalogTerminals) <= 1, `"Agent: catalog" terminals open at once, as seen: ${[...catalogTerminals].join(', ')}`);

      // 3. Stop search's hanging agent from its row.
      const searchAgent = agentStarts().find((s) => s.module === 'search')?.pid;
      const searchShell = (await moduleState('search'))?.pid;
      assert.ok(searchAgent && alive(searchAgent) && searchShell && alive(searchShell), `search's agent ${searchAgent} and shell ${searchShell} run`);
      assert.ok((await wb.host('terminals')).includes('Agent: search'));
      await clickUntil(wb, 'search', STOP, async () => (await moduleState('search'))?.state !== 'running');
      await wb.waitForHost('runState', (s) => s.phases[PHASE]?.modules.find((m) => m.id === 'search')?.state === 'interrupted', 'search interrupted');
      const stopped = await waitForTree(wb.page, (rows) => rows.some((r) => r.label === 'search' && r.icon === 'debug-pause'), 'search interrupted');
      await wb.screenshot('search-stopped');
      assert.deepEqual(moduleRows(stopped), [
        ['catalog', 'pass-filled'],
        ['search', 'debug-pause'],
        ['cart', 'pass-filled'],
      ]);
      assert.equal((await hostRow('search'))?.contextValue, 'module-failed');
      assert.deepEqual(await readInlineActions(wb.page, 'search'), [RETRY]);
      const searchOnDisk = await waitUntil('search interrupted in state.json', async () => modulesOnDisk().find((m) => m.id === 'search'), (m) => m?.state === 'interrupted');
      assert.equal(searchOnDisk?.lastSummary, `${SEARCH_PROGRESS} — stopped by the user`);
      await waitUntil('search\'s agent and shell to be gone', async () => [searchAgent, searchShell].filter(alive), (live) => live.length === 0);
      await waitUntil('search\'s terminal to close', () => wb.host('terminals'), (names) => !names.includes('Agent: search'));
      await waitUntil('search\'s terminal tab to go', () => readTerminalTabs(wb.page), (tabs) => !tabs.includes('Agent: search'));

      // Nothing runs any more: the phase ends with search interrupted.
      await wb.waitForHost('statusBarText', (text) => text === '$(debug-pause) Phase 1 · 2/3 done · 1 interrupted', 'the phase to end');
      assert.deepEqual(await waitUntil('the status bar item', () => readStatusItem(wb.page), (s) => s?.text === 'Phase 1 · 2/3 done · 1 interrupted'), {
        icons: ['debug-pause'],
        text: 'Phase 1 · 2/3 done · 1 interrupted',
      });
      await wb.screenshot('phase-ended');
      assert.deepEqual(modulesOnDisk().map((m) => [m.id, m.state, m.attempts]), [
        ['catalog', 'complete', 2],
        ['search', 'interrupted', 1],
        ['cart', 'complete', 1],
      ]);

      // Every agent this test started has ended.
      await waitUntil('every agent and agent shell to be gone', async () => everyPid().filter(alive), (live) => live.length === 0);
      assert.deepEqual(agentStarts().map((s) => `${s.module}#${s.attempt}`).sort(), ['cart#1', 'catalog#1', 'catalog#2', 'search#1']);
    });
  } finally {
    // A failed run may leave the hanging agent: it is this test's to end.
    everyPid().filter(alive).forEach(killGroup);
  }
});

/**
 * Clicks a tree row's inline action until `done` holds (three clicks at most: a row redrawn under
 * the pointer can swallow a click). The action must reach its command with its row: a command
 * that got none asks which module in a quick pick, and that fails the test. `each` runs at every poll.
 */
async function clickUntil(wb: Workbench, row: string, action: string, done: () => Promise<boolean>, each?: () => Promise<void>): Promise<void> {
  let asked: string | null = null;
  const poll = async (): Promise<boolean> => {
    await each?.();
    if (await wb.page.locator('.quick-input-widget').isVisible()) {
      asked = (await wb.page.locator('.quick-input-widget input').getAttribute('placeholder')) ?? '';
      return true;
    }
    return done();
  };
  for (let click = 1; ; click++) {
    await clickInlineAction(wb.page, row, action);
    try {
      await waitUntil(`"${action}" on ${row}'s row to take effect`, poll, Boolean, 10_000);
    } catch (e) {
      if (click === 3) throw e;
      continue;
    }
    if (asked !== null) throw new Error(`"${action}" on ${row}'s row reached its command without the row: it asks "${asked}"`);
    return;
  }
}
