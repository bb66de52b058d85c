import { ChildProcess, spawn } from 'node:child_process';
import {
  ConfigurationRequest,
  createProtocolConnection,
  Diagnostic,
  ExitNotification,
  InitializedNotification,
  InitializeRequest,
  InitializeResult,
  ProtocolConnection,
  PublishDiagnosticsNotification,
  RegistrationRequest,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  UnregistrationRequest,
  WorkDoneProgressCreateRequest,
} from 'vscode-languageserver-protocol/node';
import { URI } from 'vscode-uri';
import { distFile } from './paths';
import { ModuleMapChangedNotification, StatusNotification } from '../../server/src/protocol/protocol';

export interface LspClient {
  /** What the server answered to `initialize`. */
  initializeResult: InitializeResult;
  /** Sends a request and waits for its answer (bounded by the harness timeout). */
  request<R>(method: string, params: unknown): Promise<R>;
  notify(method: string, params: unknown): Promise<void>;
  /**
   * Resolves with the diagnostics of `uri` as soon as the last published set
   * satisfies `predicate` (now, or at a later publishDiagnostics); rejects
   * after `timeoutMs` with what was last seen.
   */
  waitForDiagnostics(uri: string, predicate: (diagnostics: Diagnostic[]) => boolean, timeoutMs?: number): Promise<Diagnostic[]>;
  /** Resolves with the params of the next (or an earlier, unclaimed) notification `method`. */
  nextNotification<T>(method: string, timeoutMs?: number): Promise<T>;
  /** The last diagnostics published for `uri` (undefined: none yet). */
  diagnostics(uri: string): Diagnostic[] | undefined;
  /** Opens a document (languageId lua unless given) with its text. */
  open(uri: string, text: string, languageId?: string): Promise<void>;
  /** shutdown + exit, then waits for the process to end (kills it if it does not). */
  stop(): Promise<void>;
  /** Server stderr and window/logMessage output, for failure messages. */
  log(): string;
  /** The server's process id (to read its memory use). */
  pid: number;
}

/** The file URI of a path, spelled as the server spells it (vscode-uri). */
export function fileUri(file: string): string {
  return URI.file(file).toString();
}

const DEFAULT_TIMEOUT = 10_000;

function withTimeout<T>(promise: Promise<T>, ms: number, what: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what()}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Starts `node dist/server.js --stdio` on one workspace folder and completes
 * the initialize handshake. `env` replaces the server's environment (PATH is
 * kept), so tests do not depend on the machine's LUAKIT_STDLIB_DIR.
 */
