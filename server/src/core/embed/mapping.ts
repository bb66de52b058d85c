import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { EmbedEntry, Manifest } from '../manifest/manifest';
import { Origin, Resolution } from '../resolve/resolver';
import { DiagnosticCode, Range } from '../types';

/** The prefix LuaJIT gives every bytecode symbol (lj_bcdump.h / jit/bcsave.lua). */
export const BC_PREFIX = 'luaJIT_BC_';

/** What `luajit -b -n <name>` accepts (bcsave.lua's checkmodname). */
export function isEmbeddableName(name: string): boolean {
  return /^[A-Za-z0-9_.-]+$/.test(name);
}

/** The symbol `luajit -b -n <name>` writes: dots and hyphens become underscores (bcsave.lua). */
export function symbolForModule(name: string): string {
  return BC_PREFIX + name.replace(/[.-]/g, '_');
}

/**
 * The name `require(name)` looks its bytecode up under: LuaJIT's preload
 * loader (lib_package.c, mksymname) drops everything up to and including the
 * first '-' (Lua's "ignore mark"), so `resty.jit-uuid` is looked up as `uuid`.
 */
export function loaderName(name: string): string {
  const dash = name.indexOf('-');
  return dash >= 0 ? name.slice(dash + 1) : name;
}

/**
 * The symbol `require(name)` looks up at run time: the loader name with only
 * '.' turned into '_' (a later '-' stays): `app.limit-count.sliding-window`
 * looks up luaJIT_BC_count_sliding-window.
 */
export function loaderSymbol(name: string): string {
  return BC_PREFIX + loaderName(name).replace(/\./g, '_');
}

/**
 * How a module is compiled so the loader finds it: `luajit -n <loader name>`,
 * then, when the loader name keeps a '-' (which -n turns into '_'), a rename
 * of the written symbol to the loader's (`objcopy --redefine-sym`).
 */
export interface CompileNaming {
  /** The argument of `luajit -n`. */
  name: string;
  /** The symbol luajit writes for it. */
  compiledSymbol: string;
  /** The symbol the loader looks up; differs from compiledSymbol when a rename is needed. */
  symbol: string;
}

export function compileNaming(module: string): CompileNaming {
  const name = loaderName(module);
  return { name, compiledSymbol: symbolForModule(name), symbol: loaderSymbol(module) };
}

/**
 * Why a name can never be found as embedded bytecode, or undefined when it
 * can. A name ending in '-' leaves the loader nothing to look up
 * (luaJIT_BC_ alone), and `luajit -n` rejects an empty name.
 */
export function unembeddableHyphenReason(module: string): string | undefined {
  if (module.includes('-') && loaderName(module) === '') {
    return `require drops everything up to its first '-', and '${module}' has nothing after it: the loader looks up ${BC_PREFIX} alone, which luajit -n cannot write`;
  }
  return undefined;
}

/**
 * `resty.upstream.healthcheck` -> `resty_upstream_healthcheck.lua`, the name
 * builds flatten to so that `luajit -b` without `-n` writes the loader's
 * symbol (`resty.jit-uuid` -> `uuid.lua`). A loader name that keeps a '-'
 * (`count_sliding-window.lua`) cannot: luajit writes `_` for it, and only a
 * rename after compiling gives the loader's symbol.
 */
export function flatFileName(name: string): string {
  return loaderName(name).replace(/[./]/g, '_') + '.lua';
}

/** Longest object file name written as the module's flattened name; longer ones are shortened (file systems allow 255 bytes). */
export const MAX_OBJECT_NAME = 128;

/**
 * The object file a module compiles to, inside outDir: the flattened name,
 * or for a very long name its first part and a hash of the whole, so the
 * file name stays bounded (the symbol inside is the full one, from -n).
 */
