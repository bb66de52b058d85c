import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { embedEntryRange, Manifest } from '../core/manifest/manifest';
import { compileNaming, loaderSymbol } from '../core/embed/mapping';
import { Finding } from '../core/types';
import { CompiledObject } from './compile';
import { exportedSymbols, isElf } from './elf';
import { splitShellWords } from './linkFlags';
import { BuildEnvironmentError, findExecutable, runTool } from './tool';

/**
 * The probe: a host program linked like nginx would be, asking LuaJIT's own
 * first loader (package.loaders[1], the preload loader of lib_package.c)
 * for each module. That loader looks up luaJIT_BC_<name> with
 * dlsym(RTLD_DEFAULT) and returns the loaded chunk *without running it*, so
 * modules needing ngx at run time (resty.core.*) can be checked too. When it
 * finds nothing the probe tells why: no symbol, or bytecode LuaJIT rejects.
 */
export const PROBE_SOURCE = `#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>

/* Arguments: pairs of <module> <symbol require looks up>. Prints one line per module. */
int main(int argc, char **argv)
{
  lua_State *L = luaL_newstate();
  int i;
  if (L == NULL) {
    printf("error cannot create a Lua state\\n");
    return 3;
  }
  luaL_openlibs(L);
  for (i = 1; i + 1 < argc; i += 2) {
    const char *name = argv[i], *sym = argv[i + 1];
    void *data = dlsym(RTLD_DEFAULT, sym);
    lua_settop(L, 0);
    lua_getglobal(L, "package");
    lua_getfield(L, -1, "loaders");
    lua_rawgeti(L, -1, 1);
    lua_pushstring(L, name);
    if (lua_pcall(L, 1, 1, 0) != 0) {
      printf("fail %s loader-error %s\\n", name, lua_tostring(L, -1));
    } else if (lua_isfunction(L, -1)) {
      printf("ok %s\\n", name);
    } else if (data == NULL) {
      printf("fail %s no-symbol %s\\n", name, sym);
    } else {
      lua_settop(L, 0);
      if (luaL_loadbuffer(L, (const char *)data, 0x7fffff00, name) != 0) {
        printf("fail %s rejected %s\\n", name, lua_tostring(L, -1));
      } else {
        printf("fail %s rejected the preload loader refused it\\n", name);
      }
    }
    fflush(stdout);
  }
  lua_close(L);
  return 0;
}
`;

export interface ProbeToolchain {
  cc: string;
  cflags: string[];
  libs: string[];
  /** How the LuaJIT development files were found: "pkg-config luajit" or a path. */
  luajitFrom: string;
}

export interface ModuleCheck {
  module: string;
  ok: boolean;
  /** Why it failed, in words for the user. */
  detail?: string;
}

export interface VerifyOptions {
  manifest: Manifest;
  objects: readonly CompiledObject[];
  /** The linker arguments (computeLinkFlags().ldOpt): objects or the whole archive, extraLdOpt, LDFLAGS. */
  linkArgs: readonly string[];
  /** Add -Wl,-E like lua-nginx-module's config does (default true); false to check a link without it. */
  exportDynamic?: boolean;
  toolchain?: ProbeToolchain;
  /** Where the toolchain is looked for when not given ($CC, PATH); default: this process's environment. */
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Keep the temp folder (for debugging the probe). */
  keepTemp?: boolean;
}

export interface VerifyResult {
  modules: ModuleCheck[];
  findings: Finding[];
  /** The compile-and-link command of the probe. */
  command: string[];
  cancelled: boolean;
}

const HOW_TO_GET = 'Debian/Ubuntu: apt-get install gcc libluajit2-5.1-dev (or pkg-config with a luajit.pc).';

function multiarchDirs(): string[] {
  const arch = os.arch() === 'x64' ? 'x86_64' : os.arch() === 'arm64' ? 'aarch64' : os.arch();
  return [`/usr/lib/${arch}-linux-gnu`, '/usr/lib64', '/usr/lib', '/usr/local/lib', '/usr/local/openresty/luajit/lib'];
}

/** Finds a C compiler and LuaJIT's headers and library: pkg-config first, then the usual Debian and OpenResty paths. */
export async function findProbeToolchain(env: NodeJS.ProcessEnv = process.env): Promise<ProbeToolchain> {
  const ccName = env.CC && findExecutable(env.CC, env) ? env.CC : ['cc', 'gcc', 'clang'].find((c) => findExecutable(c, env));
  const cc = ccName ? findExecutable(ccName, env) : undefined;
  const missing: string[] = [];
  if (!cc) {
    missing.push('a C compiler (cc, gcc or clang)');
  }
  let cflags: string[] | undefined;
  let libs: string[] | undefined;
  let luajitFrom = '';
  const pkgConfig = findExecutable('pkg-config', env);
  if (pkgConfig) {
    const r = await runTool(pkgConfig, ['--cflags', '--libs', 'luajit'], { timeoutMs: 15_000 });
    if (r.code === 0) {
      const words = splitShellWords(r.stdout.toString('utf8'));
      cflags = words.filter((w) => !w.startsWith('-l') && !w.startsWith('-L'));
      libs = words.filter((w) => w.startsWith('-l') || w.startsWith('-L'));
      luajitFrom = 'pkg-config luajit';
    }
  }
  if (!cflags) {
    const include = ['/usr/include/luajit-2.1', '/usr/local/include/luajit-2.1', '/usr/local/openresty/luajit/include/luajit-2.1'].find((d) =>
      fs.existsSync(path.join(d, 'lua.h')),
    );
    const libDir = multiarchDirs().find((d) => fs.existsSync(path.join(d, 'libluajit-5.1.so')) || fs.existsSync(path.join(d, 'libluajit-5.1.a')));
    if (include && libDir) {
      cflags = [`-I${include}`];
      libs = [`-L${libDir}`, '-lluajit-5.1'];
      luajitFrom = include;
    } else {
      missing.push("LuaJIT's headers and library (lua.h, libluajit-5.1)");
    }
  }
  if (missing.length > 0 || !cc || !cflags || !libs) {
    throw new BuildEnvironmentError(`verify needs ${missing.join(' and ')}. ${HOW_TO_GET}`);
  }
  return { cc, cflags, libs, luajitFrom };
}

