// Driving VS Code's workbench through its DOM, the way a person would: the command palette, Quick
// Open, Go to Line, and reading the Problems panel. Selectors are VS Code's own class names and ARIA
// attributes (checked against code-server 4.139 / VS Code 1.139).
import type { Page } from 'playwright-core';
import * as path from 'node:path';

export interface ProblemRow {
  /** Relative to the workspace folder, forward slashes; absolute when outside it. */
  file: string;
  severity: 'error' | 'warning' | 'info' | 'unknown';
  message: string;
  source: string;
  code: string;
  line: number;
  column: number;
}

const QUICK_INPUT = '.quick-input-widget';

/**
 * F1, `>title`, then picks the entry labelled `title` (e.g. "Conductor: Validate Specs"). A command run
 * before is labelled "<title>, recently used": it is that command too.
 */
export async function runCommand(page: Page, title: string): Promise<void> {
  await quickInput(page, `>${title}`);
  const name = new RegExp(`^${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(, [^,]+)?$`);
  // The command may open a quick pick of its own: then the palette is gone when its `>` text is.
  await pick(page, page.locator(QUICK_INPUT).getByRole('option', { name }).first(), `command "${title}"`, PALETTE_CLOSED);
}

/** A page expression (no DOM types here): the quick input is hidden or closing, or no longer holds a `>command`. */
const PALETTE_CLOSED = `(() => {
  const widget = document.querySelector('${QUICK_INPUT}');
  if (!widget || widget.style.display === 'none' || widget.classList.contains('quick-input-widget-closing')) return true;
  return !(widget.querySelector('.quick-input-box input')?.value ?? '').startsWith('>');
})()`;

/** Quick Open on a workspace-relative path, then waits for its editor to be the active one. */
export async function openFile(page: Page, relativePath: string): Promise<void> {
  const base = path.posix.basename(relativePath);
  await quickInput(page, relativePath);
  // File entries are labelled "<name>, <folder>"; the first match is the best one.
  await pick(page, page.locator(QUICK_INPUT).getByRole('option', { name: base }).first(), `file "${relativePath}"`);
  await page.locator('.editor-group-container.active .tab.active', { hasText: base }).waitFor({ timeout: 15_000 });
  await page.locator('.editor-group-container.active .monaco-editor.focused').waitFor({ timeout: 15_000 });
}

/** Moves the cursor of the active editor to the start of a 1-based line. */
export async function goToLine(page: Page, line: number): Promise<void> {
  await quickInput(page, `:${line}`);
  await page.keyboard.press('Enter');
  await page.locator(QUICK_INPUT).waitFor({ state: 'hidden' });
  // Go to Line puts the cursor in column 1; waiting for it proves the jump happened.
  await page.locator('.statusbar-item', { hasText: new RegExp(`^\\s*Ln ${line}, Col 1\\s*$`) }).first().waitFor({ timeout: 10_000 });
}

/** Replaces the whole text of a 1-based line in the active editor by typing. */
export async function replaceLine(page: Page, line: number, text: string): Promise<void> {
  await goToLine(page, line);
  await page.keyboard.press('Home');
  await page.keyboard.press('Shift+End');
  await page.keyboard.type(text);
}

/** Shows the Problems panel unless it is already visible; leaves focus alone when it is. */
export async function showProblems(page: Page): Promise<void> {
  if (await page.locator('.markers-panel').isVisible()) return;
  await runCommand(page, 'View: Focus Problems (Errors, Warnings, Infos)');
  await page.locator('.markers-panel').waitFor({ timeout: 10_000 });
}

/** The rows the Problems panel shows (it is a virtual list: only rows that fit are in the DOM). */
export async function readProblems(page: Page, folder: string): Promise<ProblemRow[]> {
  await showProblems(page);
  // No named functions inside: tsx would wrap them in a `__name` helper that the page does not have.
  const rows = await page.locator('.markers-panel').evaluate((panel) => {
    const found: { file: string; icon: string; message: string; source: string; code: string; lineCol: string }[] = [];
    const rows = [...panel.querySelectorAll('.monaco-list-row')].sort(
      (a, b) => Number(a.getAttribute('data-index')) - Number(b.getAttribute('data-index')),
    );
    let file = '';
    for (const row of rows) {
      const level = row.getAttribute('aria-level');
      if (level === '1') file = row.querySelector('.monaco-icon-label')?.getAttribute('aria-label') ?? '';
      else if (level === '2' && row.querySelector('.marker-message')) {
        const [message, source, code, lineCol] = ['.marker-message', '.marker-source', '.marker-code', '.marker-line'].map(
          (selector) => row.querySelector(selector)?.textContent?.trim() ?? '',
        );
        found.push({ file, icon: row.querySelector('.marker-icon')?.className ?? '', message, source, code, lineCol });
      }
    }
    return found;
  });
  return rows.map((r) => {
    const [, line = '0', column = '0'] = /Ln (\d+), Col (\d+)/.exec(r.lineCol) ?? [];
    const relative = path.relative(folder, r.file);
    return {
      file: relative.startsWith('..') || path.isAbsolute(relative) ? r.file : relative.split(path.sep).join('/'),
      severity: (['error', 'warning', 'info'] as const).find((s) => r.icon.split(/\s+/).includes(s)) ?? 'unknown',
      message: r.message,
      source: r.source,
      code: r.code,
      line: Number(line),
      column: Number(column),
    };
  });
}

/**
 * Opens the palette and types `text`. Something the workbench shows on its own schedule (the
 * workspace trust dialog, late on a loaded machine) can close the palette between F1 and typing:
 * then it is opened again, a few times.
 */
async function quickInput(page: Page, text: string): Promise<void> {
  const widget = page.locator(QUICK_INPUT);
  const input = widget.locator('.quick-input-box input');
  for (let attempt = 1; ; attempt++) {
    if (await widget.isVisible()) {
      await page.keyboard.press('Escape');
      await widget.waitFor({ state: 'hidden' });
    }
    await page.keyboard.press('F1');
    try {
      await input.waitFor({ state: 'visible', timeout: 10_000 });
      await input.fill(text, { timeout: 5_000 });
      if ((await input.inputValue()) === text) return;
    } catch (e) {
      if (attempt >= 4) throw e;
    }
    if (attempt >= 4) throw new Error(`the quick input did not keep the text ${JSON.stringify(text)}`);
  }
}

async function pick(page: Page, option: ReturnType<Page['locator']>, what: string, closed?: string): Promise<void> {
  try {
    await option.waitFor({ timeout: 15_000 });
  } catch {
    const offered = await page.locator(QUICK_INPUT).getByRole('option').evaluateAll((rows) => rows.map((r) => r.getAttribute('aria-label')));
    throw new Error(`No ${what} in the quick input; it offered: ${JSON.stringify(offered)}`);
  }
  await option.click();
  if (closed) await page.waitForFunction(closed, undefined, { timeout: 10_000 });
  else await page.locator(QUICK_INPUT).waitFor({ state: 'hidden', timeout: 10_000 });
}
