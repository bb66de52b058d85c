// The same extension-host suite through @vscode/test-electron, which downloads a desktop VS Code:
// for machines that can reach the VS Code download servers (not this workplace's, where the
// code-server runner in extensionTests.ts is the way). Opt-in: RESTY_BUILD_VSCODE_DOWNLOAD=1.
// Desktop VS Code needs a display; on a headless Linux box run it under xvfb-run.
//
// CLI: RESTY_BUILD_VSCODE_DOWNLOAD=1 node --import tsx test/e2e/editor/electron.ts [version]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runTests } from '@vscode/test-electron';
import { buildEditorSuite, REPO_ROOT } from './extensionTests';
import { cacheRoot } from './install';
import { copyExamples } from './workspaces';

export const VSCODE_DOWNLOAD_ENV = 'RESTY_BUILD_VSCODE_DOWNLOAD';

export function electronRunEnabled(): boolean {
  return process.env[VSCODE_DOWNLOAD_ENV] === '1';
}

export interface ElectronRunOptions {
  extensionDevelopmentPath: string;
  /** The bundled index.js exporting run() (see buildEditorSuite). */
  extensionTestsPath: string;
  /** Workspace folder VS Code opens. */
  folder: string;
  /** 'stable', 'insiders' or a version such as '1.90.0' (the minimum in package.json engines). */
  version?: string;
}

/** Runs the suite in a downloaded desktop VS Code; resolves with its exit code. */
export async function runSuiteInElectron(options: ElectronRunOptions): Promise<number> {
  try {
    return await runTests({
      version: options.version ?? 'stable',
      // Cached beside code-server, outside the repo.
      cachePath: join(cacheRoot(), 'vscode-test'),
      extensionDevelopmentPath: resolve(options.extensionDevelopmentPath),
      extensionTestsPath: resolve(options.extensionTestsPath),
      launchArgs: [resolve(options.folder), '--disable-workspace-trust', '--disable-extensions', '--skip-welcome', '--skip-release-notes'],
    });
  } catch (err) {
    // runTests rejects with TestRunFailedError on a non-zero exit; hand back the code instead.
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'number') {
      return code;
    }
    throw err;
  }
}

if (require.main === module) {
  void (async () => {
    if (!electronRunEnabled()) {
      process.stderr.write(`skipped: set ${VSCODE_DOWNLOAD_ENV}=1 where VS Code can be downloaded\n`);
      return;
    }
    const scratch = mkdtempSync(join(tmpdir(), 'resty-build-electron-'));
    try {
      const extensionTestsPath = await buildEditorSuite({
        outDir: 'out/editor-suite/extension-electron',
        suiteFiles: [join(__dirname, 'suite', 'extension.suite.ts')],
      });
      process.exitCode = await runSuiteInElectron({
        extensionDevelopmentPath: REPO_ROOT,
        extensionTestsPath,
        folder: copyExamples(scratch),
        version: process.argv[2],
      });
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  })().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 1;
  });
}
