import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createProtocolConnection, ProtocolConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-languageserver-protocol/node';
import { URI } from 'vscode-uri';
import { StatusNotification } from '../server/src/protocol/protocol';

/** A bare LSP session on dist/server.js for measurements: timestamps, not assertions. */
export interface LspSession {
  connection: ProtocolConnection;
  pid: number;
  /** Resolves with the time (performance.now()) of the first publish for `uri` that satisfies `predicate` after now. */
  nextPublish(uri: string, predicate?: (diagnostics: unknown[]) => boolean): Promise<number>;
  /** Resolves with the time of the next `resty-build/status` ready notification. */
  nextReady(): Promise<number>;
  /** Peak resident memory of the server so far (VmHWM), in MiB. */
  peakRssMiB(): number;
  stop(): Promise<void>;
}

export function uriOf(file: string): string {
  return URI.file(file).toString();
}

export function startSession(serverJs: string): LspSession {
  const proc: ChildProcess = spawn(process.execPath, [serverJs, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const connection = createProtocolConnection(new StreamMessageReader(proc.stdout!), new StreamMessageWriter(proc.stdin!));
  const publishWaiters: { uri: string; predicate: (d: unknown[]) => boolean; resolve: (t: number) => void }[] = [];
  const readyWaiters: ((t: number) => void)[] = [];
  connection.onNotification('textDocument/publishDiagnostics', (params: { uri: string; diagnostics: unknown[] }) => {
    const now = performance.now();
    for (let i = publishWaiters.length - 1; i >= 0; i--) {
      const w = publishWaiters[i];
      if (w.uri === params.uri && w.predicate(params.diagnostics)) {
        publishWaiters.splice(i, 1);
        w.resolve(now);
      }
    }
  });
  connection.onNotification(StatusNotification.method, () => {
    const now = performance.now();
    for (const w of readyWaiters.splice(0)) {
      w(now);
    }
  });
  connection.onNotification('window/logMessage', (p: { message: string }) => process.env.RESTY_BUILD_PROFILE && process.stderr.write(`[server] ${p.message}\n`));
  connection.onRequest('client/registerCapability', () => null);
  connection.onRequest('window/workDoneProgress/create', () => null);
  connection.onRequest('workspace/configuration', (p: { items: unknown[] }) => p.items.map(() => null));
  connection.listen();
  return {
    connection,
    pid: proc.pid!,
    nextPublish: (uri, predicate = () => true) => new Promise((resolve) => publishWaiters.push({ uri, predicate, resolve })),
    nextReady: () => new Promise((resolve) => readyWaiters.push(resolve)),
    peakRssMiB() {
      try {
        const status = fs.readFileSync(`/proc/${proc.pid}/status`, 'utf8');
        const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
        return kb / 1024;
      } catch {
        return NaN;
      }
    },
    async stop() {
      const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
      try {
        await Promise.race([connection.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 5000))]);
        await connection.sendNotification('exit');
      } catch {
        // the process may be gone already
      }
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
      connection.dispose();
    },
  };
}

export async function initialize(session: LspSession, root: string, initializationOptions: Record<string, unknown> = {}): Promise<number> {
  await session.connection.sendRequest('initialize', {
    processId: process.pid,
    initializationOptions,
    rootUri: uriOf(root),
    workspaceFolders: [{ uri: uriOf(root), name: path.basename(root) }],
    capabilities: { workspace: { didChangeWatchedFiles: { dynamicRegistration: true } }, textDocument: { publishDiagnostics: {} } },
  });
  const t = performance.now();
  await session.connection.sendNotification('initialized', {});
  return t;
}
