// package.json and src/vscode/ids.ts must agree: a typo in either breaks a command silently.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { COMMAND, SETTING, SETTINGS_SECTION, TREE_ITEM, VIEW, VIEW_CONTAINER, WALKTHROUGH } from '../../src/vscode/ids';

const root = path.join(__dirname, '../..');
const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const c = manifest.contributes;

test('every command in ids.ts is contributed, and nothing else', () => {
  assert.deepEqual(c.commands.map((x: { command: string }) => x.command).sort(), Object.values(COMMAND).sort());
});

test('every setting in ids.ts is contributed, and nothing else', () => {
  assert.deepEqual(Object.keys(c.configuration.properties).sort(), Object.values(SETTING).map((k) => `${SETTINGS_SECTION}.${k}`).sort());
});

test('views and the container match ids.ts', () => {
  assert.deepEqual(c.viewsContainers.activitybar.map((x: { id: string }) => x.id), [VIEW_CONTAINER]);
  assert.deepEqual(c.views[VIEW_CONTAINER].map((x: { id: string }) => x.id), Object.values(VIEW));
  assert.deepEqual(c.walkthroughs.map((x: { id: string }) => x.id), [WALKTHROUGH]);
});

test('menus name only contributed commands, views and tree item kinds', () => {
  const commands = new Set(Object.values(COMMAND));
  const items = new Set<string>(Object.values(TREE_ITEM));
  for (const [menu, entries] of Object.entries(c.menus) as [string, { command: string; when?: string }[]][]) {
    for (const e of entries) {
      assert.ok(commands.has(e.command as never), `${menu}: ${e.command}`);
      for (const view of e.when?.match(/view == ([\w.]+)/g) ?? []) assert.ok(Object.values(VIEW).includes(view.slice(8) as never), view);
      for (const item of e.when?.match(/viewItem == ([\w-]+)/g) ?? []) assert.ok(items.has(item.slice(12)), item);
    }
  }
});

test('commands carry the Conductor category; files the manifest names exist', () => {
  for (const x of c.commands) assert.equal(x.category, 'Conductor', x.command);
  for (const g of c.grammars) assert.ok(existsSync(path.join(root, g.path)), g.path);
  for (const s of c.walkthroughs[0].steps) assert.ok(existsSync(path.join(root, s.media.markdown)), s.media.markdown);
  assert.ok(existsSync(path.join(root, c.viewsContainers.activitybar[0].icon)));
});

test('activation is never eager', () => {
  for (const e of manifest.activationEvents) assert.ok(e !== '*' && e !== 'onStartupFinished', e);
});

test('the extension declares limited support for untrusted workspaces', () => {
  assert.equal(manifest.capabilities.untrustedWorkspaces.supported, 'limited');
});

test('the walkthrough links and completes on contributed commands only, and shows every command a user drives a plan with', () => {
  const commands = new Set<string>(Object.values(COMMAND));
  const steps = c.walkthroughs[0].steps as { description: string; completionEvents?: string[]; media: { markdown: string } }[];
  for (const s of steps) {
    for (const link of s.description.match(/command:[\w.]+/g) ?? []) assert.ok(commands.has(link.slice(8)), link);
    for (const e of s.completionEvents ?? []) assert.ok(!e.startsWith('onCommand:') || commands.has(e.slice(10)), e);
  }
  const text = steps.map((s) => `${s.description}\n${readFileSync(path.join(root, s.media.markdown), 'utf8')}`).join('\n');
  const titles = new Map<string, string>(c.commands.map((x: { command: string; title: string }) => [x.command, x.title]));
  for (const id of [COMMAND.reviewChanges, COMMAND.reviewPhaseChanges, COMMAND.sendToAgent, COMMAND.conductPlan, COMMAND.approveGate, COMMAND.showTimeline, COMMAND.showDiscoveries, COMMAND.rollbackPhase, COMMAND.showReport]) {
    assert.ok(text.includes(`**${titles.get(id)}**`), `${titles.get(id)} is not in the walkthrough`);
  }
  assert.ok(text.includes('**Approve and Continue**'));
});

test('new commands and their menu entries carry a codicon and a when clause', () => {
  for (const x of c.commands) assert.match(x.icon, /^\$\([\w-]+\)$/, x.command);
  for (const [menu, entries] of Object.entries(c.menus) as [string, { command: string; when?: string }[]][]) {
    for (const e of entries) assert.ok(e.when, `${menu}: ${e.command} has no when clause`);
  }
});
