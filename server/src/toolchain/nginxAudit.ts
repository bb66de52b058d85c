import * as fs from 'node:fs';
import * as path from 'node:path';
import { DeclarationIndex, FfiFile, undefinedSymbolFindings } from '../core/embed/ffi';
import { loaderSymbol } from '../core/embed/mapping';
import { canRun, FfiEnvironment, versionCheckFails } from '../core/lua/ffiEnvironment';
import { scanFfi } from '../core/lua/ffiScan';
import { embedEntryRange } from '../core/manifest/manifest';
import { Finding, LineIndex, Range } from '../core/types';
import { BuildProject } from './buildProject';
import { AuditedDynamicModule, checkDynamicModule, loadModulesOf, SymbolOwners } from './dynamicModules';
import { ElfImage, readImage } from './elfImage';
import { compareWithRuntime, describeHeader, identifyLuaJit, LuaJitInfo, parseBytecodeHeader } from './luajitInfo';
import { binarySignature, formatNgxLuaVersion, NginxBuildInfo, openBuiltNginx, parseLdd, readDynamicModule, SharedLibrary } from './nginxBinary';
import { LoadTestResult, runLoadTest } from './nginxLoadTest';
import { likelyCause } from './nginxSymbols';
import { BuildEnvironmentError, findExecutable, runTool } from './tool';

/**
 * The audit of a built nginx against the manifest: what the binary exports
 * and links, what `nginx -V` says, the `load_module` files, and the load
 * test (the binary itself requiring every embedded module). Each verdict is
 * a finding at the place to fix: the embed entry, the `C.<name>` read, the
 * version check of resty.core.base, the load_module line.
 */

