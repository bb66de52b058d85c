// Editor end-to-end: a real VS Code workbench (code-server) in Debian chromium, with the stand-in
// probe extension: its extension-host suite through the vscode API, then the same features seen
// through the UI (command palette, Problems panel, status bar), with screenshots for the README
// (RESTY_BUILD_UPDATE_SCREENSHOTS=1 writes them to docs/screenshots/, else to test-results/).
// Skipped with a reason where the machine cannot run it; a failure when RESTY_BUILD_REQUIRE_E2E=1.
import assert from 'node:assert/strict';
import { cpSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { requireCapability } from '../capability';
import { buildEditorSuite, runExtensionTests, openWorkbench, type ExtensionTestsResult } from './extensionTests';
import { editorE2eUnavailableReason, ensureCodeServer, findCodeServer } from './install';
import { problemsPanelText, quickOpen, runFromCommandPalette, saveScreenshot, statusBarItem } from './ui';
import { startWorkbench, type Workbench } from './workbench';

const PROBE_EXTENSION = join(__dirname, 'fixtures', 'probe-extension');
const PROBE_WORKSPACE = join(__dirname, 'fixtures', 'probe-workspace');
// Named, not "every *.suite.ts": suites for the real extension will sit beside it.
const PROBE_SUITE = join(__dirname, 'suite', 'probe.suite.ts');
const PROBE_DIAGNOSTIC = 'probe: module "missing.mod" not found';

test('editor e2e: probe extension in code-server + chromium', { timeout: 15 * 60_000 }, async (t) => {
  if (!requireCapability(t, 'editor e2e', editorE2eUnavailableReason())) {
    return;
  }
  const progress = (line: string): void => void process.stderr.write(`[editor-e2e] ${line}\n`);

  const installStarted = Date.now();
  const wasCached = findCodeServer() !== undefined;
  const install = await ensureCodeServer({ log: progress });
  t.diagnostic(`code-server ${install.version}: ${wasCached ? 'cached' : 'installed'} in ${Date.now() - installStarted} ms`);

  let workbench: Workbench | undefined;
  try {
    workbench = await startWorkbench({ install });
    const wb = workbench;
    // The probe writes into its workspace, so each part gets a fresh copy (named like the
    // fixture, which is what the screenshots show), removed with the workbench.
    const freshWorkspace = (part: string): string => {
      const folder = join(wb.scratchDir(part), 'probe-workspace');
      cpSync(PROBE_WORKSPACE, folder, { recursive: true });
      return folder;
    };
    t.diagnostic(`workbench: /healthz after ${wb.timings.serverReadyMs} ms, browser up after ${wb.timings.browserReadyMs} ms`);

    await t.test('extension-host suite passes (mocha inside the extension host)', async () => {
      const extensionTestsPath = await buildEditorSuite({ outDir: 'out/editor-suite/probe', suiteFiles: [PROBE_SUITE] });
      const result = await runExtensionTests(wb, {
        extensionDevelopmentPath: PROBE_EXTENSION,
        extensionTestsPath,
        folder: freshWorkspace('suite'),
      });
      t.diagnostic(`extension-host suite: exit ${result.exitCode} after ${result.durationMs} ms (${result.report?.passes.length ?? '?'} passed)`);
      assert.equal(result.exitCode, 0, describeFailure(result));
      assert.ok(result.report && result.report.passes.length > 0, `the suite reported no passing tests:\n${describeFailure(result)}`);
    });

    await t.test('UI: command palette, Problems panel and status bar show the probe', async () => {
      const uiStarted = Date.now();
      const workspace = freshWorkspace('ui');
      const page = await openWorkbench(wb, { folder: workspace, extensionDevelopmentPath: PROBE_EXTENSION });
      try {
        // The status bar item appears when activation has finished: the signal that the
        // extension's commands are live.
        await statusBarItem(page, 'probe: ready', 60_000);
        t.diagnostic(`UI: workbench with the probe active after ${Date.now() - uiStarted} ms`);

        await quickOpen(page, 'sample.lua');
        const problems = await problemsPanelText(page, PROBE_DIAGNOSTIC);
        assert.match(problems, /sample\.lua/, `the Problems panel does not name sample.lua:\n${problems}`);
        assert.ok(problems.includes(PROBE_DIAGNOSTIC), `the Problems panel does not list the diagnostic:\n${problems}`);
        await saveScreenshot(page, 'editor-problems-panel');

        const helloFile = join(workspace, 'probe-hello.txt');
        await runFromCommandPalette(page, 'Probe: Hello', { screenshot: 'editor-command-palette' });
        await waitForFile(helloFile, 15_000);
        const status = await statusBarItem(page, 'probe: hello ran');
        assert.equal((await status.innerText()).trim(), 'probe: hello ran');
        await saveScreenshot(page, 'editor-status-bar', page.locator('#workbench\\.parts\\.statusbar'));
      } catch (err) {
        await saveScreenshot(page, 'editor-failure').catch(() => undefined);
        throw err;
      } finally {
        await page.close();
      }
    });
  } finally {
    await workbench?.dispose();
  }
});

function describeFailure(result: ExtensionTestsResult): string {
  const failures = result.report?.failures.map((f) => `  ✗ ${f.title}\n    ${f.message}`).join('\n');
  const logs = result.logs.slice(-40).join('\n');
  return `${failures ? `failed tests:\n${failures}\n` : 'no mocha report was written (the suite did not run to the end)\n'}last workbench log lines:\n${logs}`;
}

async function waitForFile(path: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(path)) {
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${path} to be written`);
    }
    // Poll interval; the loop ends on the file or the deadline.
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
