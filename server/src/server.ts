import * as path from 'node:path';
import {
  createConnection,
  DidChangeWatchedFilesNotification,
  InitializeParams,
  InitializeResult,
  ProposedFeatures,
  TextDocuments,
  TextDocumentSyncKind,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { NodeFileSystem } from './core/fs';
import { MANIFEST_NAME } from './core/manifest';
import { Workspace } from './core/workspace';
import { uriToPath } from './convert';
import { DiagnosticsPublisher } from './features/diagnostics';
import { BuildDiagnostics, registerBuildCommands } from './features/buildCommands';
import { findDefinition, findDocumentLinks } from './features/navigation';

// The transport (--stdio, --node-ipc, --socket=N) comes from the command line.
const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);
// Build findings (compile errors, verify failures) are merged into what the publisher sends.
const buildDiagnostics = new BuildDiagnostics((file) => workspace?.readText(file));
const publisher = new DiagnosticsPublisher(buildDiagnostics.wrap(connection));
let workspace: Workspace | undefined;
registerBuildCommands(connection, () => workspace, buildDiagnostics);
let roots: string[] = [];
let canRegisterWatchers = false;

function log(message: string): void {
  connection.console.log(`[resty-build] ${message}`);
}

/** Runs a handler; a failure is logged with context and answered with nothing, never a crash. */
function guarded<T>(what: string, fallback: T, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    connection.console.error(`[resty-build] ${what} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return fallback;
  }
}

function openFiles(): string[] {
  return documents
    .all()
    .map((d) => uriToPath(d.uri))
    .filter((f): f is string => f !== undefined);
}

connection.onInitialize((params: InitializeParams): InitializeResult => {
  const folders = params.workspaceFolders?.map((f) => uriToPath(f.uri)) ?? [];
  roots = folders.filter((f): f is string => f !== undefined);
  if (roots.length === 0 && params.rootUri) {
    const root = uriToPath(params.rootUri);
    if (root) {
      roots = [root];
    }
  }
  canRegisterWatchers = params.capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration === true;
  return {
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      definitionProvider: true,
      documentLinkProvider: { resolveProvider: false },
      workspace: { workspaceFolders: { supported: true } },
    },
    serverInfo: { name: 'resty-build', version: '0.1.0' },
  };
});

connection.onInitialized(() => {
  if (canRegisterWatchers) {
    void connection.client.register(DidChangeWatchedFilesNotification.type, {
      watchers: [{ globPattern: '**/*.lua' }, { globPattern: `**/${MANIFEST_NAME}` }, { globPattern: '**/*.conf' }],
    });
  }
  const started = Date.now();
  workspace = new Workspace(new NodeFileSystem(), { roots, env: process.env });
  for (const doc of documents.all()) {
    const file = uriToPath(doc.uri);
    if (file) {
      workspace.setDocument(file, doc.getText());
    }
  }
  guarded('publishing diagnostics', undefined, () => publisher.publishAll(workspace!, openFiles()));
  log(`analysed ${workspace.files().length} Lua files in ${roots.join(', ') || '(no folder)'} in ${Date.now() - started} ms`);
});

function onDocument(doc: TextDocument): void {
  const file = uriToPath(doc.uri);
  if (!file || !workspace) {
    return;
  }
  const ws = workspace;
  guarded(`analysing ${file}`, undefined, () => {
    ws.setDocument(file, doc.getText());
    if (path.basename(file) === MANIFEST_NAME) {
      publisher.publishAll(ws, openFiles());
    } else {
      publisher.publishFile(ws, file, false);
    }
  });
}

// onDidChangeContent also fires when a document opens.
documents.onDidChangeContent((e) => onDocument(e.document));
documents.onDidClose((e) => {
  const file = uriToPath(e.document.uri);
  if (file && workspace) {
    const ws = workspace;
    guarded(`closing ${file}`, undefined, () => {
      ws.closeDocument(file);
      if (!ws.files().includes(file)) {
        void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
      }
    });
  }
});

connection.onDidChangeWatchedFiles(() => {
  if (!workspace) {
    return;
  }
  const ws = workspace;
  guarded('re-reading the workspace', undefined, () => {
    ws.refresh();
    publisher.publishAll(ws, openFiles());
  });
});

connection.onDefinition((params) => {
  const file = uriToPath(params.textDocument.uri);
  if (!file || !workspace) {
    return null;
  }
  const ws = workspace;
  return guarded('definition', null, () => findDefinition(ws, file, params.position) ?? null);
});

connection.onDocumentLinks((params) => {
  const file = uriToPath(params.textDocument.uri);
  if (!file || !workspace) {
    return [];
  }
  const ws = workspace;
  return guarded('document links', [], () => findDocumentLinks(ws, file));
});

documents.listen(connection);
connection.listen();
