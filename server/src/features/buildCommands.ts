import { createHash } from 'node:crypto';
import * as path from 'node:path';
import {
  CancellationToken,
  Connection,
  Diagnostic,
  ErrorCodes,
  LSPErrorCodes,
  PublishDiagnosticsParams,
  ResponseError,
  WorkDoneProgressReporter,
} from 'vscode-languageserver/node';
import { countErrors, findingLines } from '../core/findingFormat';
import { Finding } from '../core/types';
import { Workspace } from '../core/workspace/workspace';
import { BuildProject, buildProjectOf } from '../toolchain/buildProject';
import { formatConfigureLine } from '../toolchain/linkFlags';
import { BuildHooks, compileSummary, linkFlagsFor, probeLines, progressMessage, runCompile, verifyBuild, verifySummary } from '../toolchain/pipeline';
import { BuildEnvironmentError, findExecutable } from '../toolchain/tool';
import { findProbeToolchain, ProbeToolchain } from '../toolchain/verify';
import { pathToUri, toDiagnostic, uriToPath } from '../convert';
import { BuildParams, BuildProjectsRequest, CompileRequest, CompileResponse, LinkFlagsRequest, LinkFlagsResponse, VerifyRequest, VerifyResponse } from '../protocol/protocol';

/**
 * Findings of the last build per project, merged into every diagnostics
 * publication for their files: the analysis publisher replaces a file's
 * diagnostics wholesale, so this sits between it and the connection. A
 * build finding is dropped once its file's text differs from what was built.
 */
export class BuildDiagnostics {
  private readonly build = new Map<string, { findings: Finding[]; textHash: string | undefined }>();
  private readonly analysis = new Map<string, Diagnostic[]>();
  private byProject = new Map<string, Set<string>>();
  private connection?: Connection;

  constructor(private readonly readText: (file: string) => string | undefined) {}

  /** The connection to hand the analysis publisher: its sendDiagnostics merges build findings in. */
  wrap(connection: Connection): Connection {
    this.connection = connection;
    return new Proxy(connection, {
      get: (target, prop, receiver) =>
        prop === 'sendDiagnostics' ? (params: PublishDiagnosticsParams) => this.onAnalysis(params) : Reflect.get(target, prop, receiver),
    });
  }

  private onAnalysis(params: PublishDiagnosticsParams): Promise<void> {
    this.analysis.set(params.uri, params.diagnostics);
    return this.send(params.uri);
  }

  private send(uri: string): Promise<void> {
    const file = uriToPath(uri);
    const entry = this.build.get(uri);
    if (entry && file && hash(this.readText(file)) !== entry.textHash) {
      this.build.delete(uri);
    }
    const extra = this.build.get(uri)?.findings.map(toDiagnostic) ?? [];
    return this.connection!.sendDiagnostics({ uri, diagnostics: [...(this.analysis.get(uri) ?? []), ...extra] });
  }

  /** Replaces the build findings of one project and republishes the files concerned. */
  set(projectDir: string, findings: Finding[]): void {
    const old = this.byProject.get(projectDir) ?? new Set<string>();
    const next = new Set<string>();
    const grouped = new Map<string, Finding[]>();
    for (const f of findings) {
      const uri = pathToUri(f.file);
      grouped.set(uri, [...(grouped.get(uri) ?? []), f]);
      next.add(uri);
    }
    for (const uri of old) {
      this.build.delete(uri);
    }
    for (const [uri, list] of grouped) {
      this.build.set(uri, { findings: list, textHash: hash(this.readText(list[0].file)) });
    }
    this.byProject.set(projectDir, next);
    for (const uri of new Set([...old, ...next])) {
      void this.send(uri);
    }
  }
}

function hash(text: string | undefined): string | undefined {
  return text === undefined ? undefined : createHash('sha1').update(text).digest('hex');
}

function findProject(workspace: Workspace, dir: string): BuildProject {
  const project = workspace.allProjects().find((p) => p.manifest && p.root === dir);
  const build = project && buildProjectOf(workspace, project);
  if (!build) {
    throw new ResponseError(ErrorCodes.InvalidParams, `No resty-build.json in ${dir}.`);
  }
  return build;
}

/** Turns the cancellation token of a request into an AbortSignal. */
function abortOn(token: CancellationToken): AbortSignal {
  const controller = new AbortController();
  token.onCancellationRequested(() => controller.abort());
  return controller.signal;
}

/** The pipeline's hooks for a request: cancellation from its token, progress as work-done progress. */
function hooksFor(token: CancellationToken, progress: WorkDoneProgressReporter): BuildHooks {
  return {
    signal: abortOn(token),
    onProgress: (p) => progress.report(p.step === 'compile' ? Math.round((100 * p.done) / p.total) : 100, progressMessage(p)),
  };
}

/** The C compiler of the restyBuild.cc setting, else the usual search ($CC, cc, gcc, clang). */
async function toolchainFor(params: BuildParams): Promise<ProbeToolchain | undefined> {
  const cc = params.cc?.trim();
  if (!cc) {
    return undefined;
  }
  if (!findExecutable(cc)) {
    throw new BuildEnvironmentError(`The C compiler '${cc}' of the setting restyBuild.cc is not found or not executable. Set it to a compiler such as /usr/bin/gcc, or clear it to use $CC, cc, gcc or clang from PATH.`);
  }
  return findProbeToolchain({ ...process.env, CC: cc });
}

