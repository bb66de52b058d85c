import * as fs from 'node:fs';
import { LinkMode } from '../core/manifest/manifest';
import { Finding } from '../core/types';
import { BuildProject } from './buildProject';
import { compileProject, CompileResult } from './compile';
import { computeLinkFlags, createArchive, LinkFlags } from './linkFlags';
import { describeHeader } from './luajitInfo';
import { AuditResult, auditNginx } from './nginxAudit';
import { ProbeToolchain, verifyEmbedding, VerifyResult } from './verify';

/**
 * The build pipeline, one way for every caller: plan (buildProject.ts),
 * compile, link flags (and the archive), verify. The CLI and the language
 * server only translate: options from arguments or settings, progress to
 * stderr lines or work-done progress, cancellation from a signal or a
 * cancellation token, results to text, JSON or a response.
 */

/** What a long step tells its caller while it runs. */
export type BuildProgress =
  /** The compile's plan, before any module is compiled. */
  | { step: 'start'; toCompile: number; upToDate: number }
  /** A module finished compiling (or failed). */
  | { step: 'compile'; done: number; total: number; module: string }
  /** verify: the compile is over, the probe is being linked. */
  | { step: 'link'; compiled: CompileResult };

export interface BuildHooks {
  /** Aborting cancels the step: running tools are killed, finished objects kept. */
  signal?: AbortSignal;
  onProgress?: (progress: BuildProgress) => void;
}

export interface CompileSettings {
  /** Overrides manifest.luajit.compiler (CLI --luajit, the restyBuild.luajitPath setting). */
  compiler?: string;
  jobs?: number;
  timeoutMs?: number;
  force?: boolean;
}

export interface LinkSettings {
  /** Overrides manifest.link.mode. */
  mode?: LinkMode;
  /** Where $LDFLAGS (and for verify $CC and PATH) come from; default: this process's environment. */
  env?: NodeJS.ProcessEnv;
}

export interface VerifySettings extends CompileSettings, LinkSettings {
  /** Link the probe with -Wl,-E, as lua-nginx-module's config does (default true). */
  exportDynamic?: boolean;
  /** The C compiler and LuaJIT's dev files; found on the machine when absent. */
  toolchain?: ProbeToolchain;
}

/** The progress line both adapters show: `compiling 120 modules`, `[3/120] resty.core.base`, `linking the probe`. */
export function progressMessage(progress: BuildProgress): string {
  switch (progress.step) {
    case 'start': {
      const modules = `${progress.toCompile} ${progress.toCompile === 1 ? 'module' : 'modules'}`;
      return progress.upToDate > 0 ? `compiling ${modules} (${progress.upToDate} up to date)` : `compiling ${modules}`;
    }
    case 'compile':
      return `[${progress.done}/${progress.total}] ${progress.module}`;
    case 'link':
      return 'linking the probe';
  }
}

/** The manifest's error findings: a build does not start while there are any. */
export function blockingManifestFindings(project: BuildProject): Finding[] {
  return project.manifestFindings.filter((f) => f.severity === 'error');
}

/** Objects of the embeddable mapping rows, in manifest order (compiled or not: missing ones are warned about). */
export function plannedObjects(project: BuildProject): string[] {
  return project.entries.filter((e) => e.reasons.length === 0 && e.file !== undefined).map((e) => e.object);
}

/** Compiles the embedded modules into outDir (incrementally; see compile.ts). */
export function runCompile(project: BuildProject, options: CompileSettings & BuildHooks = {}): Promise<CompileResult> {
  const { onProgress } = options;
  return compileProject({
    manifest: project.manifest,
    entries: project.entries,
    compiler: options.compiler,
    jobs: options.jobs,
    timeoutMs: options.timeoutMs,
    force: options.force,
    sources: project.sources,
    signal: options.signal,
    onStart: onProgress && ((plan) => onProgress({ step: 'start', ...plan })),
    onProgress: onProgress && ((p) => onProgress({ step: 'compile', ...p })),
  });
}

export interface LinkStepOptions extends LinkSettings {
  /** The objects to link; default: every planned object. */
  objects?: readonly string[];
  /** False: compute the flags only, never run `ar` (a preview in an untrusted workspace). */
  createArchive?: boolean;
  signal?: AbortSignal;
}