function explain(check: ModuleCheck, kind: string, rest: string, object: CompiledObject | undefined, linkArgs: readonly string[]): string {
  const symbol = loaderSymbol(check.module);
  if (kind === 'rejected') {
    return `The linked libluajit found ${symbol} but rejects its bytecode: ${rest}. The compiler and the runtime LuaJIT differ (version or GC64); nginx would report "module '${check.module}' not found".`;
  }
  if (kind !== 'no-symbol') {
    return rest;
  }
  if (object) {
    let defined: string[] = [];
    try {
      const data = fs.readFileSync(object.object);
      defined = isElf(data) ? exportedSymbols(data) : [];
    } catch {
      // Reported below as a general failure.
    }
    if (defined.length > 0 && !defined.includes(symbol)) {
      return `require('${check.module}') looks up ${symbol}, but ${path.basename(object.object)} defines ${defined.join(', ')} (compiled with another -n name?): the module is "not found". Recompile it with luajit -b -n ${compileNaming(check.module).name}${compileNaming(check.module).compiledSymbol !== symbol ? ` and rename its symbol to ${symbol}` : ''}.`;
    }
  }
  const linker = linkArgs.join(' ');
  if (/(^| )-static( |$)/.test(linker)) {
    return `${symbol} is linked in but dlsym cannot see it: the probe was linked with -static. Every embedded module is "not found" in such a binary.`;
  }
  return `${symbol} is not visible to dlsym in the linked program: the executable does not export its symbols (link with -Wl,-E; lua-nginx-module's config adds it when it detects LuaJIT) or the object is not linked in.`;
}

/**
 * Links the probe with the compiled objects and the link flags, runs it and
 * reports per module whether LuaJIT's loader finds its bytecode. Throws
 * BuildEnvironmentError when the compiler or LuaJIT's dev files are missing.
 */
export async function verifyEmbedding(options: VerifyOptions): Promise<VerifyResult> {
  const { manifest, signal } = options;
  const toolchain = options.toolchain ?? (await findProbeToolchain(options.env));
  const timeoutMs = options.timeoutMs ?? 120_000;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'resty-build-verify-'));
  const findings: Finding[] = [];
  const modules: ModuleCheck[] = [];
  const rangeFor = embedEntryRange(manifest);
  try {
    const source = path.join(tmp, 'probe.c');
    const exe = path.join(tmp, 'probe');
    fs.writeFileSync(source, PROBE_SOURCE);
    const command = [
      toolchain.cc,
      '-o',
      exe,
      source,
      ...toolchain.cflags,
      ...options.linkArgs,
      ...(options.exportDynamic === false ? [] : ['-Wl,-E']),
      ...toolchain.libs,
      '-ldl',
      '-lm',
    ];
    const link = await runTool(command[0], command.slice(1), { cwd: tmp, timeoutMs, signal });
    if (link.aborted) {
      return { modules, findings, command, cancelled: true };
    }
    if (link.code !== 0) {
      const output = link.stderr.trim().split('\n').slice(0, 12).join('\n');
      findings.push({
        file: manifest.file,
        range: rangeFor(),
        severity: 'error',
        code: 'verify-link-failed',
        message: `The probe program does not link with these flags${link.timedOut ? ` (${toolchain.cc} timed out)` : ''}:\n${output}`,
      });
      return { modules, findings, command, cancelled: false };
    }
    const args = options.objects.flatMap((o) => [o.module, loaderSymbol(o.module)]);
    const run = await runTool(exe, args, { cwd: tmp, timeoutMs, signal });
    if (run.aborted) {
      return { modules, findings, command, cancelled: true };
    }
    const lines = run.stdout.toString('utf8').split('\n');
    const byModule = new Map(options.objects.map((o) => [o.module, o]));
    const seen = new Set<string>();
    for (const line of lines) {
      const m = /^(ok|fail) (\S+)(?: (\S+) ?(.*))?$/.exec(line);
      if (!m) {
        continue;
      }
      const check: ModuleCheck = { module: m[2], ok: m[1] === 'ok' };
      seen.add(check.module);
      if (!check.ok) {
        check.detail = explain(check, m[3] ?? '', m[4] ?? '', byModule.get(check.module), options.linkArgs);
      }
      modules.push(check);
    }
    for (const o of options.objects) {
      if (!seen.has(o.module)) {
        const why = run.timedOut ? `timed out after ${timeoutMs / 1000} s` : run.signal ? `killed by ${run.signal}` : `exited ${run.code}`;
        modules.push({ module: o.module, ok: false, detail: `The probe stopped before checking it (${why}): ${run.stderr.trim().split('\n')[0] ?? ''}` });
      }
    }
    for (const check of modules.filter((c) => !c.ok)) {
      findings.push({
        file: manifest.file,
        range: rangeFor(check.module),
        severity: 'error',
        code: 'verify-failed',
        message: `'${check.module}' is not found as embedded bytecode: ${check.detail}`,
        module: check.module,
      });
    }
    return { modules, findings, command, cancelled: false };
  } finally {
    if (!options.keepTemp) {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }
}
