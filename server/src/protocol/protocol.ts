import { NotificationType, RequestType } from 'vscode-languageserver-protocol';

/**
 * Custom requests between the extension and the server, declared once here
 * (method + types) and imported by both sides.
 */
export interface ModuleMapParams {
  /** A document of the project; the first project with a manifest when absent. */
  uri?: string;
}

export interface ModuleMapResult {
  /** Null when no project has a manifest. */
  manifestUri: string | null;
  markdown: string;
  modules: { module: string; status: string }[];
  /** Counts for the status bar. */
  embedded: number;
  problems: number;
}

export namespace ModuleMapRequest {
  export const method = 'resty-build/moduleMap';
  export const type = new RequestType<ModuleMapParams, ModuleMapResult, void>(method);
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