export interface AuditOptions {
  build: BuildProject;
  binary: string;
  /** The LuaJIT that compiles the bytecode (default: the manifest's luajit.compiler). */
  compiler?: string;
  signal?: AbortSignal;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

export interface AuditedModule {
  module: string;
  symbol: string;
  /** The binary's dynamic symbol table has the module's luaJIT_BC_ symbol. */
  exported: boolean;
  /** The load test required it: true, false, or null when it did not get that far. */
  loaded: boolean | null;
  message?: string;
}

export interface NginxFacts {
  binary: string;
  version: string;
  compat: boolean;
  configureArgs: string[];
  signature?: string;
  /** ngx_lua_version (10023 for 0.10.23), from the load test or the module's sources. */
  ngxLuaVersion?: number;
  ngxLuaVersionFrom?: string;
  subsystems: string[];
  /** The file that provides LuaJIT (a libluajit from ldd, or the binary itself). */
  luajit?: { file: string; version?: string; header?: string; description?: string };
  libraries: SharedLibrary[];
  arch: string;
}

export type { AuditedDynamicModule } from './dynamicModules';

export interface AuditResult {
  nginx: NginxFacts;
  modules: AuditedModule[];
  dynamicModules: AuditedDynamicModule[];
  findings: Finding[];
  /** Lines worth printing that are not findings (what could not be checked, and why). */
  notes: string[];
  loadTest: Pick<LoadTestResult, 'completed' | 'exitCode' | 'startupErrors' | 'output'>;
  cancelled: boolean;
}

/** The version a lua-nginx-module source tree named by `nginx -V` declares (src/api/ngx_http_lua_api.h). */
function ngxLuaVersionFromSources(info: NginxBuildInfo): { version: number; file: string } | undefined {
  for (const arg of info.configureArgs) {
    const dir = /^--add(?:-dynamic)?-module=(.+)$/.exec(arg)?.[1];
    const header = dir && path.join(dir, 'src', 'api', 'ngx_http_lua_api.h');
    if (header && fs.existsSync(header)) {
      const m = /#define\s+ngx_http_lua_version\s+(\d+)/.exec(fs.readFileSync(header, 'utf8'));
      if (m) {
        return { version: Number(m[1]), file: header };
      }
    }
  }
  return undefined;
}

async function inspectBinary(binary: string, options: AuditOptions): Promise<{ image: ElfImage; info: NginxBuildInfo; libraries: SharedLibrary[] }> {
  const { file: resolved, image, info } = await openBuiltNginx(binary, options);
  let libraries: SharedLibrary[] = [];
  const ldd = findExecutable('ldd', options.env ?? process.env);
  if (ldd) {
    const r = await runTool(ldd, [resolved], { timeoutMs: 15_000, signal: options.signal, env: options.env });
    libraries = r.code === 0 ? parseLdd(r.stdout.toString('utf8')) : [];
  }
  return { image, info, libraries };
}

export async function auditNginx(options: AuditOptions): Promise<AuditResult> {
  const { build } = options;
  const manifest = build.manifest;
  const binary = path.resolve(options.binary);
  const { image, info, libraries } = await inspectBinary(binary, options);
  const findings: Finding[] = [];
  const notes: string[] = [];
  const rangeFor = embedEntryRange(manifest);

  // Who exports what: the binary, each library ldd lists, each load_module file.
  const owners: SymbolOwners = [{ file: binary, names: image.exportedNames() }];
  for (const lib of libraries) {
    const libImage = lib.path ? readImage(lib.path) : undefined;
    if (libImage) {
      owners.push({ file: lib.path!, names: libImage.exportedNames() });
    }
  }
  const dynamicModules: AuditedDynamicModule[] = [];
  const directives = loadModulesOf(build.project);
  const signature = (() => {
    const own = readDynamicModule(image).modules.find((m) => m.signature)?.signature;
    return own ?? binarySignature(image);
  })();
  for (const d of directives) {
    dynamicModules.push(checkDynamicModule(d, info, signature, owners, findings));
  }
  if (directives.length > 0 && !info.compat) {
    const first = directives[0];
    findings.push({
      file: first.confFile,
      range: first.range,
      severity: 'warning',
      code: 'nginx-without-compat',
      message: `This nginx.conf loads dynamic modules, but ${binary} was configured without --with-compat (nginx -V): a module then loads only if it was built with exactly the same ./configure arguments. Rebuild nginx and the modules with --with-compat (resty-build flags prints it).`,
    });
  }
  const owner = (symbol: string) => owners.find((o) => o.names.has(symbol))?.file;
  // Which lua modules the binary (or a load_module file) carries: a module runs in one of their VMs.
  const exportsPrefix = (prefix: string) => owners.some((o) => [...o.names].some((n) => n.startsWith(prefix)));
  const subsystems = (['http', 'stream'] as const).filter((s) => exportsPrefix(`ngx_${s}_lua_ffi_`));
  const luajitFile = owner('luaL_newstate');

  // Every embedded module's symbol must be in the dynamic symbol table: dlsym(RTLD_DEFAULT) sees nothing else.
  const embedded = build.entries.filter((e) => e.reasons.length === 0 && e.file !== undefined);
  const exportedBytecode = [...owners[0].names].filter((n) => n.startsWith('luaJIT_BC_'));
  const modules: AuditedModule[] = embedded.map((e) => {
    const symbol = loaderSymbol(e.module);
    return { module: e.module, symbol, exported: owners[0].names.has(symbol), loaded: null };
  });
  for (const m of modules.filter((x) => !x.exported)) {
    findings.push({
      file: manifest.file,
      range: rangeFor(m.module),
      severity: 'error',
      code: 'bytecode-not-exported',
      message:
        exportedBytecode.length === 0
          ? `${binary} exports no luaJIT_BC_ symbol at all, so require('${m.module}') cannot find its bytecode: the link lacks -Wl,-E (lua-nginx-module's config adds it when it detects LuaJIT), or the objects were not linked in. Link with the flags resty-build flags prints.`
          : `${m.symbol} is not in the dynamic symbol table of ${binary}: its object was not linked in (${exportedBytecode.length} other luaJIT_BC_ symbols are). Rebuild nginx with the flags resty-build flags prints.`,
      module: m.module,
    });
  }

  const load = await runLoadTest({
    binary,
    modules: embedded.map((e) => e.module),
    loadModules: directives.filter((d) => fs.existsSync(d.file)).map((d) => d.file),
    errorLogFlag: info.versionNumber >= 1_019_005,
    timeoutMs: options.timeoutMs,
    signal: options.signal,
    env: options.env,
  });
  const nginx: NginxFacts = {
    binary,
    version: info.version,
    compat: info.compat,
    configureArgs: info.configureArgs,
    signature,
    subsystems,
    libraries,
    arch: image.arch,
    luajit: luajitFile ? { file: luajitFile } : undefined,
  };
  const result: AuditResult = {
    nginx,
    modules,
    dynamicModules,
    findings,
    notes,
    loadTest: { completed: load.completed, exitCode: load.exitCode, startupErrors: load.startupErrors, output: load.output },
    cancelled: load.aborted,
  };
  if (load.aborted) {
    return result;
  }
  if (load.timedOut) {
    throw new BuildEnvironmentError(`${binary} did not finish the load test within ${(options.timeoutMs ?? 60_000) / 1000} s and was killed:\n${load.output.slice(0, 2000)}`);
  }
  applyLoadTest(load, result, build, dynamicModules, rangeFor);

  // The lua-nginx-module version: asked of the binary when its VM started, else read from the sources -V names.
  if (load.ngxLuaVersion !== undefined) {
    nginx.ngxLuaVersion = load.ngxLuaVersion;
    nginx.ngxLuaVersionFrom = 'ngx.config.ngx_lua_version';
  } else {
    const fromSources = ngxLuaVersionFromSources(info);
    if (fromSources) {
      nginx.ngxLuaVersion = fromSources.version;
      nginx.ngxLuaVersionFrom = fromSources.file;
    }
  }
  const env: FfiEnvironment = { subsystems: load.subsystem ? [load.subsystem] : subsystems, os: load.jit?.os || 'Linux', arch: load.jit?.arch || image.arch };
  findings.push(...versionFindings(build, nginx, env));
  if (nginx.ngxLuaVersion === undefined) {
    notes.push('The lua-nginx-module version of this nginx is unknown (its Lua VM did not start and nginx -V names no lua-nginx-module sources): version checks were skipped.');
  }

  const files = build.closure?.ffiFiles() ?? [];
  const runtime = build.closure?.runtimeFfi() ?? [];
  findings.push(
    ...undefinedSymbolFindings({ files, runtime, env, owner, binary, likelyCause: (symbol) => likelyCause(symbol, info, nginx.ngxLuaVersion) }),
  );
  notes.push(...undeclaredNote(files, runtime));

  await compareBytecode(options, load, nginx, findings, notes);
  return result;
}

/** The version checks of every closure module (resty.core.base's exact one above all) against the binary's. */
function versionFindings(build: BuildProject, nginx: NginxFacts, env: FfiEnvironment): Finding[] {
  const actual = nginx.ngxLuaVersion;
  if (actual === undefined || !build.closure) {
    return [];
  }
  const findings: Finding[] = [];
  for (const file of build.closure.files) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    const checks = scanFfi(text).versionChecks.filter((c) => canRun(c.conditions, env) && versionCheckFails(c, actual));
    if (checks.length === 0) {
      continue;
    }
    const lines = new LineIndex(text);
    for (const c of checks) {
      const wants = c.op === '~=' ? `exactly ${formatNgxLuaVersion(c.version)} (${c.version})` : `ngx_lua_version ${c.op === '<' ? '>=' : c.op === '<=' ? '>' : c.op === '>' ? '<=' : c.op === '>=' ? '<' : '~='} ${c.version}`;
      findings.push({
        file,
        range: lines.range(c.start, c.end),
        severity: 'error',
        code: 'ngx-lua-version',
        message: `This module requires lua-nginx-module ${wants}, but ${nginx.binary} has ${formatNgxLuaVersion(actual)} (${actual}): loading it raises "${c.message}". Use the lua-resty-core release made for lua-nginx-module ${formatNgxLuaVersion(actual)}, or build nginx with the lua-nginx-module it expects.`,
      });
    }
  }
  return findings;
}

