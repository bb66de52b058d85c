import * as path from 'node:path';
import {
  CancellationToken,
  Connection,
  ErrorCodes,
  LSPErrorCodes,
  ResponseError,
  WorkDoneProgressReporter,
} from '../lsp';
import { countErrors, findingLines } from '../core/findingFormat';
import { Workspace } from '../core/workspace/workspace';
import { BuildProject, buildProjectOf, notEmbeddingReason } from '../toolchain/buildProject';
import { formatConfigureLine } from '../toolchain/linkFlags';
import { auditLines, auditSummary, describeNginx } from '../toolchain/auditReport';
import { auditBuild, BuildHooks, compileSummary, linkFlagsFor, probeLines, progressMessage, runCompile, verifyBuild, verifySummary } from '../toolchain/pipeline';
import { BuildEnvironmentError, findExecutable } from '../toolchain/tool';
import { findProbeToolchain, ProbeToolchain } from '../toolchain/verify';
import { BuildDiagnostics } from './buildDiagnostics';
import { auditParams, buildParams } from './requestParams';
import { RegisterRequest } from './requestGuard';
import { AuditNginxRequest, AuditResponse, BuildParams, BuildProjectsRequest, CompileRequest, CompileResponse, LinkFlagsRequest, LinkFlagsResponse, VerifyRequest, VerifyResponse } from '../protocol/protocol';

function findProject(workspace: Workspace, dir: string): BuildProject {
  const project = workspace.allProjects().find((p) => p.manifest && p.root === dir);
  const build = project && buildProjectOf(workspace, project);
  if (!build) {
    throw new ResponseError(ErrorCodes.InvalidParams, `No resty-build.json in ${dir}.`);
  }
  const idle = notEmbeddingReason(build);
  if (idle) {
    throw new ResponseError(ErrorCodes.InvalidParams, idle);
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
    onProgress: (p) => progress.report(p.step === 'compile' ? Math.round((100 * p.done) / p.total) : p.step === 'start' ? 0 : 100, progressMessage(p)),
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

/** An unusable build environment (luajit or cc missing, outDir unwritable) is the answer, with the message the CLI prints. */
function environmentFailure(error: unknown): ResponseError<void> | undefined {
  return error instanceof BuildEnvironmentError ? new ResponseError(LSPErrorCodes.RequestFailed, error.message) : undefined;
}

/** Registers the build-projects, compile, link-flags, verify and audit requests. */
export function registerBuildCommands(
  connection: Connection,
  register: RegisterRequest,
  getWorkspace: () => Workspace | undefined,
  diagnostics: BuildDiagnostics,
  policy: BuildPolicy = { trusted: () => true },
): void {
  const workspaceOrFail = () => {
    const ws = getWorkspace();
    if (!ws) {
      throw new ResponseError(ErrorCodes.ServerNotInitialized, 'The workspace is still being analysed.');
    }
    return ws;
  };
  const options = { translate: environmentFailure };
  /** Runs a step under work-done progress on the request's token: begun before it, done after it, whatever happens. */
  const withProgress = async <T>(params: BuildParams, begin: { title: string; percentage?: number; message: string }, step: (progress: WorkDoneProgressReporter) => Promise<T>): Promise<T> => {
    const progress = connection.window.attachWorkDoneProgress(params.workDoneToken);
    progress.begin(begin.title, begin.percentage, begin.message, true);
    try {
      return await step(progress);
    } finally {
      progress.done();
    }
  };

  register(BuildProjectsRequest.type, 'build projects', () =>
    (getWorkspace()?.allProjects() ?? []).filter((p) => p.manifest).map((p) => ({ dir: p.root, manifest: p.manifest!.file })),
  );

  register(
    CompileRequest.type,
    'compile',
    async (raw, token): Promise<CompileResponse> => {
      const params = buildParams(CompileRequest.method, raw);
      if (!policy.trusted()) {
        throw refuseUntrusted('Compiling bytecode', 'luajit');
      }
      const build = findProject(workspaceOrFail(), params.dir);
      return withProgress(params, { title: 'resty-build: compiling bytecode', percentage: 0, message: path.basename(params.dir) }, async (progress) => {
        const result = await runCompile(build, { compiler: params.luajitPath || undefined, ...hooksFor(token, progress) });
        diagnostics.set(params.dir, result.findings);
        return { summary: compileSummary(result), lines: findingLines(result.findings, params.dir), errors: countErrors(result.findings), cancelled: result.cancelled };
      });
    },
    options,
  );

  register(
    LinkFlagsRequest.type,
    'link flags',
    async (raw, token): Promise<LinkFlagsResponse> => {
      const params = buildParams(LinkFlagsRequest.method, raw);
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
    },
    options,
  );

  register(
    VerifyRequest.type,
    'verify',
    async (raw, token): Promise<VerifyResponse> => {
      const params = buildParams(VerifyRequest.method, raw);
      if (!policy.trusted()) {
        throw refuseUntrusted('Verifying the embedding', 'luajit, a C compiler and the linked probe program');
      }
      const toolchain = await toolchainFor(params);
      const build = findProject(workspaceOrFail(), params.dir);
      return withProgress(params, { title: 'resty-build: verifying the embedding', percentage: 0, message: 'compiling' }, async (progress) => {
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
      });
    },
    options,
  );

  register(
    AuditNginxRequest.type,
    'audit nginx',
    async (raw, token): Promise<AuditResponse> => {
      const params = auditParams(raw);
      if (!policy.trusted()) {
        throw refuseUntrusted('Auditing a built nginx', 'that nginx binary, ldd and luajit');
      }
      const build = findProject(workspaceOrFail(), params.dir);
      return withProgress(params, { title: 'resty-build: auditing nginx', message: path.basename(params.nginxPath) }, async () => {
        const result = await auditBuild(build, { binary: params.nginxPath, compiler: params.luajitPath || undefined, signal: abortOn(token) });
        if (result.cancelled) {
          return { summary: 'cancelled', lines: [], errors: 0, cancelled: true, nginx: describeNginx(result), modules: [] };
        }
        diagnostics.set(params.dir, result.findings);
        return {
          summary: auditSummary(result),
          lines: [...auditLines(result), ...findingLines(result.findings, params.dir), ...result.notes],
          errors: countErrors(result.findings),
          cancelled: false,
          nginx: describeNginx(result),
          modules: result.modules.map(({ module, exported, loaded, message }) => ({ module, exported, loaded, message })),
        };
      });
    },
    options,
  );
}
