import * as path from 'node:path';
import * as vscode from 'vscode';
import { LanguageClient, LanguageClientOptions, ServerOptions, TransportKind } from 'vscode-languageclient/node';
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
    ],
    outputChannel,
  };
  client = new LanguageClient('resty-build', 'resty-build', serverOptions, clientOptions);
  context.subscriptions.push(
    vscode.commands.registerCommand('restyBuild.showOutput', () => outputChannel.show(true)),
    vscode.commands.registerCommand('restyBuild.restartServer', async () => {
      await client?.restart();
    }),
    ...registerBuildCommands(client),
    registerTasks(context),
  );
  await client.start();
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
