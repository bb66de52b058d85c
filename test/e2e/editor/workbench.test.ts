// Editor end-to-end: the real extension in a real VS Code workbench (code-server) in Debian
// chromium.
//  1. the extension-host suites (suite/extension.suite.ts, then suite/moveModule.suite.ts) on a copy of
//     examples/, trusted;
//  2. the untrusted-workspace suite (suite/trust.suite.ts), with workspace trust on;
//  3. the packaged .vsix, installed offline into a fresh workbench, seen through the UI: status bar,
//     Problems panel, command palette, module map, link flags, a module renamed in the Explorer, with
//     screenshots for the README
//     (RESTY_BUILD_UPDATE_SCREENSHOTS=1 writes them to docs/screenshots/, else to test-results/);
//  4. the same suite through @vscode/test-electron, where VS Code can be downloaded (opt-in).
// Skipped with a reason where the machine cannot run it; a failure when RESTY_BUILD_REQUIRE_E2E=1.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { requireCapability } from '../capability';
import { electronRunEnabled, runSuiteInElectron } from './electron';
import { buildEditorSuite, openWorkbench, REPO_ROOT, runExtensionTests, type ExtensionTestsResult } from './extensionTests';
import { editorE2eUnavailableReason, ensureCodeServer, findCodeServer, type CodeServerInstall } from './install';
import { collapseSideBarView, notification, problemsPanelText, quickOpen, runFromCommandPalette, saveScreenshot, sideBarView, statusBarItem, treeRow, widenSideBar } from './ui';
import { startWorkbench, type Workbench, type WorkbenchOptions } from './workbench';
import { copyExamples, healthcheckWithProblem, PLANTED_MODULE } from './workspaces';
import { waitForFsCondition } from '../fsWait';

const EXTENSION_SUITE = join(__dirname, 'suite', 'extension.suite.ts');
const TRUST_SUITE = join(__dirname, 'suite', 'trust.suite.ts');
const MOVE_SUITE = join(__dirname, 'suite', 'moveModule.suite.ts');