export function objectFileName(name: string): string {
  const flat = name.replace(/[./]/g, '_');
  if (Buffer.byteLength(flat) + 2 <= MAX_OBJECT_NAME) {
    return flat + '.o';
  }
  return `${flat.slice(0, 80)}-${createHash('sha256').update(name).digest('hex').slice(0, 32)}.o`;
}

/** What `luajit -b` without `-n` would name a file's symbol: its base name minus the extension. */
export function symbolFromFileName(file: string): string {
  const base = path.basename(file);
  const dot = base.lastIndexOf('.');
  const head = (dot > 0 ? base.slice(0, dot) : base).match(/^[A-Za-z0-9_.-]+/)?.[0] ?? '';
  return BC_PREFIX + head.replace(/[.-]/g, '_');
}

export interface MappingReason {
  code: DiagnosticCode;
  message: string;
}

/** One row of the name mapping: what will be compiled and linked for a module. */
export interface MappingEntry {
  module: string;
  /** The Lua source, absolute; undefined when it could not be found. */
  file?: string;
  flatName: string;
  /** Absolute path of the object file in outDir. */
  object: string;
  /** The symbol the loader looks up (`luaJIT_BC_uuid` for `resty.jit-uuid`). */
  symbol: string;
  /** How it is compiled to that symbol: the `-n` name and, for a later '-', the symbol to rename. */
  naming: CompileNaming;
  origin?: Origin;
  /** The manifest entry, for diagnostics and code actions. */
  range: Range;
  /** Problems that keep this entry from working; empty when it embeds cleanly. */
  reasons: MappingReason[];
}

/**
 * Builds the mapping rows from the manifest's `embed` list; `resolve` finds
 * non-explicit sources; `inputProblem` says why an explicit file that is
 * there cannot be read (a FIFO, a device, too large).
 */
export function buildMapping(
  manifest: Manifest,
  resolve: (name: string) => Resolution,
  fileExists: (file: string) => boolean,
  inputProblem: (file: string) => string | undefined = () => undefined,
): MappingEntry[] {
  return manifest.embed.map((entry: EmbedEntry) => {
    const reasons: MappingReason[] = [];
    let file: string | undefined;
    let origin: Origin | undefined;
    if (entry.file !== undefined) {
      file = entry.file;
      origin = 'explicit';
      if (!fileExists(file)) {
        const why = inputProblem(file);
        reasons.push({ code: 'mapping-file-missing', message: `The file '${path.relative(manifest.dir, file)}' given for '${entry.module}' ${why ? `is ${why}: it is not read` : 'does not exist'}.` });
        file = undefined;
      }
    } else {
      const resolution = resolve(entry.module);
      if (resolution.status === 'file') {
        file = resolution.file;
        origin = resolution.origin;
      } else if (resolution.status === 'builtin' || resolution.status === 'provided') {
        origin = resolution.origin;
        const what =
          resolution.status === 'builtin'
            ? 'built into the runtime'
            : resolution.registeredBy
              ? `put into package.${resolution.registeredBy.table} by ${path.relative(manifest.dir, resolution.registeredBy.file)}`
              : 'declared as provided by the runtime';
        reasons.push({ code: 'mapping-file-missing', message: `'${entry.module}' is ${what}: there is no Lua source to embed.` });
      } else if (resolution.status === 'native') {
        file = resolution.file;
        origin = 'native';
        reasons.push({ code: 'native-module', message: `'${entry.module}' is a C module (${resolution.file}): it cannot be compiled to bytecode; ship the library in the runtime image.` });
      } else {
        reasons.push({ code: 'mapping-file-missing', message: `No source file found for '${entry.module}'.` });
      }
    }
    return {
      module: entry.module,
      file,
      flatName: flatFileName(entry.module),
      object: path.join(manifest.outDir, objectFileName(entry.module)),
      symbol: loaderSymbol(entry.module),
      naming: compileNaming(entry.module),
      origin,
      range: entry.range,
      reasons,
    };
  });
}
