// Starts a real VS Code workbench: code-server on a free loopback port with throw-away user data,
// and Debian's chromium driven by playwright-core. Everything it starts is stopped by dispose(),
// also when starting fails half-way, and the server is killed if this process exits first.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM_PATH, ensureCodeServer, type CodeServerInstall } from './install';

// The flags shared/EDITOR-E2E.md checked: without the networking ones chromium keeps dialling
// Google's hosts, which this machine's closed network refuses.
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Settings for tests that are not about the workbench itself: no trust prompt, no welcome tabs. */
export const DEFAULT_TEST_SETTINGS: Record<string, unknown> = {
  'security.workspace.trust.enabled': false,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'chat.commandCenter.enabled': false,
  'git.enabled': false,
};

export interface WorkbenchOptions {
  /** Default: ensureCodeServer() (installs when not cached). */
  install?: CodeServerInstall;
  /** Leave workspace trust on (it is off by default, for tests that are not about trust). */
  workspaceTrust?: boolean;
  /** Extra user settings, merged over DEFAULT_TEST_SETTINGS. */
  settings?: Record<string, unknown>;
  /** Bound on code-server answering /healthz. Default 60 s. */
  startTimeoutMs?: number;
  /** Progress and server output lines. Default: nowhere (see Workbench.serverOutput()). */
  log?: (line: string) => void;
  /** Extra environment for code-server and so for its extension host. */
  env?: NodeJS.ProcessEnv;
  /** .vsix files installed (offline, `code-server --install-extension`) into the temp extensions dir before start. */
  vsixFiles?: string[];
}

export interface Workbench {
  readonly port: number;
  /** http://127.0.0.1:<port> */
  readonly origin: string;
  readonly userDataDir: string;
  readonly extensionsDir: string;
  readonly browser: BrowserContext;
  /** How the workbench names a file of this machine: vscode-remote://127.0.0.1:<port><abs path>. */
  remoteUri(absPath: string): string;
  /** The workbench URL opening `folder`, with an optional launch payload (e.g. extension tests). */
  url(folder: string, payload?: Array<[string, string]>): string;
  newPage(): Promise<Page>;
  /** A new empty folder inside the workbench's temp folder (removed by dispose()). */
  scratchDir(name: string): string;
  /** Everything code-server printed so far (the extension host's output lands here too). */
  serverOutput(): string;
  /** Milliseconds from start to /healthz answering, and to the browser being up. */
  readonly timings: { serverReadyMs: number; browserReadyMs: number };
  dispose(): Promise<void>;
}

