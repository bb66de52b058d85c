import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import { LanguageClient, RequestType, WorkDoneProgress } from 'vscode-languageclient/node';
import {
  AuditNginxRequest,
  AuditParams,
  BuildParams,
  BuildProjectInfo,
  BuildProjectsRequest,
  BuildResponse,
  CompileRequest,
  LinkFlagsRequest,
  LinkFlagsResponse,
  VerifyRequest,
} from '../../server/src/protocol/protocol';
import { Config } from './config';
import { BuildOutcome } from './embedStatus';
import { LinkFlagsFiles } from './linkFlagsFiles';
import { isInside, projectLabel } from './projects';

/** Where build results go besides the output channel: the status bar. */
export interface BuildListener {
  buildStarted(title: string): void;
  buildFinished(outcome: BuildOutcome | undefined): void;
}

/** The project to build: the one holding the active file, the only one, or the user's pick. */
async function pickProject(client: LanguageClient): Promise<BuildProjectInfo | undefined> {
  const projects = await client.sendRequest(BuildProjectsRequest.type);
  if (projects.length === 0) {
    void vscode.window.showWarningMessage('resty-build: no resty-build.json in this workspace; the build commands need one listing the modules to embed.');
    return undefined;
  }
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active?.scheme === 'file') {
    const owner = projects
      .filter((p) => isInside(p.dir, active.fsPath))
      .sort((a, b) => b.dir.length - a.dir.length)[0];
    if (owner) {
      return owner;
    }
  }
  if (projects.length === 1) {
    return projects[0];
  }
  const picked = await vscode.window.showQuickPick(
    projects.map((p) => ({ label: projectLabel(p.dir), description: p.manifest, project: p })),
    { placeHolder: 'Which resty-build project?' },
  );
  return picked?.project;
}

/** Sends a build request under a cancellable progress notification fed by the server's work-done progress. */
function withServerProgress<P extends BuildParams, R>(client: LanguageClient, title: string, type: RequestType<P, R, void>, params: P): Thenable<R> {
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
      return await client.sendRequest(type, { ...params, workDoneToken }, token);
    } finally {
      listener.dispose();
    }
  });
}

export const UNTRUSTED_WARNING =
  'resty-build: this workspace is not trusted. Compile and verify run the programs its resty-build.json names (luajit, a C compiler), so they are off until you trust it; the analysis works either way.';

function trusted(): boolean {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showErrorMessage(UNTRUSTED_WARNING, 'Manage Workspace Trust').then((choice) => {
      if (choice) {
        void vscode.commands.executeCommand('workbench.trust.manage');
      }
    });
    return false;
  }
  return true;
}

function show(channel: vscode.OutputChannel, config: Config, title: string, response: BuildResponse): void {
  channel.appendLine(`== ${title}: ${response.summary}`);
  for (const line of response.lines) {
    channel.appendLine(line);
  }
  const reveal = config.revealBuildOutput;
  if (reveal === 'always' || (reveal === 'onError' && response.errors > 0 && !response.cancelled)) {
    channel.show(true);
  }
  if (response.cancelled) {
    channel.appendLine('cancelled');
  } else if (response.errors > 0) {
    void vscode.window.showErrorMessage(`resty-build: ${title}: ${response.summary}; ${response.errors} error${response.errors === 1 ? '' : 's'} (see Problems and the "resty-build Build" output).`);
  } else {
    void vscode.window.showInformationMessage(`resty-build: ${title}: ${response.summary}`);
  }
}

function reportFailure(channel: vscode.OutputChannel, title: string, e: unknown): void {
  const message = e instanceof Error ? e.message : String(e);
  channel.appendLine(`== ${title} failed: ${message}`);
  // Not awaited: the promise settles only when the user closes the message.
  void vscode.window.showErrorMessage(`resty-build: ${title} failed: ${message}`, 'Show Output').then((choice) => {
    if (choice) {
      channel.show(true);
    }
  });
}

export const NO_NGINX_PATH =
  'resty-build: Audit Built nginx needs the nginx to audit: set restyBuild.nginxPath (a user setting) to the binary you built, e.g. /usr/local/nginx/sbin/nginx.';