export async function startServer(
  rootDir: string,
  options: { env?: Record<string, string>; initializationOptions?: Record<string, unknown> } = {},
): Promise<LspClient> {
  const proc: ChildProcess = spawn(process.execPath, [distFile('server.js'), '--stdio'], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const logLines: string[] = [];
  proc.stderr!.on('data', (chunk: Buffer) => logLines.push(chunk.toString()));
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));

  const connection: ProtocolConnection = createProtocolConnection(new StreamMessageReader(proc.stdout!), new StreamMessageWriter(proc.stdin!));
  const published = new Map<string, Diagnostic[]>();
  const waiters = new Set<() => void>();
  connection.onNotification(PublishDiagnosticsNotification.type, (params) => {
    published.set(params.uri, params.diagnostics);
    for (const wake of [...waiters]) {
      wake();
    }
  });
  connection.onNotification('window/logMessage', (params: { message: string }) => logLines.push(params.message + '\n'));
  // The server's own notifications and work-done progress are kept until a test claims them.
  const pending = new Map<string, unknown[]>();
  const claimers = new Map<string, ((params: unknown) => void)[]>();
  for (const method of [StatusNotification.method, ModuleMapChangedNotification.method, '$/progress', 'window/showMessage']) {
    connection.onNotification(method, (params: unknown) => {
      const waiting = claimers.get(method);
      if (waiting && waiting.length > 0) {
        waiting.shift()!(params);
      } else {
        pending.set(method, [...(pending.get(method) ?? []), params]);
      }
    });
  }
  // What a client answers to the server's own requests: accept, and no settings.
  connection.onRequest(RegistrationRequest.type, () => undefined);
  connection.onRequest(UnregistrationRequest.type, () => undefined);
  connection.onRequest(WorkDoneProgressCreateRequest.type, () => undefined);
  connection.onRequest(ConfigurationRequest.type, (params) => params.items.map(() => null));
  connection.listen();

  const log = () => logLines.join('');
  const request = <R>(method: string, params: unknown) =>
    withTimeout(connection.sendRequest(method, params) as Promise<R>, DEFAULT_TIMEOUT, () => `${method}\n${log()}`);

  const initializeResult = await withTimeout(
    connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      initializationOptions: options.initializationOptions,
      rootUri: fileUri(rootDir),
      workspaceFolders: [{ uri: fileUri(rootDir), name: 'test' }],
      capabilities: {
        workspace: { didChangeWatchedFiles: { dynamicRegistration: true }, workspaceFolders: true },
        textDocument: {
          publishDiagnostics: { relatedInformation: true },
          synchronization: { dynamicRegistration: false },
          definition: { linkSupport: false },
        },
      },
    }),
    DEFAULT_TIMEOUT,
    () => `initialize\n${log()}`,
  );
  await connection.sendNotification(InitializedNotification.type, {});

  let stopped = false;
  return {
    initializeResult,
    pid: proc.pid!,
    request,
    notify: (method, params) => connection.sendNotification(method, params),
    diagnostics: (uri) => published.get(uri),
    nextNotification<T>(method: string, timeoutMs = DEFAULT_TIMEOUT) {
      const queued = pending.get(method);
      if (queued && queued.length > 0) {
        return Promise.resolve(queued.shift() as T);
      }
      const claimed = new Promise<T>((resolve) => claimers.set(method, [...(claimers.get(method) ?? []), (p) => resolve(p as T)]));
      return withTimeout(claimed, timeoutMs, () => `notification ${method}\n${log()}`);
    },
    waitForDiagnostics(uri, predicate, timeoutMs = DEFAULT_TIMEOUT) {
      let wake: (() => void) | undefined;
      const found = new Promise<Diagnostic[]>((resolve) => {
        wake = () => {
          const current = published.get(uri);
          if (current !== undefined && predicate(current)) {
            waiters.delete(wake!);
            resolve(current);
          }
        };
        waiters.add(wake);
        wake();
      });
      return withTimeout(found, timeoutMs, () => {
        waiters.delete(wake!);
        return `diagnostics of ${uri}; last published: ${JSON.stringify(published.get(uri))}\n${log()}`;
      });
    },
    open: (uri, text, languageId = 'lua') =>
      connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version: 1, text } }),
    log,
    async stop() {
      if (stopped) {
        return;
      }
      stopped = true;
      try {
        await withTimeout(connection.sendRequest(ShutdownRequest.type), 5_000, () => 'shutdown');
        await connection.sendNotification(ExitNotification.type);
        await withTimeout(exited, 5_000, () => 'server exit after the exit notification');
      } finally {
        if (proc.exitCode === null && proc.signalCode === null) {
          proc.kill();
        }
        connection.dispose();
      }
    },
  };
}

/** A copy of a fixture made for one test (tempCopy). */
export interface TempCopy {
  dir: string;
  cleanup: () => void;
}

/**
 * `startServer` on a test's own copy of a fixture (on `root` when given, a
 * folder inside the copy): the server is stopped when the test ends, then
 * the copy removed.
 */
export async function startServerOnCopy(
  t: { after: (fn: () => unknown) => void },
  copy: TempCopy,
  options: Parameters<typeof startServer>[1] & { root?: string } = {},
): Promise<LspClient> {
  const client = await startServer(options.root ?? copy.dir, options);
  t.after(async () => {
    await client.stop();
    copy.cleanup();
  });
  return client;
}