function undeclaredNote(files: readonly FfiFile[], runtime: readonly FfiFile[]): string[] {
  const declared = new DeclarationIndex(files, runtime);
  const missing = new Set(files.flatMap((f) => f.ffi.uses.filter((u) => !u.guarded && !declared.has(u.name)).map((u) => u.name)));
  return missing.size > 0 ? [`${missing.size} ffi.C name(s) have no ffi.cdef (reported by resty-build check as ffi-missing-declaration): ${[...missing].slice(0, 8).join(', ')}`] : [];
}

/** Drops the throw-away prefix from nginx's messages. */
function cleanMessage(message: string): string {
  return message.replace(/\/[^\s'"]*resty-build-load-test-[A-Za-z0-9]+\//g, '$prefix/');
}

function applyLoadTest(
  load: LoadTestResult,
  result: AuditResult,
  build: BuildProject,
  dynamicModules: AuditedDynamicModule[],
  rangeFor: (module?: string) => Range,
): void {
  const manifest = build.manifest;
  const byModule = new Map(load.modules.map((m) => [m.module, m]));
  for (const m of result.modules) {
    const tested = byModule.get(m.module);
    if (tested) {
      m.loaded = tested.ok;
      m.message = tested.message && cleanMessage(tested.message);
    }
  }
  for (const m of result.modules.filter((x) => x.loaded === false)) {
    result.findings.push({
      file: manifest.file,
      range: rangeFor(m.module),
      severity: 'error',
      code: 'nginx-load-failed',
      message: `${result.nginx.binary} cannot load '${m.module}' (the load test required it in init_by_lua): ${m.message}`,
      module: m.module,
    });
  }
  if (load.completed) {
    return;
  }
  const errors = load.startupErrors;
  for (const e of errors) {
    const message = cleanMessage(e.message);
    const loadModuleFile = e.confLine !== undefined ? load.loadModuleLines.get(e.confLine) : undefined;
    const dynamic = loadModuleFile ? dynamicModules.find((d) => d.file === loadModuleFile) : undefined;
    if (dynamic) {
      const reported = result.findings.find((f) => f.code === 'dynamic-module-incompatible' && f.message.includes(dynamic.file));
      if (reported) {
        reported.message += `\nThe load test confirms it: nginx says "${message}".`;
        continue;
      }
      dynamic.compatible = false;
      dynamic.problem = message;
      const directive = loadModulesOf(build.project).find((d) => d.file === loadModuleFile)!;
      result.findings.push({ file: directive.confFile, range: directive.range, severity: 'error', code: 'dynamic-module-incompatible', message: `nginx refuses load_module "${directive.written}": ${message}` });
      continue;
    }
    const restyCore = /failed to load the 'resty\.core' module/.test(message);
    const module = restyCore ? 'resty.core' : undefined;
    const at = module ? result.modules.find((m) => m.module === module) : undefined;
    if (at) {
      at.loaded = false;
      at.message = message;
    }
    const unexported = module && at && at.exported && /module 'resty\.core' not found/.test(message);
    result.findings.push({
      file: manifest.file,
      range: rangeFor(module),
      severity: 'error',
      code: 'nginx-load-failed',
      message:
        `${result.nginx.binary} stops before its Lua VM is ready (nginx [${e.level}]): ${message}` +
        (restyCore ? '\nlua-nginx-module requires resty.core when its Lua VM starts, so no other module could be tried.' : '') +
        (unexported ? `\n${at.symbol} is exported, so the LuaJIT inside nginx rejected its bytecode: compile with a LuaJIT built like that one (same version and GC64 setting).` : ''),
      module,
    });
  }
  if (errors.length === 0) {
    const lastOk = load.modules.length;
    const next = result.modules[lastOk]?.module;
    const how = load.exitCode === null ? 'was killed' : `exited with ${load.exitCode}`;
    result.findings.push({
      file: manifest.file,
      range: rangeFor(next),
      severity: 'error',
      code: 'nginx-load-failed',
      message: `${result.nginx.binary} ${how} during the load test${next ? ` while requiring '${next}'` : ''}:\n${cleanMessage(load.output).slice(0, 2000)}`,
      module: next,
    });
  }
}

/** The binary's LuaJIT must accept what the compiler writes (version byte, GC64): else every module is "not found". */
async function compareBytecode(options: AuditOptions, load: LoadTestResult, nginx: NginxFacts, findings: Finding[], notes: string[]): Promise<void> {
  const header = load.headerHex ? parseBytecodeHeader(Buffer.from(load.headerHex, 'hex')) : undefined;
  if (nginx.luajit && load.jit) {
    nginx.luajit.version = load.jit.version;
  }
  if (!header || !load.headerHex) {
    notes.push("The LuaJIT inside nginx was not asked for its bytecode format (its Lua VM did not start): the compiler's bytecode was not compared with it.");
    return;
  }
  const runtime: LuaJitInfo = { path: nginx.luajit?.file ?? nginx.binary, versionText: load.jit?.version ?? 'LuaJIT', header, headerHex: load.headerHex };
  nginx.luajit = { file: runtime.path, version: runtime.versionText, header: load.headerHex, description: describeHeader(header) };
  let compiler: LuaJitInfo;
  try {
    compiler = await identifyLuaJit(options.compiler ?? options.build.manifest.luajit.compiler, { signal: options.signal, cwd: options.build.manifest.dir });
  } catch (e) {
    notes.push(`The compiler could not be identified, so its bytecode was not compared with nginx's LuaJIT: ${e instanceof Error ? e.message : String(e)}`);
    return;
  }
  findings.push(...compareWithRuntime(options.build.manifest, compiler, runtime));
}
