import { NotificationType, RequestType, RequestType0, WorkDoneProgressParams } from 'vscode-languageserver-protocol';

/**
 * Every custom request and notification between the extension and the
 * server, declared once here: a namespace per message with its `method` and
 * its typed `type`, and the parameter and result types. The client bundles
 * this file, so it imports only the protocol library, nothing of the server.
 */

export interface ModuleMapParams {
  /** A document of the project; the first project with a manifest when absent. */
  uri?: string;
  /** False: the counts alone (what the status bar shows), without rows or Markdown. */
  rows?: boolean;
}

/** What the embedded binary will do with a module (the `status` of `resty-build map`). */
export type ModuleMapStatus = 'embedded' | 'not-in-mapping' | 'builtin' | 'provided' | 'native' | 'unresolved' | 'hyphen-name' | 'error';

/** A place in a document: 0-based lines and characters, as LSP ranges are. */
export interface ModuleMapLocation {
  uri: string;
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
}

/** One row of the module map: a mapping entry, or a module the embed closure reaches beyond them. */
export interface ModuleMapEntry {
  module: string;
  status: ModuleMapStatus;
  /** The Lua source (or C module); null when none was found or the runtime provides it. */
  fileUri: string | null;
  /** Where the module is, or what to fix: its file, else its manifest `embed` entry, else the first require that reaches it (unresolved), else the manifest's `provided` key; null for a built-in. */
  location: ModuleMapLocation | null;
  flatName: string;
  /** Absolute path of the object file in outDir. */
  object: string;
  /** The `luaJIT_BC_` symbol the binary's loader looks up. */
  symbol: string;
  /** Where the loader finds it: workspace, stdlib, path, explicit, builtin, provided, native; null when nowhere. */
  origin: string | null;
  /** Why the module does not embed cleanly (finding code and message); empty when it does. */
  reasons: { code: string; message: string }[];
}

export interface ModuleMapResult {
  /** Null when no project has a manifest. */
  manifestUri: string | null;
  /** The folder holding the manifest; null with `manifestUri`. */
  projectDir: string | null;
  markdown: string;
  /** At most 5,000 rows, those with problems first. */
  modules: ModuleMapEntry[];
  /** Rows left out of `modules` (`resty-build map` lists them all). */
  omitted: number;
  /** Counts for the status bar. */
  embedded: number;
  problems: number;
}

/** The module map of the project holding `uri` (rows for the module view, Markdown, counts for the status bar). */
export namespace ModuleMapRequest {
  export const method = 'resty-build/moduleMap';
  export const type = new RequestType<ModuleMapParams, ModuleMapResult, void>(method);
}

export interface ModuleMapChangedParams {
  /** The manifests whose module map changed since the last notification: rows, statuses, files or reasons; a new or deleted manifest too. */
  manifestUris: string[];
}

/** Sent by the server, after the initial analysis, when an edit or a change on disk changed a project's module map. */
export namespace ModuleMapChangedNotification {
  export const method = 'resty-build/moduleMapChanged';
  export const type = new NotificationType<ModuleMapChangedParams>(method);
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

export interface AuditParams extends BuildParams {
  /** The restyBuild.nginxPath setting (machine scope): the built nginx to audit. */
  nginxPath: string;
}

export type AuditResponse = BuildResponse & {
  /** One line about the binary: version, --with-compat, lua-nginx-module, LuaJIT. */
  nginx: string;
  /** Each embedded module: its symbol exported, and whether the binary loaded it (null: not tried). */
  modules: { module: string; exported: boolean; loaded: boolean | null; message?: string }[];
};

/** Audits a built nginx against the project (exports, load test, FFI, versions, load_module); cancellable, publishes the findings. */
export namespace AuditNginxRequest {
  export const method = 'resty-build/auditNginx';
  export const type = new RequestType<AuditParams, AuditResponse, void>(method);
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
