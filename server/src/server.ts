import * as path from 'node:path';
import {
  CodeActionKind,
  createConnection,
  DidChangeWatchedFilesNotification,
  InitializeParams,
  InitializeResult,
  MessageType,
  ProposedFeatures,
  ShowMessageNotification,
  TextDocuments,
  TextDocumentSyncKind,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { NodeFileSystem } from './core/fs';
import { MANIFEST_NAME } from './core/manifest/manifest';
import { changedClosureFiles, Workspace } from './core/workspace/workspace';
import { pathToUri, uriToPath } from './convert';
import { DiagnosticsPublisher } from './features/diagnostics';
import { analyseAllFiles, buildIdentity, saveStore } from './features/initialAnalysis';
import { AnalysisPool } from './analysisPool';
import { FactsStore } from './factsStore';
import { findCodeActions } from './features/codeActions';
import { moduleMapFor } from './features/moduleMap';
import { BuildDiagnostics, registerBuildCommands } from './features/buildCommands';
import { findDefinition, findDocumentLinks } from './features/navigation';
import { inferManifest } from './core/manifest/manifestInference';
import { InferManifestRequest, ModuleMapRequest, StatusNotification } from './protocol/protocol';
import * as fs from 'node:fs';
import { findHover } from './features/hover';
import { findCompletions } from './features/completion';
import { findReferenceLocations } from './features/references';
import { findDocumentSymbols, findWorkspaceSymbols } from './features/symbols';
import { findSignatureHelp } from './features/signatureHelp';
import { editForRenamedFiles, WILL_RENAME_FILTERS } from './features/moduleMoves';

// The transport (--stdio, --node-ipc, --socket=N) comes from the command line.
const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);
// Build findings (compile errors, verify failures) are merged into what the publisher sends.
const buildDiagnostics = new BuildDiagnostics((file) => workspace?.readText(file));
const publisher = new DiagnosticsPublisher(buildDiagnostics.wrap(connection));
let workspace: Workspace | undefined;
// Until the client says otherwise: clients that know nothing of trust (other editors) are trusted.
let trusted = true;
registerBuildCommands(connection, () => workspace, buildDiagnostics, { trusted: () => trusted });
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
  const options = (params.initializationOptions ?? {}) as { storageDir?: unknown; factsCache?: unknown };
  storageDir = typeof options.storageDir === 'string' ? options.storageDir : undefined;
  useStore = options.factsCache !== false && process.env.RESTY_BUILD_NO_FACTS_CACHE !== '1';
  trusted = (params.initializationOptions as { trusted?: unknown } | undefined)?.trusted !== false;
  if (process.env.RESTY_BUILD_TEST_FAULTS === '1') {
    // Tests only: a request whose handler fails, to prove a failing handler never takes the server down.
    connection.onRequest('resty-build/test/fault', () => guarded('test fault', null, () => {
      throw new Error('injected fault');
    }));
  }
  return {
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      definitionProvider: true,
      codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
      documentLinkProvider: { resolveProvider: false },
      hoverProvider: true,
      completionProvider: { triggerCharacters: ['.', ':', '"', "'"] },
      referencesProvider: true,
      documentSymbolProvider: true,
      workspaceSymbolProvider: true,
      signatureHelpProvider: { triggerCharacters: ['(', ','] },
      workspace: { workspaceFolders: { supported: true }, fileOperations: { willRename: WILL_RENAME_FILTERS } },
    },
    serverInfo: { name: 'resty-build', version: '0.1.0' },
  };
});

let ready = false;
let storageDir: string | undefined;
let useStore = true;

/**
 * The initial analysis: facts for every file (stored, worker threads, main
 * thread), then the closures, then every diagnostic published at once.
 */
async function analyseWorkspace(ws: Workspace, pool?: AnalysisPool): Promise<void> {
  const started = Date.now();
  const phase = (what: string) => process.env.RESTY_BUILD_PROFILE && log(`${what}: ${Date.now() - started} ms`);
  const files = ws.files();
  const store = useStore && roots.length > 0 ? FactsStore.forRoots(roots, buildIdentity(), storageDir) : undefined;
  const stats = await analyseAllFiles(ws, { store, pool, current: () => ws === workspace, phase, log });
  if (ws !== workspace) {
    return;
  }
  ws.closureState();
  phase('closure');
  guarded('publishing diagnostics', undefined, () => publisher.publishAll(ws, openFiles()));
  phase('published');
  ready = true;
  const filesWithFindings = publisher.fileCount();
  void connection.sendNotification(StatusNotification.type, {
    state: 'ready',
    files: files.length,
    filesWithFindings,
    reusedFacts: stats.reused,
    parsedByWorkers: stats.byWorkers,
    durationMs: Date.now() - started,
  });
  log(`analysed ${files.length} Lua files (${stats.reused} from stored facts, ${stats.byWorkers} by worker threads) in ${roots.join(', ') || '(no folder)'} in ${Date.now() - started} ms`);
  guarded('saving stored facts', undefined, () => saveStore(ws, store));
}

