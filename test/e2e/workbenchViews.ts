// Reading and driving the views Spec Conductor contributes, through VS Code's DOM: the Phases tree
// (activity bar "Spec Conductor"), its welcome view, its status bar item, the terminal tabs, modal
// dialogs, quick picks and notification toasts. Selectors checked against code-server 4.139.
import type { Locator, Page } from 'playwright-core';
import { waitUntil } from './waitUntil';

export interface TreeRow {
  /** 1 for phases, 2 for modules, 3 for their details. */
  level: number;
  label: string;
  description: string;
  /** The codicon of the item's icon (`pass-filled`, `sync~spin`), or null. */
  icon: string | null;
  expanded: boolean | null;
}

export interface StatusItem {
  /** Codicons in the item, in order (`sync~spin`). */
  icons: string[];
  /** The text without the icons. */
  text: string;
}

const VIEWLET = '[id="workbench.view.extension.specConductor"]';
const TREE = `${VIEWLET} .monaco-list[role="tree"][aria-label="Phases"]`;
/** The status bar entry's DOM id: `<extension id>.<item id>` (the item of the first folder). */
const STATUS_ITEM = '[id="spec-conductor.spec-conductor.specConductor.status.0"]';

/** Clicks "Spec Conductor" in the activity bar unless its side bar is already showing. */
export async function showPhasesView(page: Page): Promise<void> {
  if (await page.locator(VIEWLET).isVisible()) return;
  await page.locator('.part.activitybar .action-item a[aria-label^="Spec Conductor"]').click();
  await page.locator(VIEWLET).waitFor({ timeout: 10_000 });
}

/** The rows of the Phases tree that are rendered (children of collapsed items are not). */
export async function readTree(page: Page): Promise<TreeRow[]> {
  await showPhasesView(page);
  const tree = page.locator(TREE);
  if ((await tree.count()) === 0) return [];
  // No named functions inside: tsx would wrap them in a `__name` helper that the page does not have.
  return tree.evaluate((list) =>
    [...list.querySelectorAll('.monaco-list-row[role="treeitem"]')]
      .sort((a, b) => Number(a.getAttribute('data-index')) - Number(b.getAttribute('data-index')))
      .map((row) => {
        // `codicon codicon-sync codicon-modifier-spin` is the icon `sync~spin`.
        const iconClass = row.querySelector('.custom-view-tree-node-item-icon')?.className ?? '';
        const iconId = /codicon-(?!modifier-)([\w-]+)/.exec(iconClass)?.[1];
        const modifier = /codicon-modifier-(\w+)/.exec(iconClass)?.[1];
        const expanded = row.getAttribute('aria-expanded');
        return {
          level: Number(row.getAttribute('aria-level')),
          label: row.querySelector('.label-name')?.textContent?.trim() ?? '',
          description: row.querySelector('.label-description')?.textContent?.trim() ?? '',
          icon: iconId ? (modifier ? `${iconId}~${modifier}` : iconId) : null,
          expanded: expanded === null ? null : expanded === 'true',
        };
      }),
  );
}

/** Polls the Phases tree until `accept` holds; fails with the rows it last saw. */
export function waitForTree(page: Page, accept: (rows: TreeRow[]) => boolean, what: string, timeoutMs = 30_000): Promise<TreeRow[]> {
  return waitUntil(`the Phases tree to show ${what}`, () => readTree(page), accept, timeoutMs);
}

function labelled(page: Page, label: string): Locator {
  return page.locator('.label-name', { hasText: new RegExp(`^\\s*${escapeRegExp(label)}\\s*$`) });
}

/** The tree row with this exact label. */
export function treeRow(page: Page, label: string): Locator {
  return page.locator(TREE).locator('.monaco-list-row[role="treeitem"]', { has: labelled(page, label) });
}

/**
 * Expands a collapsed tree row by clicking its twistie. The tree re-renders its rows when the
 * extension refreshes it, which can swallow a click or replace the row: the check re-finds the row
 * every time, and a swallowed click is repeated (three times at most).
 */
