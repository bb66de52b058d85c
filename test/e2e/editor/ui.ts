// UI-level steps in a workbench page, each ending on something visible (DOM text), with bounded
// timeouts that say what was awaited. Squiggles render late, so diagnostics are read from the
// Problems panel, not the editor.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { REPO_ROOT } from './extensionTests';

// A PNG's bytes differ from run to run, so a plain test run writes to test-results/ (ignored by
// git) and only RESTY_BUILD_UPDATE_SCREENSHOTS=1 refreshes the README's docs/screenshots/.
export const SCREENSHOT_DIR =
  process.env.RESTY_BUILD_UPDATE_SCREENSHOTS === '1' ? join(REPO_ROOT, 'docs', 'screenshots') : join(REPO_ROOT, 'test-results', 'screenshots');
const DEFAULT_TIMEOUT_MS = 30_000;

async function waitVisible(locator: Locator, what: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<Locator> {
  try {
    await locator.first().waitFor({ state: 'visible', timeout: timeoutMs });
  } catch (err) {
    throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  }
  return locator.first();
}

/** The status bar entry showing `text` (a string matches a substring). */
export function statusBarItem(page: Page, text: string | RegExp, timeoutMs?: number): Promise<Locator> {
  const locator = page.locator('#workbench\\.parts\\.statusbar .statusbar-item').filter({ hasText: text });
  return waitVisible(locator, `a status bar item with text ${String(text)}`, timeoutMs);
}

/** Opens the command palette (F1), types `title`, waits for its row and runs it with Enter. */
export async function runFromCommandPalette(page: Page, title: string, options: { screenshot?: string; timeoutMs?: number } = {}): Promise<void> {
  await focusWorkbench(page);
  await page.keyboard.press('F1');
  const input = await waitVisible(page.locator('.quick-input-widget input'), 'the command palette input', options.timeoutMs);
  await input.fill(`>${title}`);
  const row = page.locator('.quick-input-widget .monaco-list-row').filter({ hasText: title });
  await waitVisible(row, `the command palette row "${title}" (is the extension loaded?)`, options.timeoutMs);
  if (options.screenshot) {
    await saveScreenshot(page, options.screenshot);
  }
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS });
}

/** Quick Open (Ctrl+P): opens `fileName` and waits for its editor tab to be active. */
export async function quickOpen(page: Page, fileName: string, timeoutMs?: number): Promise<void> {
  await focusWorkbench(page);
  await page.keyboard.press('Control+P');
  const input = await waitVisible(page.locator('.quick-input-widget input'), 'the Quick Open input', timeoutMs);
  await input.fill(fileName);
  await waitVisible(page.locator('.quick-input-widget .monaco-list-row').filter({ hasText: fileName }), `Quick Open to list ${fileName}`, timeoutMs);
  await page.keyboard.press('Enter');
  await waitVisible(page.locator('.tab.active').filter({ hasText: fileName }), `an active editor tab for ${fileName}`, timeoutMs);
}

/** Opens the Problems panel (Ctrl+Shift+M) and waits until it lists `text`; returns its text. */
export async function problemsPanelText(page: Page, text: string, timeoutMs?: number): Promise<string> {
  await focusWorkbench(page);
  await page.keyboard.press('Control+Shift+M');
  const panel = page.locator('.markers-panel');
  await waitVisible(panel, 'the Problems panel', timeoutMs);
  await waitVisible(panel.locator('.monaco-list-row').filter({ hasText: text }), `the Problems panel to list "${text}"`, timeoutMs);
  return (await panel.innerText()).trim();
}

/** The side bar view (a pane of the Explorer, say) whose header reads `title`, once it is expanded and visible. */
export async function sideBarView(page: Page, title: string, timeoutMs?: number): Promise<Locator> {
  const pane = page.locator('#workbench\\.parts\\.sidebar .pane').filter({ has: page.locator('.pane-header', { hasText: title }) });
  await waitVisible(pane.locator('.pane-body'), `the side bar view "${title}" to be open`, timeoutMs);
  return pane.first();
}

/** Collapses the side bar view whose header reads `title` (its space goes to the views below). */
export async function collapseSideBarView(page: Page, title: string, timeoutMs?: number): Promise<void> {
  const header = page.locator('#workbench\\.parts\\.sidebar .pane-header.expanded').filter({ hasText: title });
  await (await waitVisible(header, `an expanded side bar view "${title}"`, timeoutMs)).click();
  await page.locator('#workbench\\.parts\\.sidebar .pane-header:not(.expanded)').filter({ hasText: title }).first().waitFor({ state: 'visible', timeout: timeoutMs ?? DEFAULT_TIMEOUT_MS });
}

/** Drags the side bar's edge `by` pixels to the right, so long descriptions fit in a screenshot. */
export async function widenSideBar(page: Page, by: number): Promise<void> {
  const sideBar = await waitVisible(page.locator('#workbench\\.parts\\.sidebar'), 'the side bar');
  const before = await sideBar.boundingBox();
  if (!before) {
    throw new Error('the side bar has no size');
  }
  const y = before.y + before.height / 2;
  await page.mouse.move(before.x + before.width, y);
  await page.mouse.down();
  await page.mouse.move(before.x + before.width + by, y, { steps: 5 });
  await page.mouse.up();
  const after = await sideBar.boundingBox();
  if (!after || after.width <= before.width) {
    throw new Error(`the side bar did not widen (${before.width} px before, ${after?.width} px after)`);
  }
}

/** The row of a tree (or list) in `container` whose label is `label`, with its description when given. */
export function treeRow(container: Locator, label: string, description?: string, timeoutMs?: number): Promise<Locator> {
  let row = container.locator('.monaco-list-row').filter({ has: container.page().locator('.label-name', { hasText: label }) });
  if (description !== undefined) {
    row = row.filter({ has: container.page().locator('.label-description', { hasText: description }) });
  }
  return waitVisible(row, `a tree row "${label}"${description === undefined ? '' : ` described "${description}"`}`, timeoutMs);
}

/** The notification toast that says `text`. */
export function notification(page: Page, text: string, timeoutMs?: number): Promise<Locator> {
  return waitVisible(page.locator('.notification-toast').filter({ hasText: text }), `a notification saying "${text}"`, timeoutMs);
}

/** Saves a PNG of the page (or of one element) in SCREENSHOT_DIR; returns its path. */
export async function saveScreenshot(page: Page, name: string, element?: Locator): Promise<string> {
  if (!existsSync(SCREENSHOT_DIR)) {
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
  }
  const path = join(SCREENSHOT_DIR, name.endsWith('.png') ? name : `${name}.png`);
  await (element ?? page).screenshot({ path });
  return path;
}

async function focusWorkbench(page: Page): Promise<void> {
  // Keybindings are dispatched from the focused part; a fresh page has focus nowhere in it.
  const quickInput = page.locator('.quick-input-widget');
  if (await quickInput.isVisible()) {
    await page.keyboard.press('Escape');
    await quickInput.waitFor({ state: 'hidden', timeout: DEFAULT_TIMEOUT_MS });
  }
  await page.locator('#workbench\\.parts\\.editor').click({ timeout: DEFAULT_TIMEOUT_MS });
}