/** Runs a build handler: environment errors become a RequestFailed answer with the user-facing message. */
async function answer<T>(what: string, log: (m: string) => void, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof ResponseError) {
      throw e;
    }
    if (e instanceof BuildEnvironmentError) {
      throw new ResponseError(LSPErrorCodes.RequestFailed, e.message);
    }
    log(`${what} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    throw new ResponseError(ErrorCodes.InternalError, `${what} failed: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** What the server was told about the workspace at initialize. */
export interface BuildPolicy {
  /** False when the client said the workspace is untrusted (initializationOptions.trusted === false). */
  trusted: () => boolean;
}

/**
 * Compile and verify run programs the workspace names (its manifest's
 * luajit.compiler, a C compiler with its flags): never in a workspace the
 * user has not trusted. Analysis runs nothing and stays available.
 */
export function refuseUntrusted(what: string, runs: string): ResponseError<void> {
  return new ResponseError(
    LSPErrorCodes.RequestFailed,
    `${what} is disabled in an untrusted workspace: it would run ${runs}, which this workspace's resty-build.json can name. Trust the workspace (Workspaces: Manage Workspace Trust) to build; analysis keeps working without it.`,
  );
}

/** Registers the compile / link-flags / verify requests. */
export function registerBuildCommands(
  connection: Connection,
  getWorkspace: () => Workspace | undefined,
  diagnostics: BuildDiagnostics,
  policy: BuildPolicy = { trusted: () => true },
): void {
  const log = (m: string) => connection.console.error(`[resty-build] ${m}`);
  const workspaceOrFail = () => {
    const ws = getWorkspace();
    if (!ws) {
      throw new ResponseError(ErrorCodes.ServerNotInitialized, 'The workspace is still being analysed.');
    }
    return ws;
  };

  connection.onRequest(BuildProjectsRequest.type, () =>
    (getWorkspace()?.allProjects() ?? []).filter((p) => p.manifest).map((p) => ({ dir: p.root, manifest: p.manifest!.file })),
  );

  connection.onRequest(CompileRequest.type, (params, token) =>
    answer<CompileResponse>('compile', log, async () => {
      if (!policy.trusted()) {
        throw refuseUntrusted('Compiling bytecode', 'luajit');
      }
      const progress = connection.window.attachWorkDoneProgress(params.workDoneToken);
      const build = findProject(workspaceOrFail(), params.dir);
      progress.begin('resty-build: compiling bytecode', 0, path.basename(params.dir), true);
      try {
        const result = await runCompile(build, { compiler: params.luajitPath || undefined, ...hooksFor(token, progress) });
        diagnostics.set(params.dir, result.findings);
        return { summary: compileSummary(result), lines: findingLines(result.findings, params.dir), errors: countErrors(result.findings), cancelled: result.cancelled };
      } finally {
        progress.done();
      }
    }),
  );

  connection.onRequest(LinkFlagsRequest.type, (params, token) =>
    answer<LinkFlagsResponse>('link flags', log, async () => {
      const build = findProject(workspaceOrFail(), params.dir);
      if (!policy.trusted() && (params.mode ?? build.manifest.link.mode) === 'archive') {
        throw refuseUntrusted('Creating the archive for the link flags', 'ar');
      }
      // Untrusted: the preview only, no `ar` run for archive mode.
      const flags = await linkFlagsFor(build, { mode: params.mode, createArchive: policy.trusted(), signal: abortOn(token) });
      const comments = flags.warnings.map((w) => `# ${w.severity} ${w.code}: ${w.message}`);
      return {
        configureArgs: flags.configureArgs,
        withLdOpt: flags.withLdOpt,
        objects: flags.objects,
        warnings: flags.warnings,
        configureLine: formatConfigureLine(flags),
        preview: [`# nginx ./configure flags for ${build.manifest.file} (${flags.mode} mode)`, ...comments, formatConfigureLine(flags, { multiline: true, prefix: './configure' }), ''].join('\n'),
      };
    }),
  );

  connection.onRequest(VerifyRequest.type, (params, token) =>
    answer<VerifyResponse>('verify', log, async () => {
      if (!policy.trusted()) {
        throw refuseUntrusted('Verifying the embedding', 'luajit, a C compiler and the linked probe program');
      }
      const toolchain = await toolchainFor(params);
      const progress = connection.window.attachWorkDoneProgress(params.workDoneToken);
      const build = findProject(workspaceOrFail(), params.dir);
      progress.begin('resty-build: verifying the embedding', 0, 'compiling', true);
      try {
        const verification = await verifyBuild(build, { compiler: params.luajitPath || undefined, mode: params.mode, toolchain, ...hooksFor(token, progress) });
        if (!verification.probe) {
          return { summary: 'cancelled', lines: [], errors: 0, cancelled: true, modules: [] };
        }
        const { findings } = verification;
        diagnostics.set(params.dir, findings);
        return {
          summary: verifySummary(verification),
          lines: [...probeLines(verification.probe), ...findingLines(findings, params.dir)],
          errors: countErrors(findings),
          cancelled: verification.cancelled,
          modules: verification.probe.modules,
        };
      } finally {
        progress.done();
      }
    }),
  );
}
