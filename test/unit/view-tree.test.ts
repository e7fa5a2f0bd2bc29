// The Phases tree view model: labels, descriptions, icons, menus' context values, ids and commands.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { indexNodes, phaseNodes, type ModuleNode, type PhaseNode, type TreeContext } from '../../src/core/view/phaseTree';
import { MODULE_ICON, moduleContextValue } from '../../src/core/view/looks';
import { TREE_ITEM_KIND, VIEW_COMMAND } from '../../src/core/view/viewIds';
import { formatDuration, truncate } from '../../src/core/view/format';
import { MODULE_STATES, emptyState } from '../../src/core/run/model';
import { COMMAND, TREE_ITEM } from '../../src/vscode/ids';
import { discoveryKey, type Discovery } from '../../src/core/discoveries/discovery';
import { renderDiscoveriesMarkdown } from '../../src/core/discoveries/discoveriesMarkdown';
import {
  FOUNDATION,
  STOREFRONT,
  T0,
  apply,
  at,
  completed,
  exited,
  finished,
  reported,
  runOf,
  shopPlan,
  started,
  stateOf,
} from '../support/viewFixtures';

const ctx = (over: Partial<TreeContext> = {}): TreeContext => ({ active: new Set(), terminals: new Set(), now: T0, ...over });
const phase = (nodes: PhaseNode[], n: number): PhaseNode => nodes.find((p) => p.phase === n)!;
const mod = (p: PhaseNode, id: string): ModuleNode => p.children.find((m) => m.module === id)!;

describe('a plan never conducted', () => {
  const nodes = phaseNodes(shopPlan(), emptyState(), ctx());

  test('phases from the plan, modules pending in their planned waves', () => {
    assert.deepEqual(
      nodes.map((p) => [p.id, p.label, p.description, p.contextValue, p.icon?.id, p.expanded]),
      [
        [`phase:${FOUNDATION}`, 'Phase 1: Foundation', '0/1 complete', 'phase', 'circle-outline', true],
        [`phase:${STOREFRONT}`, 'Phase 2: Storefront', '0/4 complete · gate', 'phase-gated', 'circle-outline', false],
      ],
    );
    const storefront = phase(nodes, 2);
    assert.deepEqual(
      storefront.children.map((m) => [m.id, m.label, m.description, m.contextValue, m.icon?.id, m.command]),
      [
        [`module:${STOREFRONT}/catalog`, 'catalog', 'wave 1', 'module', 'circle-outline', undefined],
        [`module:${STOREFRONT}/search`, 'search', 'wave 1', 'module', 'circle-outline', undefined],
        [`module:${STOREFRONT}/cart`, 'cart', 'wave 2', 'module', 'circle-outline', undefined],
        [`module:${STOREFRONT}/checkout`, 'checkout', 'wave 3', 'module', 'circle-outline', undefined],
      ],
    );
  });

  test('a module with a contract has a contract node that opens the file; no worktree before it starts', () => {
    const cart = mod(phase(nodes, 2), 'cart');
    assert.deepEqual(
      cart.children.map((d) => [d.id, d.label, d.contextValue, d.command]),
      [[`contract:${STOREFRONT}/cart`, 'contract: contracts/cart.md', 'contract', { command: 'vscode.open', title: 'Open Contract', args: ['contracts/cart.md'] }]],
    );
    assert.deepEqual(mod(phase(nodes, 1), 'foundation').children, []);
  });

  test('every node carries the arguments its commands need', () => {
    const cart = mod(phase(nodes, 2), 'cart');
    assert.deepEqual([phase(nodes, 2).phase, phase(nodes, 2).module], [2, undefined]);
    assert.deepEqual([cart.phase, cart.module], [2, 'cart']);
    assert.deepEqual([cart.children[0].phase, cart.children[0].module], [2, 'cart']);
  });

  test('the phase tooltip names the waves, the gate and the dependency', () => {
    const tip = phase(nodes, 2).tooltip;
    assert.match(tip, /\*\*Phase 2: Storefront\*\* — not conducted yet/);
    assert.match(tip, /4 modules in 3 waves: 1\. catalog, search · 2\. cart · 3\. checkout/);
    assert.match(tip, /Depends on Phase 1/);
    assert.match(tip, /Gate: manual — needs approval/);
  });
});