/** Registers compile, preview/copy link flags, verify and the audit; returns what to dispose. */
export function registerBuildCommands(client: LanguageClient, config: Config, listener: BuildListener): vscode.Disposable[] {
  const channel = vscode.window.createOutputChannel('resty-build Build');
  const previews = new LinkFlagsFiles();
  const settings = (): Pick<BuildParams, 'luajitPath' | 'cc'> => ({ luajitPath: config.luajitPath, cc: config.cc });

  // They run programs the workspace names (or a binary it built), so they need trust (the server checks too).
  const run = <P extends BuildParams, R extends BuildResponse>(title: string, label: string, type: RequestType<P, R, void>, paramsFor: (dir: string) => P) => async (explicit?: BuildProjectInfo) => {
    if (!trusted()) {
      return undefined;
    }
    let outcome: BuildOutcome | undefined;
    try {
      const project = explicit ?? (await pickProject(client));
      if (!project) {
        return undefined;
      }
      listener.buildStarted(label);
      const response = await withServerProgress(client, `resty-build: ${title}`, type, paramsFor(project.dir));
      show(channel, config, `${title} (${projectLabel(project.dir)})`, response);
      outcome = { title: label, summary: response.summary, errors: response.errors, cancelled: response.cancelled, at: new Date() };
      return response;
    } catch (e) {
      outcome = { title: label, summary: e instanceof Error ? e.message : String(e), errors: 1, cancelled: false, at: new Date() };
      reportFailure(channel, title, e);
      return undefined;
    } finally {
      listener.buildFinished(outcome);
    }
  };

  const fetchFlags = async (explicit?: BuildProjectInfo): Promise<{ project: BuildProjectInfo; flags: LinkFlagsResponse } | undefined> => {
    const project = explicit ?? (await pickProject(client));
    if (!project) {
      return undefined;
    }
    const flags = await client.sendRequest(LinkFlagsRequest.type, { dir: project.dir, ...settings() });
    return { project, flags };
  };

  return [
    channel,
    previews.register(),
    vscode.commands.registerCommand('restyBuild.compileBytecode', run('compile bytecode', 'compile', CompileRequest.type, (dir) => ({ dir, ...settings() }))),
    vscode.commands.registerCommand('restyBuild.verifyEmbedding', run('verify embedding', 'verify', VerifyRequest.type, (dir) => ({ dir, ...settings() }))),
    vscode.commands.registerCommand('restyBuild.auditNginx', async (explicit?: BuildProjectInfo) => {
      const nginxPath = config.nginxPath;
      if (!trusted()) {
        return undefined;
      }
      if (!nginxPath) {
        void vscode.window.showErrorMessage(NO_NGINX_PATH, 'Open Settings').then((choice) => {
          if (choice) {
            void vscode.commands.executeCommand('workbench.action.openSettings', 'restyBuild.nginxPath');
          }
        });
        return undefined;
      }
      return run('audit nginx', 'audit', AuditNginxRequest.type, (dir): AuditParams => ({ dir, ...settings(), nginxPath }))(explicit);
    }),
    vscode.commands.registerCommand('restyBuild.showBuildOutput', () => channel.show(true)),
    vscode.commands.registerCommand('restyBuild.previewLinkFlags', async (explicit?: BuildProjectInfo) => {
      try {
        const got = await fetchFlags(explicit);
        if (!got) {
          return;
        }
        const uri = LinkFlagsFiles.uriFor(got.project.dir);
        previews.set(uri, got.flags);
        const doc = await vscode.workspace.openTextDocument(uri);
        await vscode.languages.setTextDocumentLanguage(doc, 'shellscript');
        await vscode.window.showTextDocument(doc, { preview: true });
      } catch (e) {
        reportFailure(channel, 'link flags', e);
      }
    }),
    // From the preview's title bar the argument is the preview's URI: copy what it shows. From the
    // palette: what the active preview shows, else the flags of the active file's project.
    vscode.commands.registerCommand('restyBuild.copyLinkFlags', async (target?: BuildProjectInfo | vscode.Uri) => {
      try {
        const preview = target instanceof vscode.Uri ? target : target ? undefined : vscode.window.activeTextEditor?.document.uri;
        const shown = preview ? previews.configureLineOf(preview) : undefined;
        const explicit = target instanceof vscode.Uri ? undefined : target;
        const line = shown ?? (await fetchFlags(explicit))?.flags.configureLine;
        if (line !== undefined) {
          await vscode.env.clipboard.writeText(line);
          void vscode.window.showInformationMessage('resty-build: nginx ./configure flags copied.');
        }
      } catch (e) {
        reportFailure(channel, 'link flags', e);
      }
    }),
  ];
}
