import { NotificationType, NotificationType0, Range, RequestType, RequestType0, WorkDoneProgressParams } from 'vscode-languageserver-protocol';

/**
 * Every custom request and notification between the extension and the
 * server, declared once here: a namespace per message with its `method` and
 * its typed `type`, and the parameter and result types. The client bundles
 * this file, so it imports only the protocol library, nothing of the server.
 */

export interface ModuleMapParams {
  /** A document of the project; the first project with a manifest when absent. */
  uri?: string;
}

/** One module of the map: a mapping entry, or a module the embed closure reaches beyond them. */
export interface ModuleMapEntry {
  module: string;
  /** embedded, not-in-mapping, builtin, provided, native, unresolved, hyphen-name or error. */
  status: string;
  /** The `luaJIT_BC_` symbol `luajit -n <module>` writes. */
  symbol: string;
  /** The flattened source name builds use (`resty_core_base.lua`). */
  flatName: string;
  /** The Lua (or C) file, when it resolves to one. */
  fileUri: string | null;
  /** The object file in outDir. */
  objectUri: string;
  /** workspace, stdlib, path, explicit, builtin, provided or native; null when not found. */
  origin: string | null;
  /** Why the module will not be found in the binary (the findings about it). */
  reasons: { code: string; message: string }[];
  /** Where it enters the closure: its embed entry, or the first require that names it (to open from the view). */
  namedAt: { uri: string; range: Range } | null;
}

export interface ModuleMapResult {
  /** Null when no project has a manifest. */
  manifestUri: string | null;
  markdown: string;
  /** One row per module: `module` and `status` first, then what a tree view shows. */
  modules: ModuleMapEntry[];
  /** Counts for the status bar. */
  embedded: number;
  problems: number;
}

/** The module map of the project holding `uri` (Markdown for the preview, rows for a tree view, counts for the status bar). */
export namespace ModuleMapRequest {
  export const method = 'resty-build/moduleMap';
  export const type = new RequestType<ModuleMapParams, ModuleMapResult, void>(method);
}

/**
 * Sent by the server when the module map may have changed (after the
 * analysis, a manifest or file change, or an edit that changed an embed
 * closure): a view showing it asks for it again.
 */
export namespace ModuleMapChangedNotification {
  export const method = 'resty-build/moduleMapChanged';
  export const type = new NotificationType0(method);
}

export interface InferManifestParams {
  /** The folder to write the manifest for. */
  folderUri: string;
}

export interface InferManifestResult {
  uri: string;
  text: string;
  exists: boolean;
}

/** The resty-build.json the analysis infers for a folder; the client writes it. */
export namespace InferManifestRequest {
  export const method = 'resty-build/inferManifest';
  export const type = new RequestType<InferManifestParams, InferManifestResult, void>(method);
}

/** Sent by the server when a full analysis finished and every diagnostic of it was published. */
export interface StatusParams {
  state: 'ready';
  /** Lua files analysed. */
  files: number;
  /** Files with at least one finding. */
  filesWithFindings: number;
  /** Files whose facts stored by an earlier run were still valid. */
  reusedFacts: number;
  /** Files parsed by worker threads. */
  parsedByWorkers: number;
  durationMs: number;
}

export namespace StatusNotification {
  export const method = 'resty-build/status';
  export const type = new NotificationType<StatusParams>(method);
}

export interface BuildProjectInfo {
  /** The folder holding resty-build.json. */
  dir: string;
  manifest: string;
}

/** The projects with a resty-build.json: what the build commands can build. */
export namespace BuildProjectsRequest {
  export const method = 'resty-build/buildProjects';
  export const type = new RequestType0<BuildProjectInfo[], void>(method);
}

/** What the build requests take; `workDoneToken` is a client-created token for work-done progress. */
export interface BuildParams extends WorkDoneProgressParams {
  /** The project folder (BuildProjectInfo.dir). */
  dir: string;
  /** The restyBuild.luajitPath setting (machine scope); overrides "luajit.compiler". */
  luajitPath?: string;
  /** The restyBuild.cc setting (machine scope): the C compiler verify links its probe with. */
  cc?: string;
  mode?: 'objects' | 'archive';
}

export interface BuildResponse {
  /** One line for a status message. */
  summary: string;
  /** Lines for the output channel (findings as path:line:col: severity code: message). */
  lines: string[];
  errors: number;
  cancelled: boolean;
}

export type CompileResponse = BuildResponse;

/** Compiles the embedded modules; cancellable, reports work-done progress, publishes the findings. */
export namespace CompileRequest {
  export const method = 'resty-build/compile';
  export const type = new RequestType<BuildParams, CompileResponse, void>(method);
}

export interface LinkFlagsResponse {
  configureArgs: string[];
  withLdOpt: string;
  objects: string[];
  warnings: { code: string; severity: 'warning' | 'info'; message: string }[];
  /** The arguments as one shell line (for the clipboard). */
  configureLine: string;
  /** `./configure \` with one option per line, warnings as comments (the preview document). */
  preview: string;
}

/** The nginx ./configure flags that link the objects (archive mode also builds the archive). */
export namespace LinkFlagsRequest {
  export const method = 'resty-build/linkFlags';
  export const type = new RequestType<BuildParams, LinkFlagsResponse, void>(method);
}

export type VerifyResponse = BuildResponse & { modules: { module: string; ok: boolean; detail?: string }[] };

/** Compiles, links a probe like nginx and asks LuaJIT's loader for every module; cancellable, with progress. */
export namespace VerifyRequest {
  export const method = 'resty-build/verify';
  export const type = new RequestType<BuildParams, VerifyResponse, void>(method);
}

/**
 * A request whose handler always fails, registered only when the server runs
 * with RESTY_BUILD_TEST_FAULTS=1: tests prove with it that a failing handler
 * is logged and answered, and that the server keeps serving.
 */
export namespace TestFaultRequest {
  export const method = 'resty-build/test/fault';
  export const type = new RequestType0<null, void>(method);
}
