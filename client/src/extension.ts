import * as path from 'node:path';
import * as vscode from 'vscode';
import { ForkOptions, LanguageClient, LanguageClientOptions, ServerOptions, State, TransportKind } from 'vscode-languageclient/node';
import { ModuleMapChangedNotification, StatusNotification } from '../../server/src/protocol/protocol';
import { registerBuildCommands } from './buildCommands';
import { Config, promptRestartOnChange } from './config';
import { createManifest } from './createManifest';
import { DiagnosticsGate } from './diagnosticsGate';
import { EmbedStatusItem } from './embedStatus';
import { ModuleView } from './moduleView';
import { RestartLimiter } from './serverLifecycle';
import { registerTasks } from './tasks';

/** What activate() returns: for other extensions and for the editor e2e suite. */
export interface RestyBuildApi {
  readonly client: LanguageClient | undefined;
  /** Automatic restarts after the server stopped unexpectedly. */
  readonly crashRestarts: number;
  /** The status bar item's text ('' when hidden). */
  readonly statusText: string;
  /** How many times a server finished its initial analysis (every start and restart). */
  readonly readyCount: number;
  /** Fires each time a server finished its initial analysis. */
  readonly onDidBecomeReady: vscode.Event<void>;
  /** The module map view's data: its rows, and an event when it re-reads them. */
  readonly moduleView: ModuleView;
}

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<RestyBuildApi> {
  const config = new Config();
  const serverModule = context.asAbsolutePath(path.join('dist', 'server.js'));
  // Refreshed before every deliberate (re)start: some settings become the server's environment.
  const forkOptions: ForkOptions = { env: config.serverEnv() };
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc, options: forkOptions },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { ...forkOptions, execArgv: ['--nolazy', '--inspect=6009'] } },
  };
  const serverChannel = vscode.window.createOutputChannel('resty-build Language Server');
  const restart = async (): Promise<void> => {
    forkOptions.env = config.serverEnv();
    limiter.reset();
    await client?.restart();
  };
  const limiter = new RestartLimiter(() => serverChannel.show(true), restart);
  const gate = new DiagnosticsGate(config, () => client?.diagnostics);
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'lua' },
      { scheme: 'file', pattern: '**/resty-build.json' },
      { scheme: 'file', pattern: '**/*.conf' },
      // nginx.conf, *.nginx and conf/*.conf open as 'nginx' (ours or another extension's language id).
      { scheme: 'file', language: 'nginx' },
    ],
    outputChannel: serverChannel,
    // A function: read again on every restart, e.g. after the user trusts the workspace.
    // storageDir: where the server keeps per-file facts between sessions (the extension's workspace storage).
    initializationOptions: () => ({ trusted: vscode.workspace.isTrusted, storageDir: context.storageUri?.fsPath }),
    errorHandler: limiter,
    middleware: { handleDiagnostics: (uri, diagnostics, next) => gate.handle(uri, diagnostics, next) },
  };
  // The id is the settings prefix vscode-languageclient reads restyBuild.trace.server from.
  client = new LanguageClient('restyBuild', 'resty-build', serverOptions, clientOptions);

  // The server says when it has analysed the workspace (at every start and restart).
  const ready = new vscode.EventEmitter<void>();
  let readyCount = 0;
  const status = new EmbedStatusItem(() => client);
  const moduleView = new ModuleView(() => client);
  context.subscriptions.push(
    status,
    moduleView,
    serverChannel,
    vscode.languages.onDidChangeDiagnostics(() => status.schedule()),
    vscode.window.onDidChangeActiveTextEditor(() => status.schedule()),
    client.onDidChangeState((e) => {
      if (e.newState === State.Stopped) {
        status.serverStopped();
        moduleView.refresh();
      } else {
        status.schedule();
      }
    }),
    client.onNotification(StatusNotification.type, () => {
      readyCount++;
      ready.fire();
      status.schedule();
      moduleView.refresh();
    }),
    client.onNotification(ModuleMapChangedNotification.type, () => moduleView.refresh()),
    ready,
    gate.watch(),
    promptRestartOnChange(restart),
    // The server refuses builds while untrusted; restart it so it learns the new trust.
    vscode.workspace.onDidGrantWorkspaceTrust(() => void restart()),
    vscode.commands.registerCommand('restyBuild.showOutput', () => serverChannel.show(true)),
    vscode.commands.registerCommand('restyBuild.restartServer', restart),
    vscode.commands.registerCommand('restyBuild.showModuleMap', () => moduleView.show()),
    vscode.commands.registerCommand('restyBuild.refreshModuleMap', () => moduleView.refresh()),
    vscode.commands.registerCommand('restyBuild.createManifest', () => createManifest(client)),
    ...registerBuildCommands(client, config, status),
    registerTasks(context, config),
  );
  await client.start();
  status.schedule();
  return {
    get client() {
      return client;
    },
    get crashRestarts() {
      return limiter.restarts;
    },
    get readyCount() {
      return readyCount;
    },
    onDidBecomeReady: ready.event,
    get statusText() {
      return status.text;
    },
    moduleView,
  };
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