export async function startWorkbench(options: WorkbenchOptions = {}): Promise<Workbench> {
  installExitHandlers();
  const log = options.log ?? ((): void => undefined);
  const install = options.install ?? (await ensureCodeServer({ log }));
  const started = Date.now();
  sweepAbandonedTempDirs();
  const tmp = mkdtempSync(join(tmpdir(), TMP_PREFIX));
  writeFileSync(join(tmp, OWNER_FILE), String(process.pid));
  // On an abrupt exit the owner file stays, so the next start can tell the folder is abandoned
  // when dying processes have written into it again.
  const emptyTmp = (): void => {
    for (const name of readdirSync(tmp).filter((n) => n !== OWNER_FILE)) {
      rmSync(join(tmp, name), { recursive: true, force: true });
    }
  };
  onAbruptExit.add(emptyTmp);
  const cleanups: Array<() => Promise<void> | void> = [
    () => {
      onAbruptExit.delete(emptyTmp);
      rmSync(tmp, { recursive: true, force: true });
    },
  ];
  const dispose = async (): Promise<void> => {
    // Last in, first out: browser, then server, then the temp folder.
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch (err) {
        log(`cleanup failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  };

  try {
    const userDataDir = join(tmp, 'user-data');
    const extensionsDir = join(tmp, 'extensions');
    const browserProfile = join(tmp, 'chromium-profile');
    mkdirSync(join(userDataDir, 'User'), { recursive: true });
    mkdirSync(extensionsDir, { recursive: true });
    const settings = {
      ...DEFAULT_TEST_SETTINGS,
      ...(options.workspaceTrust ? { 'security.workspace.trust.enabled': true } : {}),
      ...options.settings,
    };
    writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify(settings, null, 2));

    for (const vsix of options.vsixFiles ?? []) {
      await installVsix(install, vsix, { userDataDir, extensionsDir, env: { ...process.env, ...options.env }, log });
    }

    const port = await findFreePort();
    const origin = `http://127.0.0.1:${port}`;
    // Without --config code-server writes ~/.config/code-server/config.yaml.
    const configFile = join(tmp, 'config.yaml');
    writeFileSync(configFile, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);

    const server = startCodeServer(install, [
      '--config', configFile,
      '--auth', 'none',
      '--bind-addr', `127.0.0.1:${port}`,
      '--disable-telemetry',
      '--disable-update-check',
      '--user-data-dir', userDataDir,
      '--extensions-dir', extensionsDir,
    ], { ...process.env, ...options.env }, log);
    cleanups.push(() => server.stop());

    await waitForHealthz(origin, server, options.startTimeoutMs ?? 60_000);
    const serverReadyMs = Date.now() - started;
    log(`code-server ${install.version} answers /healthz at ${origin} after ${serverReadyMs} ms`);

    if (!existsSync(CHROMIUM_PATH)) {
      throw new Error(`${CHROMIUM_PATH} is missing: apt-get install -y chromium`);
    }
    // launchPersistentContext, not launch(): launch() rejects a --user-data-dir, and a fresh
    // profile per run keeps state (trust decisions, storage) from leaking between runs.
    const browser = await chromium.launchPersistentContext(browserProfile, {
      executablePath: CHROMIUM_PATH,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 800 },
      // vscode.env.clipboard in the extension host goes through the page's navigator.clipboard.
      permissions: ['clipboard-read', 'clipboard-write'],
    });
    cleanups.push(() => browser.close());
    const browserReadyMs = Date.now() - started;

    return {
      port,
      origin,
      userDataDir,
      extensionsDir,
      browser,
      timings: { serverReadyMs, browserReadyMs },
      remoteUri: (absPath) => `vscode-remote://127.0.0.1:${port}${absPath}`,
      url: (folder, payload) => {
        const query = new URLSearchParams({ folder });
        if (payload) {
          query.set('payload', JSON.stringify(payload));
        }
        return `${origin}/?${query.toString()}`;
      },
      newPage: () => browser.newPage(),
      scratchDir: (name) => mkdtempSync(join(tmp, `scratch-${name.replace(/[^\w.-]/g, '_')}-`)),
      serverOutput: () => server.output(),
      dispose,
    };
  } catch (err) {
    await dispose();
    throw err;
  }
}

interface CodeServerProcess {
  child: ChildProcess;
  exited: Promise<number | null>;
  output(): string;
  stop(): Promise<void>;
}

/** `code-server --install-extension`: unpacks the .vsix into extensionsDir, without a network. */
async function installVsix(
  install: CodeServerInstall,
  vsix: string,
  dirs: { userDataDir: string; extensionsDir: string; env: NodeJS.ProcessEnv; log: (line: string) => void },
): Promise<void> {
  const child = spawn(process.execPath, [install.entry, '--install-extension', vsix, '--extensions-dir', dirs.extensionsDir, '--user-data-dir', dirs.userDataDir], {
    env: dirs.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => {
    child.on('exit', resolve);
    child.on('error', (err) => {
      output += `spawn failed: ${err.message}`;
      resolve(null);
    });
  });
  dirs.log(`[install-extension] ${output.trim()}`);
  if (code !== 0 || !/successfully installed/.test(output)) {
    throw new Error(`code-server --install-extension ${vsix} failed (exit ${code}):\n${output}`);
  }
}

function startCodeServer(install: CodeServerInstall, args: string[], env: NodeJS.ProcessEnv, log: (line: string) => void): CodeServerProcess {
  // Its own process group, so stop() also reaches the extension host and the other helpers
  // code-server forks.
  const child = spawn(process.execPath, [install.entry, ...args], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const onData = (chunk: Buffer): void => {
    const text = chunk.toString();
    output += text;
    for (const line of text.split('\n')) {
      if (line.trim()) {
        log(`[code-server] ${line}`);
      }
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => resolve(code));
    child.on('error', (err) => {
      output += `\nspawn failed: ${err.message}\n`;
      resolve(null);
    });
  });
  let running = true;
  void exited.then(() => (running = false));
  const killGroup = (signal: NodeJS.Signals): void => {
    if (running && child.pid !== undefined) {
      try {
        process.kill(-child.pid, signal);
      } catch {
        // already gone
      }
    }
  };
  const onProcessExit = (): void => killGroup('SIGKILL');
  onAbruptExit.add(onProcessExit);
  return {
    child,
    exited,
    output: () => output,
    stop: async () => {
      onAbruptExit.delete(onProcessExit);
      killGroup('SIGTERM');
      const timer = setTimeout(() => killGroup('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

// code-server runs in its own process group, so a Ctrl+C aimed at the test run does not reach
// it: when this process exits or is interrupted before dispose(), kill every live server and
// remove its temp folder (synchronously: nothing async runs in an 'exit' handler).
const onAbruptExit = new Set<() => void>();
let exitHandlersInstalled = false;

function installExitHandlers(): void {
  if (exitHandlersInstalled) {
    return;
  }
  exitHandlersInstalled = true;
  const killAll = (): void => {
    // Servers were added after their temp folders: stop them first.
    for (const cleanup of [...onAbruptExit].reverse()) {
      try {
        cleanup();
      } catch {
        // best effort on the way out
      }
    }
    onAbruptExit.clear();
  };
  process.on('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      killAll();
      // Keep the signal's usual effect unless someone else handles it.
      if (process.listenerCount(signal) === 0) {
        process.kill(process.pid, signal);
      }
    });
  }
}

const TMP_PREFIX = 'resty-build-workbench-';
const OWNER_FILE = 'owner.pid';

/**
 * On an interrupt the exit handler empties the temp folder, but chromium and code-server, still
 * dying, may write into it again; the next start removes such folders once their owner is gone
 * (or, without an owner file, after an hour).
 */
function sweepAbandonedTempDirs(): void {
  let names: string[];
  try {
    names = readdirSync(tmpdir()).filter((name) => name.startsWith(TMP_PREFIX));
  } catch {
    return;
  }
  for (const name of names) {
    const dir = join(tmpdir(), name);
    try {
      let abandoned: boolean;
      try {
        abandoned = !isAlive(Number(readFileSync(join(dir, OWNER_FILE), 'utf8')));
      } catch {
        abandoned = Date.now() - statSync(dir).mtimeMs > 60 * 60_000;
      }
      if (abandoned) {
        rmSync(dir, { recursive: true, force: true });
      }
    } catch {
      // another process may be sweeping the same folder
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Waits for code-server's own "HTTP server listening on …" log line (routes are registered
 * by then), then asks /healthz once: the answer, not a delay, says it is ready.
 */
async function waitForHealthz(origin: string, server: CodeServerProcess, timeoutMs: number): Promise<void> {
  const listening = /HTTP server listening on/;
  await new Promise<void>((resolve, reject) => {
    const finish = (err?: Error): void => {
      clearTimeout(timer);
      server.child.stdout?.off('data', check);
      server.child.stderr?.off('data', check);
      if (err) {
        reject(err);
      } else {
        resolve();
      }
    };
    const check = (): void => {
      if (listening.test(server.output())) {
        finish();
      }
    };
    const timer = setTimeout(
      () => finish(new Error(`code-server did not say it was listening within ${timeoutMs} ms:\n${server.output().slice(-3000)}`)),
      timeoutMs,
    );
    server.child.stdout?.on('data', check);
    server.child.stderr?.on('data', check);
    void server.exited.then((code) => finish(new Error(`code-server exited (code ${code}) before listening on ${origin}:\n${server.output().slice(-3000)}`)));
    check();
  });
  const response = await fetch(`${origin}/healthz`, { signal: AbortSignal.timeout(10_000) });
  if (!response.ok) {
    throw new Error(`code-server listens on ${origin} but /healthz answered HTTP ${response.status}:\n${server.output().slice(-3000)}`);
  }
}

function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => (port ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}