export async function expandTreeRow(page: Page, label: string): Promise<void> {
  const row = treeRow(page, label);
  const expanded = page.locator(TREE).locator('.monaco-list-row[role="treeitem"][aria-expanded="true"]', { has: labelled(page, label) });
  for (let attempt = 1; attempt <= 3; attempt++) {
    if ((await row.getAttribute('aria-expanded')) === 'true') return;
    await row.locator('.monaco-tl-twistie').click();
    try {
      await expanded.waitFor({ timeout: 4_000 });
      return;
    } catch (e) {
      if (attempt === 3) throw new Error(`the tree row "${label}" did not expand after 3 clicks: ${(e as Error).message}`);
    }
  }
}

/** The welcome view's text and its buttons' labels (shown while the folder has no plan). */
export async function readWelcome(page: Page): Promise<{ text: string; buttons: string[] }> {
  await showPhasesView(page);
  const welcome = page.locator(`${VIEWLET} .welcome-view-content`);
  if ((await welcome.count()) === 0 || !(await welcome.isVisible())) return { text: '', buttons: [] };
  return {
    text: ((await welcome.textContent()) ?? '').replace(/\s+/g, ' ').trim(),
    buttons: (await welcome.locator('.monaco-button').allTextContents()).map((t) => t.trim()),
  };
}

export async function clickWelcomeButton(page: Page, label: string): Promise<void> {
  await page.locator(`${VIEWLET} .welcome-view-content .monaco-button`, { hasText: label }).click();
}

/** Spec Conductor's status bar item, or null while it is hidden. */
export async function readStatusItem(page: Page): Promise<StatusItem | null> {
  const item = page.locator(`.part.statusbar ${STATUS_ITEM}`);
  if ((await item.count()) === 0 || !(await item.isVisible())) return null;
  return item.locator('.statusbar-item-label').evaluate((label) => ({
    icons: [...label.querySelectorAll('.codicon')].map((i) => {
      const id = /codicon-(?!modifier-)([\w-]+)/.exec(i.className)?.[1] ?? '';
      const modifier = /codicon-modifier-(\w+)/.exec(i.className)?.[1];
      return modifier ? `${id}~${modifier}` : id;
    }),
    text: (label.textContent ?? '').replace(/\s+/g, ' ').trim(),
  }));
}

/** Names in the terminal panel's tab list ([] while the panel or the list is hidden). */
export async function readTerminalTabs(page: Page): Promise<string[]> {
  const list = page.locator('.part.panel .monaco-list[aria-label="Terminal tabs"]');
  if ((await list.count()) === 0 || !(await list.isVisible())) return [];
  return (await list.locator('.monaco-list-row .label-name').allTextContents()).map((t) => t.trim());
}

/** The modal dialog on screen: its message, detail and buttons. */
export async function readDialog(page: Page, timeoutMs = 15_000): Promise<{ message: string; detail: string; buttons: string[] }> {
  const box = page.locator('.monaco-dialog-box');
  await box.waitFor({ timeout: timeoutMs });
  return {
    message: ((await box.locator('.dialog-message-text').textContent()) ?? '').trim(),
    detail: (await box.locator('.dialog-message-detail').innerText().catch(() => '')).trim(),
    buttons: (await box.locator('.dialog-buttons .monaco-button').allTextContents()).map((t) => t.trim()),
  };
}

export async function clickDialogButton(page: Page, label: string): Promise<void> {
  const box = page.locator('.monaco-dialog-box');
  await box.getByRole('button', { name: label, exact: true }).click();
  await box.waitFor({ state: 'hidden', timeout: 10_000 });
}

/** Picks the item of the open quick pick whose accessible name matches (a command's own quick pick). */
export async function pickQuickItem(page: Page, name: RegExp): Promise<void> {
  const widget = page.locator('.quick-input-widget');
  const option = widget.getByRole('option', { name }).first();
  try {
    await option.waitFor({ timeout: 15_000 });
  } catch {
    const offered = await widget.getByRole('option').evaluateAll((rows) => rows.map((r) => r.getAttribute('aria-label')));
    throw new Error(`No quick pick item matching ${name}; it offered: ${JSON.stringify(offered)}`);
  }
  await option.click();
  await widget.waitFor({ state: 'hidden', timeout: 10_000 });
}

