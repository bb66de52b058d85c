import * as path from 'node:path';
import {
  CodeActionKind,
  createConnection,
  DidChangeWatchedFilesNotification,
  InitializeParams,
  InitializeResult,
  MessageReader,
  ProposedFeatures,
  ServerCapabilities,
  TextDocuments,
  TextDocumentSyncKind,
} from './lsp';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { checkedFiles } from './core/checks/fileChecks';
import { NodeFileSystem } from './core/nodeFileSystem';
import { MANIFEST_NAME } from './core/manifest/manifest';
import { Lua52Detector } from './core/resolve/project';
import { changedClosureFiles } from './core/workspace/closureState';
import { Workspace } from './core/workspace/workspace';
import { detectLua52Compat } from './toolchain/luajitDialect';
import { pathToUri, uriToPath } from './convert';
import { DiagnosticsPublisher } from './features/diagnostics';
import { analyseAllFiles, AnalysisStats, buildIdentity, saveStore } from './initialAnalysis';
import { AnalysisPool } from './analysisPool';
import { FactsStore } from './factsStore';
import { moduleMapFor } from './features/moduleMap';
import { ModuleMapChanges } from './features/moduleMapChanges';
import { registerBuildCommands } from './features/buildCommands';
import { BuildDiagnostics } from './features/buildDiagnostics';
import { requestRegistrar } from './features/requestGuard';
import { inferManifestParams, invalidParams, moduleMapParams } from './features/requestParams';
import { registerLanguageRequests } from './features/languageRequests';
import { inferManifest } from './core/manifest/manifestInference';
import { InferManifestRequest, ModuleMapChangedNotification, ModuleMapRequest, StatusNotification, TestFaultRequest } from './protocol/protocol';
import * as fs from 'node:fs';
import { WILL_RENAME_FILTERS } from './features/moduleMoves';
import { LspHeaderGuard } from './lspHeaderGuard';
import { DirectMessageWriter } from './directWriter';

// The transport (--stdio, --node-ipc, --socket=N) comes from the command line; over stdio
// the framing of every message is checked first (lspHeaderGuard.ts).
const connection = process.argv.includes('--stdio') ? guardedStdioConnection() : createConnection(ProposedFeatures.all);

function guardedStdioConnection() {
  const input = new LspHeaderGuard();
  input.on('error', (err: Error) => {
    // The client restarts a server that exits with an error; one that stays silent it waits on for ever.
    process.stderr.write(`[resty-build] the client sent ${err.message}; the message stream cannot be read any further, exiting.\n`);
    process.exit(1);
  });
  process.stdin.pipe(input);
  // Given a stream, the library exits when it ends, as for --stdio; console output must not reach stdout.
  // The input is that stream (the library reads it); the output is written directly (directWriter.ts).
  const conn = createConnection(ProposedFeatures.all, input as unknown as MessageReader, new DirectMessageWriter(process.stdout));
  for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    // Redirected, not used: a stray console.log from a dependency would corrupt the protocol on stdout.
    // eslint-disable-next-line no-console
    console[level] = (...args: unknown[]) => conn.console.log(args.map(String).join(' '));
  }
  return conn;
}
// A promise nobody awaited that fails (a notification to a client gone away, say) is logged; node would
// otherwise end the process, and the editor would lose its server over something nobody waits for.
process.on('unhandledRejection', (reason) => {
  connection.console.error(`[resty-build] a background task failed: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`);
});
const documents = new TextDocuments(TextDocument);
// Build findings (compile errors, verify failures) are merged into what the publisher sends.
const buildDiagnostics = new BuildDiagnostics((file) => workspace?.readText(file));
const publisher = new DiagnosticsPublisher(buildDiagnostics.wrap(connection));
let workspace: Workspace | undefined;
// Until the client says otherwise: clients that know nothing of trust (other editors) are trusted.
let trusted = true;
// Every request goes through it: logged with context and answered when it fails, never a crash.
const onRequest = requestRegistrar(connection, (message) => connection.console.error(`[resty-build] ${message}`));
registerBuildCommands(connection, onRequest, () => workspace, buildDiagnostics, { trusted: () => trusted });
registerLanguageRequests(connection, onRequest, () => workspace);
let roots: string[] = [];
let canRegisterWatchers = false;
// The module view re-reads a project's map when this says it changed.
const moduleMapChanges = new ModuleMapChanges(
  (params) => void connection.sendNotification(ModuleMapChangedNotification.type, params),
  (err) => connection.console.error(`[resty-build] comparing module maps failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`),
);

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