describe('a phase being conducted', () => {
  const plan = shopPlan();
  const run = apply(
    runOf(plan, 2, { approved: true }),
    started('catalog', 10),
    reported('catalog', 'progress', 'Wrote the **catalog** model $(bug)', 20, ['src/catalog/a.ts', 'src/catalog/b.ts']),
    ...completed('search', 0, 192, 'Search works'),
  );
  const now = T0 + 85_000;
  const nodes = phaseNodes(plan, stateOf(run), ctx({ active: new Set([STOREFRONT]), terminals: new Set([`${STOREFRONT}/catalog`]), now }));
  const storefront = phase(nodes, 2);

  test('the phase says how far it is and that it runs; an approved gate is no longer marked', () => {
    assert.deepEqual([storefront.description, storefront.contextValue, storefront.icon], ['1/4 complete · running', 'phase', { id: 'sync~spin', color: 'charts.blue' }]);
    assert.equal(storefront.expanded, true);
  });

  test('a running module shows its wave and how long it has run; a finished one how long it took', () => {
    const catalog = mod(storefront, 'catalog');
    const search = mod(storefront, 'search');
    assert.deepEqual([catalog.description, catalog.contextValue, catalog.icon], ['wave 1 · 1m 15s', 'module-running', { id: 'sync~spin', color: 'charts.blue' }]);
    assert.deepEqual([search.description, search.contextValue, search.icon], ['wave 1 · 3m 12s', 'module-done', { id: 'pass-filled', color: 'testing.iconPassed' }]);
    assert.equal(mod(storefront, 'cart').description, 'wave 2');
  });

  test('durations advance with now', () => {
    const later = phaseNodes(plan, stateOf(run), ctx({ active: new Set([STOREFRONT]), now: now + 60_000 }));
    assert.equal(mod(phase(later, 2), 'catalog').description, 'wave 1 · 2m 15s');
    assert.equal(mod(phase(later, 2), 'search').description, 'wave 1 · 3m 12s');
  });

  test('clicking a module with an open terminal focuses it; without one, nothing runs', () => {
    assert.deepEqual(mod(storefront, 'catalog').command, {
      command: 'specConductor.focusTerminal',
      title: 'Focus Agent Terminal',
      args: [{ phase: 2, module: 'catalog' }],
    });
    assert.equal(mod(storefront, 'search').command, undefined);
  });

  test('details: contract, worktree and the last summary', () => {
    const catalog = mod(storefront, 'catalog');
    assert.deepEqual(
      catalog.children.map((d) => [d.kind, d.id, d.label, d.contextValue]),
      [
        ['contract', `contract:${STOREFRONT}/catalog`, 'contract: contracts/catalog.md', 'contract'],
        ['worktree', `worktree:${STOREFRONT}/catalog`, `worktree: /repo.worktrees/${STOREFRONT}/catalog`, 'worktree'],
        ['summary', `summary:${STOREFRONT}/catalog`, 'Wrote the **catalog** model $(bug)', 'summary'],
      ],
    );
  });

  test('the module tooltip has state, summary, branch, worktree, files changed and attempts, with agent text escaped', () => {
    const tip = mod(storefront, 'catalog').tooltip;
    assert.match(tip, /^\$\(sync~spin\) \*\*catalog\*\* — running/);
    // As MarkdownString.appendText escapes: the icon reference first, then the markdown syntax.
    assert.ok(tip.includes(String.raw`> Wrote the \*\*catalog\*\* model \\\$\(bug\)`), tip);
    assert.ok(tip.includes(`- Branch: \`conductor/${STOREFRONT}/catalog\``), tip);
    assert.ok(tip.includes(`- Worktree: \`/repo.worktrees/${STOREFRONT}/catalog\``), tip);
    assert.ok(tip.includes('- Files changed: 2'), tip);
    assert.ok(tip.includes('- Attempts: 1 of 2'), tip);
    assert.ok(tip.includes('- Contract: `contracts/catalog.md` (feature\\-catalog)'), tip);
  });

  test('a module waiting for input', () => {
    const waiting = apply(run, reported('catalog', 'needs-input', 'Which currency?', 30));
    const p = phase(phaseNodes(plan, stateOf(waiting), ctx({ active: new Set([STOREFRONT]), now })), 2);
    assert.equal(p.description, '1/4 complete · 1 waiting · running');
    assert.deepEqual(p.icon, { id: 'bell-dot', color: 'charts.yellow' });
    assert.deepEqual([mod(p, 'catalog').contextValue, mod(p, 'catalog').icon], ['module-running', { id: 'bell-dot', color: 'charts.yellow' }]);
  });

  test('a run another process conducts counts as running while its agents are live', () => {
    const p = phase(phaseNodes(plan, stateOf(run), ctx({ now })), 2);
    assert.equal(p.description, '1/4 complete · running');
  });
});

