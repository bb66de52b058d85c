/**
 * The build commands' custom requests, shared by the server and the client.
 * No imports: the client bundles this file too.
 */
export const BuildMethods = {
  /** () -> BuildProjectInfo[]: the projects with a resty-build.json. */
  projects: 'resty-build/buildProjects',
  /** BuildParams -> CompileResponse; cancellable, reports work-done progress. */
  compile: 'resty-build/compile',
  /** BuildParams -> LinkFlagsResponse. */
  linkFlags: 'resty-build/linkFlags',
  /** BuildParams -> VerifyResponse; compiles first. */
  verify: 'resty-build/verify',
} as const;

export interface BuildProjectInfo {
  /** The folder holding resty-build.json. */
  dir: string;
  manifest: string;
}

export interface BuildParams {
  /** The project folder (BuildProjectInfo.dir). */
  dir: string;
  /** The restyBuild.luajitPath setting (machine scope); overrides "luajit.compiler". */
  luajitPath?: string;
  /** The restyBuild.cc setting (machine scope): the C compiler verify links its probe with. */
  cc?: string;
  mode?: 'objects' | 'archive';
  /** Client-created token for work-done progress. */
  workDoneToken?: string | number;
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

export type VerifyResponse = BuildResponse & { modules: { module: string; ok: boolean; detail?: string }[] };