const CAPABILITIES: ServerCapabilities = {
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
};

function readInitializeParams(params: InitializeParams): void {
  const folders = params.workspaceFolders?.map((f) => uriToPath(f.uri)) ?? [];
  roots = folders.filter((f): f is string => f !== undefined);
  if (roots.length === 0 && params.rootUri) {
    const root = uriToPath(params.rootUri);
    if (root) {
      roots = [root];
    }
  }
  canRegisterWatchers = params.capabilities?.workspace?.didChangeWatchedFiles?.dynamicRegistration === true;
  const options = (params.initializationOptions ?? {}) as { storageDir?: unknown; factsCache?: unknown; trusted?: unknown };
  storageDir = typeof options.storageDir === 'string' ? options.storageDir : undefined;
  useStore = options.factsCache !== false && process.env.RESTY_BUILD_NO_FACTS_CACHE !== '1';
  trusted = options.trusted !== false;
}

connection.onInitialize((params: InitializeParams): InitializeResult => {
  // Odd params cost the folders or the options read from them, never the session.
  guarded('reading the initialize params', undefined, () => readInitializeParams(params));
  if (process.env.RESTY_BUILD_TEST_FAULTS === '1') {
    // Tests only: a request whose handler fails, to prove a failing handler never takes the server down.
    onRequest(
      TestFaultRequest.type,
      'test fault',
      () => {
        // And one failure nothing waits for.
        void Promise.reject(new Error('injected background fault'));
        throw new Error('injected fault');
      },
      { fallback: null },
    );
  }
  // The worker threads load their code while the answer goes to the client and the initialized notification comes back.
  startingPool = roots.length > 0 ? AnalysisPool.create() : undefined;
  return { capabilities: CAPABILITIES, serverInfo: { name: 'resty-build', version: '0.1.0' } };
});

let startingPool: AnalysisPool | undefined;

let ready = false;
let storageDir: string | undefined;
let useStore = true;

/**
 * The initial analysis: facts for every file (stored, worker threads, main
 * thread), then the closures, then every diagnostic published at once.
 */
