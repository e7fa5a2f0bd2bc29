// What a user meets while agents run, in one conducted phase of the sample bookshop:
// 1. the CodeLens over `### Phase 1` in READY.md starts Conduct Phase for that phase, then follows it;
// 2. search and cart (wave 2) both rewrite line 2 of src/shared.ts: the periodic prediction and
//    "Conductor: Predict Conflicts" put a warning there in the Problems panel while they run;
// 3. cart asks a question (needs-input): the tree shows it waiting, a notification offers its
//    terminal, and "Focus Terminal" shows it;
// 4. the user kills search's terminal: search is interrupted and its agent gone, while cart goes on
//    (the user answers it in its terminal), completes, and checkout after it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { ModuleRecord, RunStateFile } from '../../src/core/run/model';
import { sampleRepo } from './gitFixture';
import { withWorkbench } from './harness';
import { waitUntil } from './waitUntil';
import {
  clickCodeLens,
  clickDialogButton,
  clickNotificationButton,
  pickQuickItem,
  readCodeLenses,
  readDialog,
  readNotificationToasts,
  readNotifications,
  readTerminalPanel,
  showModuleTerminal,
  showPhasesView,
  typeInModuleTerminal,
  waitForTree,
} from './workbenchViews';
import { alive, killGroup } from '../support/processes';

const PHASE = 'phase-1-storefront';
const SHARED = 'export const shared = {\n  owner: "nobody",\n  version: 1,\n};\n';
const SHARED_LINE = 2;
/** A second phase: the CodeLens must start the phase it sits over, and Predict Conflicts asks which. */
const PHASE_2 = '\n### Phase 2: Reviews\n- Readers review the books they bought\n\n**Modules:** reviews\n**Depends on:** Phase 1\n';
const QUESTION = 'Which currency should cart totals use?';
const PREDICTED = 'Spec Conductor (predicted)';
/** The periodic prediction runs every 15 s (src/extension.ts): wait for one full period and some. */
const PERIODIC_PREDICTION_MS = 45_000;

const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

const lineOf = (text: string, heading: string): number => text.split('\n').indexOf(heading) + 1;