/** Link flags for a project; in archive mode (re)builds the archive from the objects that exist. */
export async function linkFlagsFor(project: BuildProject, options: LinkStepOptions = {}): Promise<LinkFlags> {
  const flags = computeLinkFlags({ manifest: project.manifest, objects: options.objects ?? plannedObjects(project), mode: options.mode, env: options.env ?? process.env });
  if (flags.mode === 'archive' && options.createArchive !== false) {
    const present = flags.objects.filter((o) => fs.existsSync(o));
    if (present.length > 0) {
      await createArchive(present, project.manifest, { signal: options.signal, sources: project.sources });
    }
  }
  return flags;
}

export interface BuildVerification {
  compiled: CompileResult;
  /** Absent when the compile was cancelled. */
  flags?: LinkFlags;
  /** Absent when the compile was cancelled. */
  probe?: VerifyResult;
  /** The compile's findings, then the probe's. */
  findings: Finding[];
  /** Cancelled during the compile or the probe. */
  cancelled: boolean;
}

/** compile -> link flags (archive) -> a probe linked like nginx asks LuaJIT's loader for every module. */
export async function verifyBuild(project: BuildProject, options: VerifySettings & BuildHooks = {}): Promise<BuildVerification> {
  const compiled = await runCompile(project, options);
  if (compiled.cancelled) {
    return { compiled, findings: compiled.findings, cancelled: true };
  }
  options.onProgress?.({ step: 'link', compiled });
  const flags = await linkFlagsFor(project, { objects: compiled.objects.map((o) => o.object), mode: options.mode, env: options.env, signal: options.signal });
  const probe = await verifyEmbedding({
    manifest: project.manifest,
    objects: compiled.objects,
    linkArgs: flags.ldOpt,
    exportDynamic: options.exportDynamic,
    toolchain: options.toolchain,
    env: options.env,
    signal: options.signal,
  });
  return { compiled, flags, probe, findings: [...compiled.findings, ...probe.findings], cancelled: probe.cancelled };
}

export interface AuditSettings {
  /** The built nginx to audit. */
  binary: string;
  /** The LuaJIT whose bytecode nginx's LuaJIT must accept (default: the manifest's luajit.compiler). */
  compiler?: string;
  /** The environment nginx and ldd run in (LD_LIBRARY_PATH matters); default: this process's. */
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

/**
 * verify against a built nginx instead of a probe: what the binary exports
 * and links, `nginx -V`, the load_module files, and the binary itself
 * requiring every embedded module (nginxAudit.ts). Nothing is compiled.
 */
export function auditBuild(project: BuildProject, options: AuditSettings & BuildHooks): Promise<AuditResult> {
  return auditNginx({ build: project, binary: options.binary, compiler: options.compiler, env: options.env, timeoutMs: options.timeoutMs, signal: options.signal });
}

/**
 * `compiled 2, up to date 0, failed 1, removed 0 (LuaJIT 2.1.0-beta3, bytecode version 2 …)`;
 * with `outDir` (how to show it), also where the objects went and which luajit made them.
 */
export function compileSummary(result: CompileResult, where?: { outDir: string }): string {
  const counts = `compiled ${result.compiled.length}, up to date ${result.upToDate.length}, failed ${result.failed.length}, removed ${result.removed.length}`;
  const c = result.compiler;
  const compiler = `${c.versionText.split(' -- ')[0]}, ${describeHeader(c.header)}`;
  return where ? `${counts} -> ${where.outDir} (${c.path}: ${compiler})` : `${counts} (${compiler})`;
}

/** One line per module the probe asked for: `ok   name` or `FAIL name: why`. */
export function probeLines(probe: VerifyResult): string[] {
  return probe.modules.map((m) => (m.ok ? `ok   ${m.module}` : `FAIL ${m.module}: ${m.detail}`));
}

/** `3 modules checked: 2 found, 1 not found`; with `withLink`, how the probe was linked. */
export function verifySummary(verification: BuildVerification, options: { withLink?: { exportDynamic: boolean } } = {}): string {
  const modules = verification.probe?.modules ?? [];
  const failed = modules.filter((m) => !m.ok).length;
  const summary = `${modules.length} ${modules.length === 1 ? 'module' : 'modules'} checked: ${modules.length - failed} found, ${failed} not found`;
  const link = options.withLink;
  return link && verification.flags ? `${summary} (${verification.flags.mode} mode${link.exportDynamic ? ', -Wl,-E' : ', without -Wl,-E'})` : summary;
}