async function analyseWorkspace(ws: Workspace, pool: AnalysisPool | undefined, store: FactsStore | undefined): Promise<void> {
  const started = Date.now();
  const phase = (what: string) => process.env.RESTY_BUILD_PROFILE && log(`${what}: ${Date.now() - started} ms`);
  let stats: AnalysisStats = { reused: 0, byWorkers: 0, outside: [] };
  try {
    if (process.env.RESTY_BUILD_TEST_FAULTS === 'analysis') {
      // Tests only: the initial analysis fails, to prove the server then serves every file's findings anyway.
      throw new Error('injected analysis fault');
    }
    stats = await analyseAllFiles(ws, { store, pool, current: () => ws === workspace, phase, log });
  } catch (err) {
    // Serve what can be served: every file's findings, each file analysed when asked, rather than
    // the early findings of open files (which leave unresolved requires out) for good.
    connection.console.error(`[resty-build] analysis failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    store = undefined;
  }
  if (ws !== workspace) {
    return;
  }
  guarded('judging the closures', undefined, () => ws.closureState());
  phase('closure');
  guarded('publishing diagnostics', undefined, () => publisher.publishAll(ws, openFiles()));
  phase('published');
  ready = true;
  const files = ws.files().length;
  const told = connection.sendNotification(StatusNotification.type, {
    state: 'ready',
    files,
    filesWithFindings: publisher.fileCount(),
    reusedFacts: stats.reused,
    parsedByWorkers: stats.byWorkers,
    durationMs: Date.now() - started,
  });
  // What the module map view diffs later edits against: read once the client has heard the workspace is ready.
  moduleMapChanges.resetWhen(told, ws);
  const notAnalysed = ws.undecodableNames().filter((u) => u.kind === 'lua').length;
  const apart = notAnalysed > 0 ? `, ${notAnalysed} more not analysed (name not UTF-8)` : '';
  log(`analysed ${files} Lua files (${stats.reused} from stored facts, ${stats.byWorkers} by worker threads${apart}) in ${roots.join(', ') || '(no folder)'} in ${Date.now() - started} ms`);
  // The diagnostics and the status are only queued so far: the store is written once they are out.
  pendingSave = () => guarded('saving stored facts', undefined, () => saveStore(ws, store, stats));
  void told.then(savePending, savePending);
}

/** The store's write after the initial analysis: once its messages are written, or at shutdown if that comes first. */
let pendingSave: (() => void) | undefined;

function savePending(): void {
  const save = pendingSave;
  pendingSave = undefined;
  save?.();
}

connection.onShutdown(savePending);

connection.onInitialized(() => {
  if (canRegisterWatchers) {
    void connection.client.register(DidChangeWatchedFilesNotification.type, {
      watchers: [{ globPattern: '**/*.lua' }, { globPattern: `**/${MANIFEST_NAME}` }, { globPattern: '**/*.conf' }, { globPattern: '**/*.nginx' }],
    });
  }
  const walkStarted = Date.now();
  // Started at initialize; they go on loading their code while the folders are walked.
  const pool = startingPool;
  startingPool = undefined;
  // Require cycles are found again when typing pauses (scheduleCycleCheck), not on every keystroke.
  // The walk asks the stored facts before it reads a file to tell a luakit script.
  const store = useStore && roots.length > 0 ? FactsStore.forRoots(roots, buildIdentity(), storageDir) : undefined;
  const ws = new Workspace(new NodeFileSystem(), {
    roots,
    env: process.env,
    deferCycles: true,
    detectLua52: lua52Detector(),
    storedFacts: store?.lookup,
  });
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
  // The files the client opened with the folder get their early findings before the analysis takes the
  // thread: their didOpen is in the pipe by now (sent right after initialized, while the folders were
  // walked), and the connection handles one message per turn of the event loop; the client's answer to
  // the watcher registration may come first.
  afterTurns(3, () => void analyseWorkspace(ws, pool, store));
});

function afterTurns(turns: number, run: () => void): void {
  setImmediate(() => (turns > 1 ? afterTurns(turns - 1, run) : run()));
}

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
    moduleMapChanges.schedule(ws);
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
      if (!checkedFiles(ws).includes(file)) {
        publisher.clear(file);
      }
    });
  }
});

connection.onDidChangeWatchedFiles(() => {
  const ws = workspace;
  if (!ws) {
    return;
  }
  guarded('re-reading the workspace', undefined, () => {
    ws.refresh();
    // Before the initial analysis has published, it reads the tree as it is then.
    if (ready) {
      publisher.publishAll(ws, openFiles());
      moduleMapChanges.schedule(ws);
    }
  });
});

/** Only a trusted workspace may have its LuaJIT run to learn the dialect; else the manifest says, or plain LuaJIT. */
function lua52Detector(): Lua52Detector | undefined {
  return trusted ? (command, cwd) => detectLua52Compat(command, cwd) : undefined;
}

/** A workspace for a request that comes before the initial analysis: the folders as they are on disk. */
function workspaceNow(): Workspace {
  return workspace ?? new Workspace(new NodeFileSystem(), { roots, env: process.env, detectLua52: lua52Detector() });
}

onRequest(ModuleMapRequest.type, 'module map', (raw) => moduleMapFor(workspaceNow(), moduleMapParams(raw)));

onRequest(InferManifestRequest.type, 'manifest inference', (raw) => {
  const { folderUri } = inferManifestParams(raw);
  const folder = uriToPath(folderUri) ?? roots[0];
  if (folder === undefined) {
    throw invalidParams(InferManifestRequest.method, `a folder's file URI (${folderUri} is none, and the workspace has no folder)`);
  }
  const { file, text } = inferManifest(workspaceNow(), folder);
  return { uri: pathToUri(file), text, exists: fs.existsSync(file) };
});

documents.listen(connection);
connection.listen();