test('CodeLens conducts, predicted conflicts while agents run, an agent that needs input, a killed agent terminal', async (t) => {
  const repo = sampleRepo();
  t.after(() => repo.remove());
  const readyMd = readFileSync(path.join(repo.folder, 'READY.md'), 'utf8') + PHASE_2;
  repo.commit('A shared module and a second phase', { 'src/shared.ts': SHARED, 'READY.md': readyMd });
  const phase1Line = lineOf(readyMd, '### Phase 1: Storefront');
  const phase2Line = lineOf(readyMd, '### Phase 2: Reviews');

  const claimShared = (id: string): Record<string, unknown>[] => [
    { write: 'src/shared.ts', content: SHARED.replace('"nobody"', `"${id}"`) },
    { commit: `${id}: claims src/shared.ts` },
  ];
  const implement = (id: string): Record<string, unknown>[] => [
    { write: `src/${id}/index.js`, content: `export const ${id} = true;\n` },
    { commit: `${id}: implemented` },
    { report: 'complete', summary: `${id} implemented`, files: [`src/${id}/index.js`] },
  ];
  const agent = repo.agent(
    {
      catalog: implement('catalog'),
      // Wave 2: both change line 2 of src/shared.ts; search then hangs, cart asks and waits for an answer on stdin.
      search: [...claimShared('search'), { print: 'search: working…' }, { hang: true }],
      cart: [...claimShared('cart'), { report: 'needs-input', summary: QUESTION }, { print: QUESTION }, { readLine: true }, { report: 'progress', summary: 'answered' }, ...implement('cart')],
      checkout: implement('checkout'),
    },
    { 'terminal.integrated.tabs.hideCondition': 'never', 'terminal.integrated.hideOnLastClosed': false },
  );
  const agentLog = path.join(path.dirname(repo.folder), 'agents.jsonl');
  const stateFile = path.join(repo.folder, '.conductor', 'state.json');
  const modulesOnDisk = (): ModuleRecord[] => (JSON.parse(readFileSync(stateFile, 'utf8')) as RunStateFile).phases[PHASE].modules;
  /** The scripted agents' own pids, by module (the last start of each). */
  const agentPids = (): Map<string, number> => {
    const pids = new Map<string, number>();
    let text = '';
    try {
      text = readFileSync(agentLog, 'utf8');
    } catch {
      return pids;
    }
    for (const line of text.split('\n').filter(Boolean)) {
      const e = JSON.parse(line) as { event: string; module: string; pid: number };
      if (e.event === 'start') pids.set(e.module, e.pid);
    }
    return pids;
  };
  /** Agents and their terminals' shells: everything this test started outside the workbench's own processes. */
  const shellPids = new Set<number>();
  const everyPid = (): number[] => [...agentPids().values(), ...shellPids];

  try {
    await withWorkbench({ name: 'agents', folder: repo.folder, trust: true, probe: true, env: { ...agent.env, SCRIPTED_AGENT_LOG: agentLog }, settings: agent.settings }, async (wb) => {
      const moduleState = async (id: string): Promise<ModuleRecord | undefined> => (await wb.host('runState')).phases[PHASE]?.modules.find((m) => m.id === id);
      const hostRow = async (id: string) => (await wb.host('tree')).find((r) => r.id === `module:${PHASE}/${id}`);
      const recordShells = async (): Promise<void> => {
        for (const m of (await wb.host('runState')).phases[PHASE]?.modules ?? []) if (m.pid !== null) shellPids.add(m.pid);
      };

      // 1. CodeLens: over each phase heading before anything runs; clicking Phase 1's conducts Phase 1.
      await showPhasesView(wb.page);
      await waitForTree(wb.page, (rows) => rows.some((r) => r.label === 'Phase 2: Reviews'), 'both phases');
      await wb.openFile('READY.md');
      const idle = await waitUntil('a CodeLens over both phases', () => readCodeLenses(wb.page), (groups) => groups.length === 2);
      await wb.screenshot('codelens-idle');
      assert.deepEqual(idle.map((g) => g.titles), [['▶ Conduct Phase 1 · 4 modules in 3 waves'], ['▶ Conduct Phase 2 · 1 module in 1 wave']]);
      assert.deepEqual((await wb.host('codeLenses')).map((l) => [l.line, l.title, l.command, l.args]), [
        [phase1Line, '▶ Conduct Phase 1 · 4 modules in 3 waves', 'specConductor.conductPhase', [{ phase: 1 }]],
        [phase2Line, '▶ Conduct Phase 2 · 1 module in 1 wave', 'specConductor.conductPhase', [{ phase: 2 }]],
      ]);

      await clickCodeLens(wb.page, /Conduct Phase 1 /);
      const preview = await readDialog(wb.page);
      await wb.screenshot('codelens-preview');
      assert.equal(await wb.page.locator('.quick-input-widget').isVisible(), false, 'the lens names its phase: no phase to pick');
      assert.equal(preview.message, 'Conduct Phase 1: Storefront?');
      assert.match(preview.detail, /Wave 1: catalog\nWave 2: search, cart\nWave 3: checkout/);
      await clickDialogButton(wb.page, 'Conduct');

      // search runs, cart waits for its user.
      await wb.waitForHost(
        'runState',
        (s) => ['running', 'needs-input'].every((state, i) => s.phases[PHASE]?.modules.find((m) => m.id === ['search', 'cart'][i])?.state === state),
        'search running and cart needing input',
        60_000,
      );
      await recordShells();
      const runningLenses = [['$(sync~spin) 1/4 done · 1 waiting', 'Merge & Validate'], ['▶ Conduct Phase 2 · 1 module in 1 wave']];
      await waitUntil('the CodeLens to follow the run', () => readCodeLenses(wb.page), (g) => sameJson(g.map((x) => x.titles), runningLenses));
      await wb.screenshot('codelens-running');
      assert.deepEqual((await wb.host('codeLenses')).filter((l) => l.line === phase1Line).map((l) => [l.title, l.command, l.args]), [
        ['$(sync~spin) 1/4 done · 1 waiting', 'workbench.view.extension.specConductor', []],
        ['Merge & Validate', 'specConductor.mergePhase', [{ phase: 1 }]],
      ]);

      // 3. needs-input: the tree shows cart waiting; the notification's button shows its terminal.
      const question = `Agent cart needs your input: ${QUESTION}`;
      const toasts = await waitUntil('the needs-input notification', () => readNotificationToasts(wb.page), (ts) => ts.some((n) => n.message === question));
      assert.deepEqual(toasts.find((n) => n.message === question)?.buttons, ['Focus Terminal']);
      const waiting = await waitForTree(wb.page, (rows) => rows.some((r) => r.label === 'cart' && r.icon === 'bell-dot'), 'cart waiting for input');
      await wb.screenshot('needs-input');
      assert.deepEqual(waiting.filter((r) => r.level === 2).map((r) => [r.label, r.icon]), [
        ['catalog', 'pass-filled'],
        ['search', 'sync~spin'],
        ['cart', 'bell-dot'],
        ['checkout', 'circle-outline'],
      ]);
      // A waiting module keeps the running module's menu (Focus Terminal, Stop Agent): same contextValue.
      const cartRow = await hostRow('cart');
      assert.deepEqual([cartRow?.icon, cartRow?.contextValue], ['bell-dot', 'module-running']);
      assert.deepEqual([(await moduleState('cart'))?.state, (await moduleState('cart'))?.lastSummary], ['needs-input', QUESTION]);

      assert.equal((await readTerminalPanel(wb.page)).visible, false, 'no terminal shows before the button is clicked');
      await clickNotificationButton(wb.page, /^Agent cart needs your input/, 'Focus Terminal');
      assert.deepEqual(
        await waitUntil('cart\'s terminal in the panel', () => readTerminalPanel(wb.page), (p) => p.visible && p.activeTab === 'Agent: cart'),
        { visible: true, activeTab: 'Agent: cart' },
      );
      assert.equal(await wb.host('activeTerminal'), 'Agent: cart');
      await wb.screenshot('cart-terminal');

      // 2. Predicted conflicts: the periodic prediction (no command run yet), then the command.
      const predicted = await wb.waitForHost(
        'allDiagnostics',
        (ds) => ds.some((d) => d.source === PREDICTED),
        'a predicted conflict from the periodic prediction',
        PERIODIC_PREDICTION_MS,
      );
      assert.deepEqual(
        predicted.filter((d) => d.source === PREDICTED).map(({ file, line, severity, code }) => ({ file, line, severity, code })),
        [{ file: 'src/shared.ts', line: SHARED_LINE, severity: 'warning', code: 'predicted-conflict' }],
      );
      await wb.runCommand('Conductor: Predict Conflicts');
      await pickQuickItem(wb.page, /^Phase 1: Storefront/);
      await waitUntil('the prediction\'s summary', () => readNotifications(wb.page), (ns) => ns.includes('Spec Conductor: 1 predicted conflict(s) between 1 pair(s) of agents.'));
      const problems = await wb.waitForProblems((rows) => rows.some((r) => r.source === PREDICTED), 'the predicted conflict');
      await wb.screenshot('predicted-conflict');
      const shown = problems.filter((r) => r.source === PREDICTED);
      assert.deepEqual(
        shown.map(({ file, line, severity, source, code }) => ({ file, line, severity, source, code })),
        [{ file: 'src/shared.ts', line: SHARED_LINE, severity: 'warning', source: PREDICTED, code: 'predicted-conflict' }],
      );
      assert.match(shown[0].message, /^Agents (search and cart|cart and search) are both changing these lines: their branches will conflict at merge\.$/);

      // 4. The user kills search's terminal (clicking search in the tree shows it).
      const searchAgent = agentPids().get('search');
      const searchShell = (await moduleState('search'))?.pid;
      assert.ok(searchAgent && alive(searchAgent) && searchShell && alive(searchShell), `search's agent ${searchAgent} and shell ${searchShell} run`);
      await showModuleTerminal(wb.page, 'search');
      assert.equal(await wb.host('activeTerminal'), 'Agent: search');
      await wb.screenshot('search-terminal');
      await wb.runCommand('Terminal: Kill the Active Terminal Instance');

      await wb.waitForHost('runState', (s) => s.phases[PHASE]?.modules.find((m) => m.id === 'search')?.state === 'interrupted', 'search interrupted');
      const afterKill = await waitForTree(wb.page, (rows) => rows.some((r) => r.label === 'search' && r.icon === 'debug-pause'), 'search interrupted');
      await wb.screenshot('search-killed');
      assert.deepEqual(afterKill.filter((r) => r.level === 2).map((r) => [r.label, r.icon]), [
        ['catalog', 'pass-filled'],
        ['search', 'debug-pause'],
        ['cart', 'bell-dot'],
        ['checkout', 'circle-outline'],
      ]);
      assert.equal((await hostRow('search'))?.contextValue, 'module-failed');
      const searchOnDisk = await waitUntil('search interrupted in state.json', async () => modulesOnDisk().find((m) => m.id === 'search'), (m) => m?.state === 'interrupted');
      assert.match(searchOnDisk?.lastSummary ?? '', /stopped by the user/);
      await waitUntil('search\'s agent and shell to be gone', async () => [searchAgent, searchShell].filter(alive), (live) => live.length === 0);
      assert.deepEqual((await wb.host('terminals')).filter((n) => n !== 'Agent: catalog'), ['Agent: cart']);
      // The others go on: cart still waits, its agent alive.
      const cartAgent = agentPids().get('cart');
      assert.ok(cartAgent && alive(cartAgent), `cart's agent ${cartAgent} runs`);
      assert.equal((await moduleState('cart'))?.state, 'needs-input');

      // cart gets its answer in its terminal, completes, and checkout (which depends on it) runs.
      await typeInModuleTerminal(wb.page, 'cart', 'EUR');
      await wb.waitForHost('statusBarText', (text) => !text.startsWith('$(sync~spin)') && text !== '', 'the phase to end', 60_000);
      await recordShells();
      await waitForTree(wb.page, (rows) => rows.some((r) => r.label === 'checkout' && r.icon === 'pass-filled'), 'checkout complete');
      await wb.screenshot('phase-ended');
      assert.deepEqual(modulesOnDisk().map((m) => [m.id, m.state]), [
        ['catalog', 'complete'],
        ['search', 'interrupted'],
        ['cart', 'complete'],
        ['checkout', 'complete'],
      ]);
      assert.equal(await wb.host('statusBarText'), '$(debug-pause) Phase 1 · 3/4 done · 1 interrupted');
      await waitUntil('the phase\'s end notice', () => readNotifications(wb.page), (ns) => ns.some((n) => n.startsWith('Phase 1 ended with search interrupted')));

      // The CodeLens after the run: conduct again (resume), the verdict, and Merge & Validate.
      await wb.openFile('READY.md');
      const endedLenses = ['▶ Conduct Phase 1 · 4 modules in 3 waves', '$(debug-pause) 3/4 done', 'Merge & Validate'];
      await waitUntil('the CodeLens after the run', () => readCodeLenses(wb.page), (g) => sameJson(g[0]?.titles, endedLenses));
      await wb.screenshot('codelens-ended');
      assert.deepEqual((await wb.host('codeLenses')).filter((l) => l.line === phase1Line).map((l) => [l.title, l.command, l.args]), [
        ['▶ Conduct Phase 1 · 4 modules in 3 waves', 'specConductor.conductPhase', [{ phase: 1 }]],
        ['$(debug-pause) 3/4 done', 'workbench.view.extension.specConductor', []],
        ['Merge & Validate', 'specConductor.mergePhase', [{ phase: 1 }]],
      ]);

      // Merge & Validate from its CodeLens: the merge's own result replaces the predicted conflicts.
      await clickCodeLens(wb.page, /^Merge & Validate$/);
      await waitUntil('the merge result notice', () => readNotifications(wb.page), (ns) => ns.some((n) => /^Phase 1( merged and validated)?: /.test(n)), 90_000);
      await wb.screenshot('merged');
      assert.deepEqual((await wb.host('allDiagnostics')).filter((d) => d.source === PREDICTED), [], 'no predicted conflict left after the merge');

      // Every agent this test started has ended by itself.
      await waitUntil('every agent and agent shell to be gone', async () => everyPid().filter(alive), (live) => live.length === 0);
      assert.deepEqual([...agentPids().keys()].sort(), ['cart', 'catalog', 'checkout', 'search']);
    });
  } finally {
    // A failed run may leave hanging agents: they are this test's to end.
    everyPid().filter(alive).forEach(killGroup);
  }
});
