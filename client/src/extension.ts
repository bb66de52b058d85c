import * as path from 'node:path';
import * as vscode from 'vscode';
import { LanguageClient, LanguageClientOptions, ServerOptions, TransportKind } from 'vscode-languageclient/node';
import { createManifest } from './createManifest';
import { EmbedStatusItem, MODULE_MAP_SCHEME, ModuleMapProvider } from './moduleMap';
import { registerBuildCommands } from './buildCommands';
import { registerTasks } from './tasks';

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const serverModule = context.asAbsolutePath(path.join('dist', 'server.js'));
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6009'] } },
  };
  const outputChannel = vscode.window.createOutputChannel('resty-build Language Server');
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'lua' },
      { scheme: 'file', pattern: '**/resty-build.json' },
      { scheme: 'file', pattern: '**/*.conf' },
      // nginx.conf, *.nginx and conf/*.conf open as 'nginx' (ours or another extension's language id).
      { scheme: 'file', language: 'nginx' },
    ],
    outputChannel,
  };
  client = new LanguageClient('resty-build', 'resty-build', serverOptions, clientOptions);

  const mapProvider = new ModuleMapProvider(() => client);
  const status = new EmbedStatusItem(mapProvider);
  context.subscriptions.push(
    status,
    vscode.workspace.registerTextDocumentContentProvider(MODULE_MAP_SCHEME, mapProvider),
    vscode.languages.onDidChangeDiagnostics(() => status.schedule()),
    vscode.commands.registerCommand('restyBuild.showOutput', () => outputChannel.show(true)),
    vscode.commands.registerCommand('restyBuild.restartServer', async () => {
      await client?.restart();
    }),
    vscode.commands.registerCommand('restyBuild.showModuleMap', () => mapProvider.show()),
    vscode.commands.registerCommand('restyBuild.createManifest', () => createManifest(client)),
    ...registerBuildCommands(client),
    registerTasks(context),
  );
  await client.start();
  status.schedule();
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