describe('a finished or stopped phase', () => {
  const plan = shopPlan();
  const base = runOf(plan, 2, { approved: true });

  test('a failure, then a retry that is on its second attempt', () => {
    const run = apply(base, started('catalog', 0), exited('catalog', 1, 30), started('catalog', 40, 2));
    const catalog = mod(phase(phaseNodes(plan, stateOf(run), ctx({ active: new Set([STOREFRONT]), now: T0 + 50_000 })), 2), 'catalog');
    assert.equal(catalog.description, 'wave 1 · 10s · attempt 2');
    assert.match(catalog.tooltip, /Attempts: 2 of 2/);
  });

  test('a halted phase with a failed and a blocked module', () => {
    const run = finished(
      apply(
        base,
        ...completed('search', 0, 60),
        started('catalog', 0),
        exited('catalog', 1, 30),
        { type: 'blocked', module: 'cart', by: ['catalog'], at: '2026-01-01T00:01:00.000Z' },
      ),
      'halted',
      60,
    );
    const p = phase(phaseNodes(plan, stateOf({ ...run, haltReason: 'catalog failed' }), ctx()), 2);
    assert.deepEqual([p.description, p.icon], ['1/4 complete · 1 failed · halted', { id: 'error', color: 'testing.iconFailed' }]);
    assert.match(p.tooltip, /Halted: catalog failed/);
    assert.deepEqual(
      p.children.map((m) => [m.module, m.contextValue, m.icon?.id]),
      [
        ['catalog', 'module-failed', 'error'],
        ['search', 'module-done', 'pass-filled'],
        ['cart', 'module-failed', 'circle-slash'],
        ['checkout', 'module', 'circle-outline'],
      ],
    );
    assert.equal(mod(p, 'catalog').description, 'wave 1 · 30s');
    assert.equal(mod(p, 'catalog').children.find((d) => d.kind === 'summary')?.label, 'exited with code 1 without reporting');
  });

  test('all complete, one unverified', () => {
    const run = finished(
      apply(base, ...completed('catalog', 0, 10), ...completed('search', 0, 10), ...completed('cart', 10, 20), started('checkout', 20), reported('checkout', 'complete', 'ok', 30), {
        type: 'verified',
        module: 'checkout',
        proof: false,
        detail: 'no commits',
        at: '2026-01-01T00:00:30.000Z',
      }),
      'done',
      30,
    );
    const p = phase(phaseNodes(plan, stateOf(run), ctx()), 2);
    assert.deepEqual([p.description, p.icon], ['4/4 complete', { id: 'pass', color: 'charts.yellow' }]);
    assert.deepEqual(mod(p, 'checkout').icon, { id: 'pass', color: 'charts.yellow' });
  });

  test('a plan run says where the phase is: fixing in its round, done with its checkpoint', () => {
    const run = finished(apply(base, ...completed('catalog', 0, 10), ...completed('search', 0, 10), ...completed('cart', 10, 20), ...completed('checkout', 20, 30)), 'done', 30);
    const progress = { state: 'fixing' as const, fixRound: 1, startedFrom: null, integrationCommit: null, checkpoint: null, reason: null, unowned: [], signature: null, updatedAt: '' };
    const fixing = phase(phaseNodes(plan, stateOf({ ...run, progress }), ctx()), 2);
    assert.equal(fixing.description, '4/4 complete · fixing (round 1)');
    // Sent back from the editor (Send to Agent) before any fix round of a plan run.
    assert.equal(phase(phaseNodes(plan, stateOf({ ...run, progress: { ...progress, fixRound: 0 } }), ctx()), 2).description, '4/4 complete · fixing');
    const done = phase(phaseNodes(plan, stateOf({ ...run, progress: { ...progress, state: 'done', checkpoint: 'refs/conductor/checkpoints/phase-2' } }), ctx()), 2);
    assert.equal(done.description, '4/4 complete · done · checkpoint');
    assert.match(done.tooltip, /- Plan run: done after 1 fix round · checkpoint `refs\/conductor\/checkpoints\/phase-2`/);
    // Rolling back is offered on a done phase with its checkpoint only.
    assert.deepEqual([fixing.contextValue, done.contextValue], ['phase', 'phase-done']);
  });

  test('a done phase built on a result of phase 1 that changed since is marked stale, with why and the way out', () => {
    const run = finished(apply(base, ...completed('catalog', 0, 10), ...completed('search', 0, 10), ...completed('cart', 10, 20), ...completed('checkout', 20, 30)), 'done', 30);
    const progress = { state: 'done' as const, fixRound: 0, startedFrom: null, integrationCommit: 'i2', checkpoint: 'refs/conductor/checkpoints/phase-2', reason: null, unowned: [], signature: null, updatedAt: '', builtOn: { '1': 'aaaaaaaa1' } };
    const one = (integrationCommit: string) => ({ ...runOf(plan, 1), progress: { ...progress, integrationCommit, checkpoint: 'refs/conductor/checkpoints/phase-1', builtOn: {} } });
    const current = phase(phaseNodes(plan, stateOf(one('aaaaaaaa1'), { ...run, progress }), ctx()), 2);
    assert.equal(current.description, '4/4 complete · done · checkpoint');
    const stale = phase(phaseNodes(plan, stateOf(one('bbbbbbbb2'), { ...run, progress }), ctx()), 2);
    assert.equal(stale.description, '4/4 complete · done · checkpoint · stale');
    assert.match(stale.tooltip, /- Stale: phase 2 was built on phase 1's result at aaaaaaaa, and phase 1 is done again at bbbbbbbb: roll phase 2 back/);
    assert.equal(stale.contextValue, 'phase-done', 'Roll Back to Before This Phase is offered');
  });

  test('a gated phase conducted but not approved keeps the gate marker', () => {
    const p = phase(phaseNodes(plan, stateOf(runOf(plan, 2)), ctx()), 2);
    assert.equal(p.contextValue, 'phase-gated');
    assert.match(p.description!, / · gate/);
  });
});

describe('plan and state disagree', () => {
  test('modules the plan lost are shown, marked; modules it gained are pending', () => {
    const before = shopPlan({ storefrontModules: ['catalog', 'legacy'] });
    const run = apply(runOf(before, 2, { approved: true }), ...completed('legacy', 0, 10));
    const after = shopPlan({ storefrontModules: ['catalog', 'search'] });
    const p = phase(phaseNodes(after, stateOf(run), ctx()), 2);
    assert.deepEqual(
      p.children.map((m) => [m.module, m.description, m.state]),
      [
        ['catalog', 'wave 1', 'pending'],
        ['legacy', 'wave 1 · 10s · not in the plan', 'complete'],
        ['search', 'wave 1', 'pending'],
      ],
    );
    assert.match(mod(p, 'legacy').tooltip, /Not in the plan any more/);
    assert.equal(p.description, '1/3 complete · interrupted');
  });

  test('a conducted phase whose heading was renamed stays visible, next to the renamed one', () => {
    const old = apply(runOf(shopPlan(), 2, { approved: true }), ...completed('catalog', 0, 10));
    const nodes = phaseNodes(shopPlan({ storefrontName: 'Shop' }), stateOf(finished(old, 'done', 10)), ctx());
    assert.deepEqual(
      nodes.map((p) => [p.id, p.description]),
      [
        [`phase:${FOUNDATION}`, '0/1 complete'],
        ['phase:phase-2-shop', '0/4 complete · gate'],
        [`phase:${STOREFRONT}`, '1/4 complete · interrupted · not in the plan'],
      ],
    );
  });

  test('before the plan is read, the state alone makes the tree', () => {
    const run = apply(runOf(shopPlan(), 2, { approved: true }), ...completed('catalog', 0, 10));
    const nodes = phaseNodes(null, stateOf(run), ctx());
    assert.deepEqual(nodes.map((p) => [p.label, p.description]), [['Phase 2: Storefront', '1/4 complete · interrupted']]);
    assert.deepEqual(nodes[0].children.map((m) => m.description), ['wave 1 · 10s', 'wave 1', 'wave 2', 'wave 3']);
  });
});

describe('ids and parents', () => {
  test('ids are stable across refreshes and unique; parents lead back to the phase', () => {
    const plan = shopPlan();
    const run = apply(runOf(plan, 2), started('catalog', 0), reported('catalog', 'progress', 'halfway', 5));
    const a = indexNodes(phaseNodes(plan, stateOf(run), ctx({ now: T0 + 1000 })));
    const b = indexNodes(phaseNodes(plan, stateOf(run), ctx({ now: T0 + 9000 })));
    assert.deepEqual([...a.keys()], [...b.keys()]);
    const summary = a.get(`summary:${STOREFRONT}/catalog`)!;
    const parent = a.get(summary.parentId!)!;
    assert.equal(parent.id, `module:${STOREFRONT}/catalog`);
    assert.equal(a.get(parent.parentId!)!.id, `phase:${STOREFRONT}`);
    assert.equal(a.get(`phase:${STOREFRONT}`)!.parentId, null);
  });
});

describe('discoveries in the tree', () => {
  const plan = shopPlan();
  const run = apply(runOf(plan, 2, { approved: true }), ...completed('catalog', 0, 60, 'Catalog done'));
  const note = (over: Partial<Discovery>): Discovery => ({
    phase: 2, phaseSlug: STOREFRONT, phaseName: 'Storefront', module: 'catalog', kind: 'discovery', at: at(30), text: 'x', attempt: 1, runId: 'r1', ...over,
  });
  const discoveries = [
    note({ text: 'The index is **rebuilt** lazily $(bug) <b>x</b>\nsecond line' }),
    note({ phase: 1, phaseSlug: FOUNDATION, module: 'foundation', text: 'Base note' }),
    note({ kind: 'spec-correction', at: at(40), text: '\x1b[31mThe spec says floats; prices are cents' }),
  ];
  const nodes = phaseNodes(plan, stateOf(run), ctx({ discoveries, discoveriesFile: '.prelude/DISCOVERIES.md' }));
  const catalog = mod(phase(nodes, 2), 'catalog');
  const found = catalog.children.filter((c) => c.kind === 'discovery');
  const lines = renderDiscoveriesMarkdown(discoveries).lines;

  test("a module's discoveries are its children, after its details, each opening DISCOVERIES.md at its line", () => {
    assert.deepEqual(catalog.children.map((c) => c.kind), ['contract', 'worktree', 'summary', 'discovery', 'discovery']);
    assert.deepEqual(
      found.map((n) => [n.id, n.label, n.description, n.icon, n.contextValue, n.command]),
      [
        [`discovery:${STOREFRONT}/catalog/1`, 'discovery: The index is **rebuilt** lazily $(bug) <b>x</b>…', '2026-01-01 00:00', { id: 'lightbulb' }, 'discovery',
          { command: 'vscode.open', title: 'Open DISCOVERIES.md', args: ['.prelude/DISCOVERIES.md', { line: lines.get(discoveryKey(discoveries[0])) }] }],
        [`discovery:${STOREFRONT}/catalog/2`, 'spec correction: The spec says floats; prices are cents', '2026-01-01 00:00', { id: 'warning', color: 'list.warningForeground' }, 'discovery',
          { command: 'vscode.open', title: 'Open DISCOVERIES.md', args: ['.prelude/DISCOVERIES.md', { line: lines.get(discoveryKey(discoveries[2])) }] }],
      ],
    );
    const md = renderDiscoveriesMarkdown(discoveries).text.split('\n');
    for (const n of found) assert.match(md[(n.command!.args[1] as { line: number }).line - 1], /^### .*`catalog`/);
    assert.equal(mod(phase(nodes, 1), 'foundation').children.filter((c) => c.kind === 'discovery').length, 1);
  });

  test('agent text is escaped in tooltips; the module tooltip counts them', () => {
    assert.ok(found[0].tooltip.includes('The index is \\*\\*rebuilt\\*\\* lazily '), found[0].tooltip);
    assert.ok(found[0].tooltip.includes(' \\<b\\>x\\</b\\>  \nsecond line'), found[0].tooltip);
    assert.doesNotMatch(found[0].tooltip, /[^\\]\$\(bug/, 'no theme icon from agent text');
    assert.ok(!found[1].tooltip.includes('\x1b'));
    assert.match(catalog.tooltip, /- Reported 1 discovery and 1 spec correction \(in DISCOVERIES\.md\)/);
  });

  test('without a plan file to open, no command; without discoveries, no nodes', () => {
    const bare = mod(phase(phaseNodes(plan, stateOf(run), ctx({ discoveries })), 2), 'catalog');
    assert.deepEqual(bare.children.filter((c) => c.kind === 'discovery').map((c) => c.command), [undefined, undefined]);
    assert.deepEqual(mod(phase(phaseNodes(plan, stateOf(run), ctx()), 2), 'catalog').children.map((c) => c.kind), ['contract', 'worktree', 'summary']);
  });
});

describe('looks', () => {
  test('every module state has the icon, colour and menu kind the brief asks for', () => {
    const table = Object.fromEntries(MODULE_STATES.map((s) => [s, [MODULE_ICON[s].id, MODULE_ICON[s].color, moduleContextValue(s)]]));
    assert.deepEqual(table, {
      pending: ['circle-outline', undefined, 'module'],
      running: ['sync~spin', 'charts.blue', 'module-running'],
      'needs-input': ['bell-dot', 'charts.yellow', 'module-running'],
      complete: ['pass-filled', 'testing.iconPassed', 'module-done'],
      'complete-unverified': ['pass', 'charts.yellow', 'module-done'],
      failed: ['error', 'testing.iconFailed', 'module-failed'],
      blocked: ['circle-slash', 'disabledForeground', 'module-failed'],
      interrupted: ['debug-pause', 'charts.orange', 'module-failed'],
      paused: ['watch', 'charts.yellow', 'module-failed'],
    });
  });

  test('the ids core uses are the ones src/vscode/ids.ts contributes', () => {
    assert.deepEqual(TREE_ITEM_KIND, TREE_ITEM);
    assert.equal(VIEW_COMMAND.conductPhase, COMMAND.conductPhase);
    assert.equal(VIEW_COMMAND.mergePhase, COMMAND.mergePhase);
    assert.equal(VIEW_COMMAND.showReport, COMMAND.showReport);
    assert.equal(VIEW_COMMAND.focusTerminal, COMMAND.focusTerminal);
  });

  test('durations and truncation', () => {
    assert.deepEqual([0, 999, 45_000, 192_000, 3_600_000, 3_900_000, -5].map(formatDuration), ['0s', '0s', '45s', '3m 12s', '1h 00m', '1h 05m', '0s']);
    assert.equal(truncate('short', 10), 'short');
    assert.equal(truncate('a rather long summary', 10), 'a rather…');
    assert.equal(truncate('first line\nsecond', 40), 'first line…');
  });
});