/** The messages of the notification toasts on screen. */
export async function readNotifications(page: Page): Promise<string[]> {
  return (await page.locator('.notifications-toasts .notification-list-item-message').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export interface CodeLensGroup {
  /** The lenses over one line, left to right, codicons written `$(id)` as in their titles. */
  titles: string[];
  /** Top edge on the page, in pixels (groups come sorted by it, so in line order). */
  top: number;
}

/** The CodeLenses the active editor renders (only lines in view are rendered), top to bottom. */
export async function readCodeLenses(page: Page): Promise<CodeLensGroup[]> {
  const editor = page.locator('.editor-group-container.active .monaco-editor').first();
  if ((await editor.count()) === 0) return [];
  // No named functions inside: tsx would wrap them in a `__name` helper that the page does not have.
  return editor.evaluate((root) =>
    [...root.querySelectorAll('.codelens-decoration')]
      .map((group) => ({
        top: group.getBoundingClientRect().top,
        titles: [...group.querySelectorAll(':scope > a, :scope > span:not(:empty)')]
          .map((lens) =>
            [...lens.childNodes]
              .map((n) => {
                const c = 'className' in n && typeof n.className === 'string' ? n.className : '';
                const id = /codicon-(?!modifier-)([\w-]+)/.exec(c)?.[1];
                if (!id) return n.textContent ?? '';
                const modifier = /codicon-modifier-(\w+)/.exec(c)?.[1];
                return `$(${modifier ? `${id}~${modifier}` : id})`;
              })
              .join('')
              .replace(/\s+/g, ' ')
              .trim(),
          )
          .filter((t) => t !== '' && t !== '|'),
      }))
      .filter((g) => g.titles.length > 0)
      .sort((a, b) => a.top - b.top),
  );
}

/** Clicks the CodeLens of the active editor whose text (codicons left out) matches. */
export async function clickCodeLens(page: Page, text: RegExp): Promise<void> {
  await page.locator('.editor-group-container.active .monaco-editor .codelens-decoration a', { hasText: text }).first().click();
}

export interface NotificationToast {
  message: string;
  buttons: string[];
}

/** The notification toasts on screen, with their buttons. */
export async function readNotificationToasts(page: Page): Promise<NotificationToast[]> {
  const toasts = page.locator('.notifications-toasts .notification-list-item');
  const out: NotificationToast[] = [];
  for (const toast of await toasts.all()) {
    out.push({
      message: ((await toast.locator('.notification-list-item-message').innerText().catch(() => '')) ?? '').replace(/\s+/g, ' ').trim(),
      buttons: (await toast.locator('.notification-list-item-buttons-container .monaco-button').allTextContents()).map((t) => t.trim()),
    });
  }
  return out;
}

/** Clicks a button of the notification toast whose message matches. */
export async function clickNotificationButton(page: Page, message: RegExp, button: string): Promise<void> {
  const toast = page.locator('.notifications-toasts .notification-list-item', { has: page.locator('.notification-list-item-message', { hasText: message }) });
  await toast.locator('.notification-list-item-buttons-container .monaco-button', { hasText: button }).first().click();
}

/** The terminal panel as it is on screen: whether a terminal shows, and the name of its active tab (marked `is-active`). */
export async function readTerminalPanel(page: Page): Promise<{ visible: boolean; activeTab: string | null }> {
  const terminal = page.locator('.part.panel .integrated-terminal');
  const visible = (await terminal.count()) > 0 && (await terminal.first().isVisible());
  const selected = page.locator('.part.panel .monaco-list[aria-label="Terminal tabs"] .terminal-tabs-entry.is-active .label-name');
  const activeTab = visible && (await selected.count()) > 0 ? ((await selected.first().textContent()) ?? '').trim() : null;
  return { visible, activeTab };
}

/**
 * Clicks the module in the Phases tree (its item's command focuses its terminal) until the panel
 * shows that terminal as the active tab. The tree redraws every second while agents run (their
 * durations tick), which can swallow a click: a click that changed nothing is repeated.
 */
export async function showModuleTerminal(page: Page, module: string): Promise<void> {
  await waitUntil(
    `${module}'s terminal in the panel`,
    async () => {
      const panel = await readTerminalPanel(page);
      if (panel.activeTab !== `Agent: ${module}`) await treeRow(page, module).click({ timeout: 5_000 }).catch(() => undefined);
      return panel;
    },
    (p) => p.visible && p.activeTab === `Agent: ${module}`,
  );
}

/** Shows the module's terminal and types a line into it, as a user answering its agent. */
export async function typeInModuleTerminal(page: Page, module: string, line: string): Promise<void> {
  await showModuleTerminal(page, module);
  const input = page.locator('.part.panel .terminal-wrapper.active .xterm-helper-textarea');
  await input.focus();
  await page.keyboard.type(line);
  await page.keyboard.press('Enter');
}

/**
 * A tree row's inline actions (its `view/item/context` items in an `inline` group), by title, left
 * to right. VS Code renders them in the row's `.actions` bar, shown only while the row is hovered,
 * selected or focused: the row is hovered first.
 */
export async function readInlineActions(page: Page, label: string): Promise<string[]> {
  const row = treeRow(page, label);
  await row.hover();
  return row.locator('.actions .action-item a.action-label').evaluateAll((links) => links.map((a) => a.getAttribute('aria-label') ?? ''));
}

/** Hovers the tree row and clicks its inline action with this title. */
export async function clickInlineAction(page: Page, label: string, title: string): Promise<void> {
  const row = treeRow(page, label);
  await row.hover();
  await row.locator(`.actions .action-item a.action-label[aria-label=${JSON.stringify(title)}]`).click({ timeout: 5_000 });
}

/**
 * The files the active multi-file diff editor (vscode.changes) lists, as its entries' headers name
 * them (the file's name, and its folder), top to bottom; empty when none is shown.
 */
export async function readMultiDiffFiles(page: Page): Promise<{ name: string; folder: string }[]> {
  const titles = page.locator('.editor-group-container.active .multiDiffEntry .header .file-path .title.modified');
  // An editor replaced by another in its group stays in the DOM, hidden: only the shown one counts.
  return titles.evaluateAll((nodes) =>
    nodes.filter((n) => (n as unknown as { offsetParent: unknown }).offsetParent !== null).map((n) => ({
      name: (n.querySelector('.label-name')?.textContent ?? '').trim(),
      folder: (n.querySelector('.label-description')?.textContent ?? '').trim(),
    })),
  );
}

/** In the active editor, at the cursor: Quick Fix (Ctrl+.), `shown` while its menu is open, then the action whose title matches; the titles offered. */
export async function applyQuickFix(page: Page, title: RegExp, shown: () => Promise<unknown> = async () => undefined): Promise<string[]> {
  const widget = page.locator('.action-widget:not(.action-list-submenu-panel)').first();
  // A file just opened may not have its code actions yet ("No code actions available" flashes and
  // goes): as a user would, ask again.
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press('Control+.');
    try {
      await widget.waitFor({ timeout: 10_000 });
      break;
    } catch (e) {
      if (attempt === 3) throw e;
      await page.keyboard.press('Escape');
    }
  }
  const rows = widget.locator('.monaco-list-row.action');
  await rows.first().waitFor({ timeout: 10_000 });
  const titles = (await rows.allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim());
  await shown();
  await rows.filter({ hasText: title }).first().click({ timeout: 5_000 });
  return titles;
}

/** Right-clicks the tree row and returns the titles of its context menu, left open. */
export async function openContextMenu(page: Page, label: string): Promise<string[]> {
  await treeRow(page, label).click({ button: 'right' });
  const menu = page.locator('.monaco-menu');
  await menu.first().waitFor({ timeout: 10_000 });
  return (await menu.getByRole('menuitem').allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim()).filter((t) => t !== '');
}

/** Right-clicks the tree row and clicks the context menu item with this title. */
export async function clickContextMenuItem(page: Page, label: string, title: string): Promise<void> {
  const offered = await openContextMenu(page, label);
  const item = page.locator('.monaco-menu').getByRole('menuitem', { name: title, exact: true });
  if ((await item.count()) === 0) throw new Error(`"${label}" has no context menu item "${title}"; it offered: ${JSON.stringify(offered)}`);
  await item.first().click({ timeout: 5_000 });
  await page.locator('.monaco-menu').first().waitFor({ state: 'hidden', timeout: 10_000 });
}
