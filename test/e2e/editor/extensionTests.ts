// Runs an extension-host test suite (the run() contract of @vscode/test-electron) inside a
// code-server workbench, and opens workbench pages for UI checks. The extension, the workspace
// folder and the suite are parameters: the probe proves the machinery, the real extension
// (repo root, dist/extension.js) uses the same calls.
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { format } from 'node:util';
import * as esbuild from 'esbuild';
import type { Page } from 'playwright-core';
import { REPORT_FILE, type SuiteReport } from './suite/report';
import type { Workbench } from './workbench';

export const REPO_ROOT = resolve(__dirname, '..', '..', '..');
export const SUITE_SOURCE_DIR = join(__dirname, 'suite');

export interface BuildSuiteOptions {
  /** The *.suite.ts files to bundle. Default: every one in test/e2e/editor/suite/. */
  suiteFiles?: string[];
  /** Default: out/editor-suite/<name>. */
  outDir: string;
}

/**
 * Bundles suite/index.ts and the given *.suite.ts files with esbuild (vscode and mocha stay
 * external: the extension host provides vscode, mocha resolves from the repo's node_modules).
 * Returns the absolute path of index.js, the extensionTestsPath.
 */
export async function buildEditorSuite(options: BuildSuiteOptions): Promise<string> {
  const outDir = resolve(REPO_ROOT, options.outDir);
  const suiteFiles = (options.suiteFiles ?? readdirSync(SUITE_SOURCE_DIR).filter((n) => n.endsWith('.suite.ts')).map((n) => join(SUITE_SOURCE_DIR, n))).map(
    (file) => resolve(REPO_ROOT, file),
  );
  if (suiteFiles.length === 0) {
    throw new Error(`no *.suite.ts files to bundle (looked in ${SUITE_SOURCE_DIR})`);
  }
  rmSync(outDir, { recursive: true, force: true });
  await esbuild.build({
    // Named outputs: suite files may live outside suite/ (the lead's, a test's), and every
    // output must sit next to index.js, which loads the *.suite.js beside it.
    entryPoints: [
      { in: join(SUITE_SOURCE_DIR, 'index.ts'), out: 'index' },
      ...suiteFiles.map((file) => ({ in: file, out: basename(file).replace(/\.ts$/, '') })),
    ],
    outdir: outDir,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: 'inline',
    external: ['vscode', 'mocha'],
    logLevel: 'warning',
  });
  return join(outDir, 'index.js');
}

export interface ExtensionTestsOptions {
  /** Folder of the extension under test (has its package.json). */
  extensionDevelopmentPath: string;
  /** The bundled index.js exporting run() (see buildEditorSuite). */
  extensionTestsPath: string;
  /** Workspace folder the workbench opens. */
  folder: string;
  /** Bound on the whole run, from navigation to the exit code. Default 180 s. */
  timeoutMs?: number;
  /** Log lines the workbench forwards (codeAutomationLog, browser console). */
  log?: (line: string) => void;
}

export interface ExtensionTestsResult {
  exitCode: number;
  durationMs: number;
  /** What suite/index.ts wrote, when it got that far. */
  report?: SuiteReport;
  /** Every forwarded log line, for failure messages. */
  logs: string[];
}

/** Opens the workbench with the extension-tests payload and resolves with the exit code. */
export async function runExtensionTests(workbench: Workbench, options: ExtensionTestsOptions): Promise<ExtensionTestsResult> {
  const extensionDevelopmentPath = resolve(options.extensionDevelopmentPath);
  const extensionTestsPath = resolve(options.extensionTestsPath);
  const folder = resolve(options.folder);
  for (const [what, path] of [
    ['extension package.json', join(extensionDevelopmentPath, 'package.json')],
    ['extensionTestsPath', extensionTestsPath],
    ['workspace folder', folder],
  ] as const) {
    if (!existsSync(path)) {
      throw new Error(`${what} not found: ${path}`);
    }
  }
  const reportFile = join(extensionTestsPath, '..', REPORT_FILE);
  rmSync(reportFile, { force: true });

  const logs: string[] = [];
  const log = (line: string): void => {
    logs.push(line);
    options.log?.(line);
  };
  const timeoutMs = options.timeoutMs ?? 180_000;
  const started = Date.now();
  const page = await workbench.newPage();
  try {
    let settle: (code: number) => void = () => undefined;
    const exited = new Promise<number>((resolveExit) => (settle = resolveExit));
    // Both must exist before the workbench loads: it looks for them to decide it is automated.
    await page.exposeFunction('codeAutomationLog', (type: string, args: unknown[]) => {
      // The workbench forwards console calls with their printf-style arguments (mocha's '%s%s').
      log(`[${type}] ${format(...args)}`);
    });
    await page.exposeFunction('codeAutomationExit', (code: number) => settle(code));
    page.on('pageerror', (err) => log(`[pageerror] ${err.message}`));
    page.on('crash', () => log('[crash] the workbench page crashed'));

    await page.goto(
      workbench.url(folder, [
        ['extensionDevelopmentPath', workbench.remoteUri(extensionDevelopmentPath)],
        ['extensionTestsPath', workbench.remoteUri(extensionTestsPath)],
      ]),
    );
    const exitCode = await withTimeout(exited, timeoutMs, () => {
      const tail = logs.slice(-30).join('\n');
      return `the extension tests did not report an exit code within ${timeoutMs} ms (extension ${extensionDevelopmentPath}, tests ${extensionTestsPath}). Last log lines:\n${tail}\n--- code-server output:\n${workbench.serverOutput().slice(-3000)}`;
    });
    const report = existsSync(reportFile) ? (JSON.parse(readFileSync(reportFile, 'utf8')) as SuiteReport) : undefined;
    return { exitCode, durationMs: Date.now() - started, report, logs };
  } finally {
    await page.close().catch(() => undefined);
  }
}

export interface OpenWorkbenchOptions {
  folder: string;
  /** Load this extension in development mode (as F5 would). */
  extensionDevelopmentPath?: string;
  /** Bound on the workbench appearing. Default 60 s. */
  timeoutMs?: number;
}

/** A workbench page for UI checks, resolved once the workbench's DOM is there. */
export async function openWorkbench(workbench: Workbench, options: OpenWorkbenchOptions): Promise<Page> {
  const page = await workbench.newPage();
  const payload: Array<[string, string]> = options.extensionDevelopmentPath
    ? [['extensionDevelopmentPath', workbench.remoteUri(resolve(options.extensionDevelopmentPath))]]
    : [];
  try {
    await page.goto(workbench.url(resolve(options.folder), payload.length > 0 ? payload : undefined));
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: options.timeoutMs ?? 60_000 });
    return page;
  } catch (err) {
    await page.close().catch(() => undefined);
    throw err;
  }
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number, message: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message())), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
