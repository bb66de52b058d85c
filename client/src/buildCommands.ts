import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { LanguageClient, WorkDoneProgress } from 'vscode-languageclient/node';
import { BuildMethods, BuildParams, BuildProjectInfo, BuildResponse, LinkFlagsResponse } from '../../server/src/features/buildProtocol';

const SCHEME = 'resty-build';

/** The read-only preview of the link flags: a virtual document per project. */
class LinkFlagsDocuments implements vscode.TextDocumentContentProvider {
  private readonly contents = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  /** The last configure line shown, for the copy command. */
  lastLine: string | undefined;

  set(uri: vscode.Uri, text: string): void {
    this.contents.set(uri.toString(), text);
    this.changed.fire(uri);
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.toString()) ?? '# Run "resty-build: Preview nginx Link Flags" to fill this document.\n';
  }
}

function settings(): { luajitPath?: string } {
  // Machine-scoped: a workspace cannot point it at a program of its own.
  const luajitPath = vscode.workspace.getConfiguration('restyBuild').get<string>('luajitPath')?.trim();
  return { luajitPath: luajitPath || undefined };
}

/** The project to build: the one holding the active file, the only one, or the user's pick. */
async function pickProject(client: LanguageClient): Promise<BuildProjectInfo | undefined> {
  const projects = await client.sendRequest<BuildProjectInfo[]>(BuildMethods.projects);
  if (projects.length === 0) {
    void vscode.window.showWarningMessage('resty-build: no resty-build.json in this workspace; the build commands need one listing the modules to embed.');
    return undefined;
  }
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active?.scheme === 'file') {
    const owner = projects
      .filter((p) => !path.relative(p.dir, active.fsPath).startsWith('..'))
      .sort((a, b) => b.dir.length - a.dir.length)[0];
    if (owner) {
      return owner;
    }
  }
  if (projects.length === 1) {
    return projects[0];
  }
  const picked = await vscode.window.showQuickPick(
    projects.map((p) => ({ label: vscode.workspace.asRelativePath(p.dir), description: p.manifest, project: p })),
    { placeHolder: 'Which resty-build project?' },
  );
  return picked?.project;
}

/** Sends a build request under a cancellable progress notification fed by the server's work-done progress. */
function withServerProgress<R>(client: LanguageClient, title: string, method: string, params: BuildParams): Thenable<R> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
    const workDoneToken = randomUUID();
    let last = 0;
    const listener = client.onProgress(WorkDoneProgress.type, workDoneToken, (value) => {
      if (value.kind === 'report') {
        const pct = value.percentage ?? last;
        progress.report({ message: value.message, increment: pct - last });
        last = pct;
      }
    });
    try {
      return await client.sendRequest<R>(method, { ...params, workDoneToken }, token);
    } finally {
      listener.dispose();
    }
  });
}

function trusted(): boolean {
  if (!vscode.workspace.isTrusted) {
    // compile and verify run the programs resty-build.json names (luajit.compiler, luajit.runtime).
    void vscode.window.showWarningMessage('resty-build: trust this workspace to compile or verify: it runs the programs its resty-build.json names.');
    return false;
  }
  return true;
}

function show(channel: vscode.OutputChannel, title: string, response: BuildResponse): void {
  channel.appendLine(`== ${title}: ${response.summary}`);
  for (const line of response.lines) {
    channel.appendLine(line);
  }
  if (response.cancelled) {
    channel.appendLine('cancelled');
  } else if (response.errors > 0) {
    channel.show(true);
    void vscode.window.showErrorMessage(`resty-build: ${title}: ${response.summary}; ${response.errors} error${response.errors === 1 ? '' : 's'} (see Problems and the "resty-build Build" output).`);
  } else {
    void vscode.window.showInformationMessage(`resty-build: ${title}: ${response.summary}`);
  }
}

async function reportFailure(channel: vscode.OutputChannel, title: string, e: unknown): Promise<void> {
  const message = e instanceof Error ? e.message : String(e);
  channel.appendLine(`== ${title} failed: ${message}`);
  await vscode.window.showErrorMessage(`resty-build: ${title} failed: ${message}`);
}

/** Registers compile, preview/copy link flags and verify; returns what to dispose. */
export function registerBuildCommands(client: LanguageClient): vscode.Disposable[] {
  const channel = vscode.window.createOutputChannel('resty-build Build');
  const documents = new LinkFlagsDocuments();

  const run = (title: string, method: string, needsTrust: boolean) => async (explicit?: BuildProjectInfo) => {
    if (needsTrust && !trusted()) {
      return undefined;
    }
    try {
      const project = explicit ?? (await pickProject(client));
      if (!project) {
        return undefined;
      }
      const response = await withServerProgress<BuildResponse>(client, `resty-build: ${title}`, method, { dir: project.dir, ...settings() });
      show(channel, `${title} (${vscode.workspace.asRelativePath(project.dir)})`, response);
      return response;
    } catch (e) {
      await reportFailure(channel, title, e);
      return undefined;
    }
  };

  const fetchFlags = async (explicit?: BuildProjectInfo): Promise<{ project: BuildProjectInfo; flags: LinkFlagsResponse } | undefined> => {
    const project = explicit ?? (await pickProject(client));
    if (!project) {
      return undefined;
    }
    const flags = await client.sendRequest<LinkFlagsResponse>(BuildMethods.linkFlags, { dir: project.dir, ...settings() });
    documents.lastLine = flags.configureLine;
    return { project, flags };
  };

  return [
    channel,
    vscode.workspace.registerTextDocumentContentProvider(SCHEME, documents),
    vscode.commands.registerCommand('restyBuild.compileBytecode', run('compile bytecode', BuildMethods.compile, true)),
    vscode.commands.registerCommand('restyBuild.verifyEmbedding', run('verify embedding', BuildMethods.verify, true)),
    vscode.commands.registerCommand('restyBuild.previewLinkFlags', async (explicit?: BuildProjectInfo) => {
      try {
        const got = await fetchFlags(explicit);
        if (!got) {
          return;
        }
        const uri = vscode.Uri.from({ scheme: SCHEME, path: `/link-flags/${path.basename(got.project.dir)}.sh` });
        documents.set(uri, got.flags.preview);
        const doc = await vscode.workspace.openTextDocument(uri);
        await vscode.languages.setTextDocumentLanguage(doc, 'shellscript');
        await vscode.window.showTextDocument(doc, { preview: true });
      } catch (e) {
        await reportFailure(channel, 'link flags', e);
      }
    }),
    vscode.commands.registerCommand('restyBuild.copyLinkFlags', async (explicit?: BuildProjectInfo) => {
      try {
        const line = explicit || !documents.lastLine ? (await fetchFlags(explicit))?.flags.configureLine : documents.lastLine;
        if (line !== undefined) {
          await vscode.env.clipboard.writeText(line);
          void vscode.window.showInformationMessage('resty-build: nginx ./configure flags copied.');
        }
      } catch (e) {
        await reportFailure(channel, 'link flags', e);
      }
    }),
  ];
}