test('editor e2e: the extension in code-server + chromium', { timeout: 10 * 60_000 }, async (t) => {
  if (!requireCapability(t, 'editor e2e', editorE2eUnavailableReason())) {
    return;
  }
  const progress = (line: string): void => void process.stderr.write(`[editor-e2e] ${line}\n`);
  const installStarted = Date.now();
  const wasCached = findCodeServer() !== undefined;
  const install = await ensureCodeServer({ log: progress });
  t.diagnostic(`code-server ${install.version}: ${wasCached ? 'cached' : 'installed'} in ${Date.now() - installStarted} ms`);

  const scratch = mkdtempSync(join(tmpdir(), 'resty-build-editor-e2e-'));
  try {
    // Bundled and packaged while the first workbench starts; awaited where needed.
    const extensionSuite = buildEditorSuite({ outDir: 'out/editor-suite/extension', suiteFiles: [EXTENSION_SUITE, MOVE_SUITE] });
    const trustSuite = buildEditorSuite({ outDir: 'out/editor-suite/trust', suiteFiles: [TRUST_SUITE] });
    const vsix = packageVsix(join(scratch, 'resty-build.vsix'));
    // Keep unhandled-rejection noise away if an earlier step fails first.
    for (const p of [extensionSuite, trustSuite, vsix]) {
      p.catch(() => undefined);
    }

    await t.test('extension-host suite: diagnostics, definitions, module map, link flags, compile, verify, tasks, restarts, moving modules', async (st) => {
      await withWorkbench(install, {}, async (wb) => {
        const result = await runExtensionTests(wb, {
          extensionDevelopmentPath: REPO_ROOT,
          extensionTestsPath: await extensionSuite,
          folder: copyExamples(wb.scratchDir('suite')),
        });
        report(st, 'trusted suite', result);
      });
    });

    await t.test('extension-host suite in an untrusted workspace: analysis works, building is refused', async (st) => {
      await withWorkbench(install, { workspaceTrust: true }, async (wb) => {
        const result = await runExtensionTests(wb, {
          extensionDevelopmentPath: REPO_ROOT,
          extensionTestsPath: await trustSuite,
          folder: copyExamples(wb.scratchDir('trust')),
        });
        report(st, 'untrusted suite', result);
      });
    });

    await t.test('the .vsix installs offline; its extension shows the embed state, the problems and compiles from the palette', async (st) => {
      const vsixFile = await vsix;
      await withWorkbench(install, { vsixFiles: [vsixFile] }, async (wb) => {
        const installed = readdirSync(wb.extensionsDir).filter((n) => n.startsWith('resty-build.resty-build-'));
        assert.equal(installed.length, 1, `the .vsix did not install into ${wb.extensionsDir}: ${readdirSync(wb.extensionsDir).join(', ')}`);
        const folder = healthcheckWithProblem(wb.scratchDir('ui'));
        const started = Date.now();
        // No extensionDevelopmentPath: the only resty-build here is the installed .vsix.
        const page = await openWorkbench(wb, { folder });
        try {
          await statusBarItem(page, /3 embedded/, 60_000);
          st.diagnostic(`UI: installed extension active (status bar) after ${Date.now() - started} ms`);

          await quickOpen(page, 'config.lua');
          const problems = await problemsPanelText(page, 'not-in-mapping');
          assert.ok(problems.includes(`'${PLANTED_MODULE}' is required here but not embedded`), `the Problems panel lacks the finding:\n${problems}`);
          await statusBarItem(page, /3 embedded,.*1 problem/);
          await saveScreenshot(page, 'extension-problems-panel');

          await runFromCommandPalette(page, 'resty-build: Compile Bytecode', { screenshot: 'extension-command-palette' });
          await waitForFsCondition(folder, () => existsSync(join(folder, 'build', 'bytecode', 'app_config.o')), 'the compile command to write app_config.o', 30_000);
          const status = await statusBarItem(page, /compile/, 30_000);
          assert.match(await status.innerText(), /3 embedded,\s*1 problem\s+compile$/);
          await saveScreenshot(page, 'extension-status-bar', page.locator('#workbench\\.parts\\.statusbar'));

          // The module map is a view in the Explorer: the planted module under Problems, the rest embedded.
          await runFromCommandPalette(page, 'resty-build: Show Module Map');
          const moduleMap = await sideBarView(page, 'Module Map');
          await treeRow(moduleMap, 'Problems');
          await treeRow(moduleMap, PLANTED_MODULE, 'luaJIT_BC_app_metrics');
          await treeRow(moduleMap, 'app.config', 'luaJIT_BC_app_config');
          await treeRow(moduleMap, 'resty.upstream.healthcheck', 'luaJIT_BC_resty_upstream_healthcheck');
          // Room for the view in the screenshot: no panel, no toast, the file tree folded, a wider side bar.
          await runFromCommandPalette(page, 'View: Hide Panel');
          await runFromCommandPalette(page, 'Notifications: Clear All Notifications');
          await collapseSideBarView(page, 'openresty-healthcheck');
          await widenSideBar(page, 160);
          await (await treeRow(moduleMap, 'Provided by the runtime')).click();
          await treeRow(moduleMap, 'ngx.upstream', 'provided by the runtime');
          await page.locator('#workbench\\.parts\\.editor').click();
          await saveScreenshot(page, 'extension-module-map');
          // A row's tooltip: status, file, origin, symbol, object and the reason.
          const planted = await treeRow(moduleMap, PLANTED_MODULE);
          await planted.locator('.label-name').hover();
          const tooltip = page.locator('.workbench-hover, .monaco-hover').filter({ hasText: 'missing from embed' }).first();
          await tooltip.waitFor({ state: 'visible', timeout: 30_000 });
          assert.match(await tooltip.innerText(), /File: lib\/app\/metrics\.lua[\s\S]*Symbol: luaJIT_BC_app_metrics[\s\S]*not-in-mapping/);
          await saveScreenshot(page, 'extension-module-map-tooltip');
          await planted.click();
          await page.locator('.tab.active').filter({ hasText: 'metrics.lua' }).waitFor({ state: 'visible', timeout: 30_000 });

          // The link flags: a read-only preview with a copy action in its title bar.
          await runFromCommandPalette(page, 'resty-build: Preview nginx Link Flags');
          await page.locator('.tab.active').filter({ hasText: 'openresty-healthcheck.sh' }).waitFor({ state: 'visible', timeout: 30_000 });
          await page.locator('.monaco-editor .view-lines').filter({ hasText: 'app_config.o' }).first().waitFor({ state: 'visible', timeout: 30_000 });
          const copy = page.locator('.editor-actions [aria-label*="Copy nginx Link Flags"]').first();
          await copy.waitFor({ state: 'visible', timeout: 30_000 });
          await saveScreenshot(page, 'extension-link-flags');
          await copy.click();
          await notification(page, 'nginx ./configure flags copied');
          await page.locator('.monaco-editor .view-line').filter({ hasText: './configure' }).first().click();
          await page.keyboard.type('x');
          await page.locator('.monaco-editor-overlaymessage').filter({ hasText: 'read-only' }).waitFor({ state: 'visible', timeout: 30_000 });

          // Renaming a module in the Explorer: the extension asks first (restyBuild.updateRequiresOnMove is
          // `prompt` by default), and Yes rewrites the require of it in config.lua before the file moves.
          await runFromCommandPalette(page, 'Notifications: Clear All Notifications');
          await page.locator('#workbench\\.parts\\.sidebar .pane-header:not(.expanded)').filter({ hasText: 'openresty-healthcheck' }).first().click();
          const explorer = await sideBarView(page, 'openresty-healthcheck');
          await (await treeRow(explorer, 'metrics.lua')).click();
          await page.keyboard.press('F2');
          const newName = explorer.locator('.monaco-inputbox input');
          await newName.waitFor({ state: 'visible', timeout: 30_000 });
          await newName.fill('telemetry.lua');
          await page.keyboard.press('Enter');
          const question = page.locator('.monaco-dialog-box').filter({ hasText: "Update requires for 'metrics.lua'?" });
          await question.waitFor({ state: 'visible', timeout: 30_000 });
          assert.match(await question.innerText(), /1 require or embed entry in 1 file names the moved modules\./);
          await saveScreenshot(page, 'extension-move-prompt');
          await question.locator('.monaco-button').filter({ hasText: /^Yes$/ }).click();
          await question.waitFor({ state: 'hidden', timeout: 30_000 });
          // VS Code itself then asks, in a profile that has not answered it before, whether an
          // extension may edit files along with a move (outside extension tests it always does).
          const vscodeQuestion = page.locator('.monaco-dialog-box').filter({ hasText: 'wants to make refactoring changes with this file move' });
          await vscodeQuestion.waitFor({ state: 'visible', timeout: 30_000 });
          await vscodeQuestion.locator('.monaco-button').filter({ hasText: /^OK$/ }).click();
          await treeRow(explorer, 'telemetry.lua');
          await page.locator('.tab').filter({ hasText: 'config.lua' }).first().click();
          await page.locator('.monaco-editor .view-line').filter({ hasText: 'require "app.telemetry"' }).first().waitFor({ state: 'visible', timeout: 30_000 });
          st.diagnostic(`UI: checks done after ${Date.now() - started} ms`);
        } catch (err) {
          await saveScreenshot(page, 'extension-failure').catch(() => undefined);
          throw err;
        } finally {
          await page.close();
        }
      });
    });

    // Opt-in (RESTY_BUILD_VSCODE_DOWNLOAD=1 where VS Code can be downloaded; desktop VS Code needs a
    // display: xvfb-run): this network cannot reach VS Code's download servers, so it is not registered here.
    if (electronRunEnabled()) {
      await t.test('the same suite through @vscode/test-electron (downloads VS Code)', async () => {
        const folder = copyExamples(mkdtempSync(join(scratch, 'electron-')));
        const code = await runSuiteInElectron({ extensionDevelopmentPath: REPO_ROOT, extensionTestsPath: await extensionSuite, folder });
        assert.equal(code, 0, 'the suite failed in desktop VS Code (its output is above)');
      });
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
});

async function withWorkbench(install: CodeServerInstall, options: WorkbenchOptions, body: (wb: Workbench) => Promise<void>): Promise<void> {
  const wb = await startWorkbench({ install, ...options });
  try {
    await body(wb);
  } finally {
    await wb.dispose();
  }
}

function report(t: TestContext, what: string, result: ExtensionTestsResult): void {
  t.diagnostic(`${what}: exit ${result.exitCode} after ${result.durationMs} ms (${result.report?.passes.length ?? '?'} passed)`);
  assert.equal(result.exitCode, 0, describeFailure(result));
  assert.ok(result.report, 'the suite wrote no mocha report');
  assert.equal(result.report.failures.length, 0);
  assert.ok(result.report.passes.length >= 4, `only ${result.report.passes.length} tests ran`);
}

/** npm run package, into `out` (a staging copy: dist/ is left alone). */
function packageVsix(out: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'scripts', 'package.mjs'), '--out', out], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 && existsSync(out) ? resolve(out) : reject(new Error(`packaging the .vsix failed (exit ${code}):\n${output}`))));
  });
}

function describeFailure(result: ExtensionTestsResult): string {
  const failures = result.report?.failures.map((f) => `  ✗ ${f.title}\n    ${f.message}`).join('\n');
  const logs = result.logs.slice(-40).join('\n');
  return `${failures ? `failed tests:\n${failures}\n` : 'no mocha report was written (the suite did not run to the end)\n'}last workbench log lines:\n${logs}`;
}