connection.onInitialized(() => {
  if (canRegisterWatchers) {
    void connection.client.register(DidChangeWatchedFilesNotification.type, {
      watchers: [{ globPattern: '**/*.lua' }, { globPattern: `**/${MANIFEST_NAME}` }, { globPattern: '**/*.conf' }, { globPattern: '**/*.nginx' }],
    });
  }
  const walkStarted = Date.now();
  // The worker threads start (and load their code) while the folders are walked.
  const pool = roots.length > 0 ? AnalysisPool.create() : undefined;
  // Require cycles are found again when typing pauses (scheduleCycleCheck), not on every keystroke.
  const ws = new Workspace(new NodeFileSystem(), { roots, env: process.env, deferCycles: true });
  workspace = ws;
  if (process.env.RESTY_BUILD_PROFILE) {
    log(`walked ${ws.files().length} files in ${Date.now() - walkStarted} ms (${Math.round(process.uptime() * 1000)} ms since the process started)`);
  }
  for (const doc of documents.all()) {
    const file = uriToPath(doc.uri);
    if (file) {
      ws.setDocument(file, doc.getText());
      publisher.publishFile(ws, file, true);
    }
  }
  analyseWorkspace(ws, pool).catch((err) => connection.console.error(`[resty-build] analysis failed: ${String(err)}`));
});

function onDocument(doc: TextDocument): void {
  const file = uriToPath(doc.uri);
  if (!file || !workspace) {
    return;
  }
  const ws = workspace;
  guarded(`analysing ${file}`, undefined, () => {
    // A file inside an embed closure (before or after the edit) can change other files' findings.
    if (!ready) {
      ws.setDocument(file, doc.getText());
      publisher.publishFile(ws, file, true);
      return;
    }
    if (path.basename(file) === MANIFEST_NAME || !file.endsWith('.lua')) {
      ws.setDocument(file, doc.getText());
      publisher.publishAll(ws, openFiles());
      return;
    }
    // Work proportional to the edit: the file itself, and the files whose closure findings it changed.
    const before = ws.closureState();
    ws.setDocument(file, doc.getText());
    const after = ws.closureState();
    publisher.publishFile(ws, file);
    for (const other of changedClosureFiles(before, after)) {
      if (other !== file) {
        publisher.publishFile(ws, other);
      }
    }
    scheduleCycleCheck(ws);
  });
}

/** How long typing must pause before the workspace-wide cycle search runs again. */
const CYCLE_CHECK_DELAY_MS = 200;
let cycleTimer: NodeJS.Timeout | undefined;

function scheduleCycleCheck(ws: Workspace): void {
  if (cycleTimer) {
    clearTimeout(cycleTimer);
  }
  cycleTimer = setTimeout(() => {
    cycleTimer = undefined;
    guarded('finding require cycles', undefined, () => {
      for (const file of ws.refreshStaleCycles()) {
        publisher.publishFile(ws, file);
      }
    });
  }, CYCLE_CHECK_DELAY_MS);
}

// onDidChangeContent also fires when a document opens.
documents.onDidChangeContent((e) => onDocument(e.document));
documents.onDidClose((e) => {
  const file = uriToPath(e.document.uri);
  if (file && workspace) {
    const ws = workspace;
    guarded(`closing ${file}`, undefined, () => {
      ws.closeDocument(file);
      if (!ws.checkedFiles().includes(file)) {
        publisher.clear(file);
      }
    });
  }
});

connection.onDidChangeWatchedFiles(() => {
  if (!workspace || !ready) {
    // The initial analysis reads the tree as it is when it publishes.
    workspace?.refresh();
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

connection.onHover((params) => {
  const file = uriToPath(params.textDocument.uri);
  const ws = workspace;
  return file && ws ? guarded('hover', null, () => findHover(ws, file, params.position)) : null;
});

connection.onCompletion((params) => {
  const file = uriToPath(params.textDocument.uri);
  const ws = workspace;
  return file && ws ? guarded('completion', [], () => findCompletions(ws, file, params.position)) : [];
});

connection.onReferences((params) => {
  const file = uriToPath(params.textDocument.uri);
  const ws = workspace;
  return file && ws ? guarded('references', [], () => findReferenceLocations(ws, file, params.position, params.context.includeDeclaration)) : [];
});

connection.onDocumentSymbol((params) => {
  const file = uriToPath(params.textDocument.uri);
  const ws = workspace;
  return file && ws ? guarded('document symbols', [], () => findDocumentSymbols(ws, file)) : [];
});

connection.onWorkspaceSymbol((params) => {
  const ws = workspace;
  return ws ? guarded('workspace symbols', [], () => findWorkspaceSymbols(ws, params.query)) : [];
});

connection.onSignatureHelp((params) => {
  const file = uriToPath(params.textDocument.uri);
  const ws = workspace;
  return file && ws ? guarded('signature help', null, () => findSignatureHelp(ws, file, params.position)) : null;
});

connection.workspace.onWillRenameFiles((params) => {
  const ws = workspace;
  const answer = ws ? guarded('updating requires for a move', { edit: null }, () => editForRenamedFiles(ws, params)) : { edit: null };
  if (answer.refusal) {
    // A notification (window/showMessage), not a request: there is nothing to choose, and no answer to wait for.
    void connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Warning, message: answer.refusal });
  }
  return answer.edit;
});

connection.onCodeAction((params) => {
  const file = uriToPath(params.textDocument.uri);
  if (!file || !workspace) {
    return [];
  }
  const ws = workspace;
  return guarded('code actions', [], () => findCodeActions(ws, file, params.context.diagnostics));
});

connection.onRequest(ModuleMapRequest.type, (params) => {
  const ws = workspace;
  if (!ws) {
    return moduleMapFor(new Workspace(new NodeFileSystem(), { roots, env: process.env }), params);
  }
  return moduleMapFor(ws, params);
});

connection.onRequest(InferManifestRequest.type, (params) => {
  const folder = uriToPath(params.folderUri) ?? roots[0];
  const ws = workspace ?? new Workspace(new NodeFileSystem(), { roots, env: process.env });
  const { file, text } = inferManifest(ws, folder);
  return { uri: pathToUri(file), text, exists: fs.existsSync(file) };
});

documents.listen(connection);
connection.listen();
