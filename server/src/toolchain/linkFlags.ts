import * as fs from 'node:fs';
import * as path from 'node:path';
import { LinkMode, Manifest } from '../core/manifest/manifest';
import { SourceFolder } from '../core/manifest/manifestPaths';
import { appendAll } from '../core/types';
import { OutputFolder, writeError } from './outDir';
import { BuildEnvironmentError, findExecutable, runTool } from './tool';

/** The archive `--mode archive` builds in outDir, linked as -lresty_build_bytecode. */
export const ARCHIVE_LIB = 'resty_build_bytecode';
export const ARCHIVE_FILE = `lib${ARCHIVE_LIB}.a`;

export type Libc = 'glibc' | 'musl' | 'other';

export interface LinkWarning {
  /** Stable code: static-glibc, static-pie, no-export-dynamic, export-dynamic-note, archive-not-whole, unsafe-path, object-missing, no-objects. */
  code: string;
  severity: 'warning' | 'info';
  message: string;
}

export interface LinkFlags {
  mode: LinkMode;
  /** Arguments for nginx's ./configure, unquoted: ["--with-compat", "--with-ld-opt=<value>"]. */
  configureArgs: string[];
  /** The --with-ld-opt value: linker arguments, each shell-quoted, as nginx's Makefile passes them to sh. */
  withLdOpt: string;
  /** The same arguments as a list (what the linker receives). */
  ldOpt: string[];
  /** Absolute paths of the bytecode objects (in archive mode: the archive's members). */
  objects: string[];
  /** archive mode: the library file. */
  archive?: string;
  warnings: LinkWarning[];
}

export interface LinkFlagsOptions {
  manifest: Manifest;
  /** Absolute object paths, in link order. */
  objects: readonly string[];
  mode?: LinkMode;
  /** Where LDFLAGS comes from (distribution flags, merged because nginx's configure ignores them). */
  env?: NodeJS.ProcessEnv;
  /** The C library of the link (default: the one this process runs on). */
  libc?: Libc;
  exists?: (file: string) => boolean;
}

const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** Quotes a word for a POSIX shell: single quotes, an embedded ' as '\''. Plain words stay as they are. */
export function shellQuote(word: string): string {
  if (word !== '' && SAFE_WORD.test(word)) {
    return word;
  }
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Splits a string like a POSIX shell splits words (quotes and backslashes; no expansions): for LDFLAGS. */
export function splitShellWords(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      word += text.slice(i + 1, end < 0 ? text.length : end);
      i = end < 0 ? text.length : end;
      inWord = true;
    } else if (c === '"') {
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\' && i + 1 < text.length && '"\\$`'.includes(text[i + 1])) {
          i++;
        }
        word += text[i++];
      }
      inWord = true;
    } else if (c === '\\' && i + 1 < text.length) {
      word += text[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) {
        words.push(word);
      }
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) {
    words.push(word);
  }
  return words;
}

/** The C library this process runs on: Node reports glibc's version only on glibc. */
export function hostLibc(): Libc {
  const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
  if (header?.glibcVersionRuntime) {
    return 'glibc';
  }
  return fs.existsSync('/lib/ld-musl-x86_64.so.1') || fs.existsSync('/lib/ld-musl-aarch64.so.1') ? 'musl' : 'other';
}

/** Linker options as the linker sees them: `-Wl,a,b` and `-Xlinker a` unpacked. */
function linkerView(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a.startsWith('-Wl,')) {
      appendAll(out, a.slice(4).split(','));
    } else if (a === '-Xlinker' && i + 1 < args.length) {
      out.push(args[++i]);
    } else {
      out.push(a);
    }
  }
  return out;
}

function analyse(user: readonly string[], libc: Libc, warnings: LinkWarning[]): void {
  const linker = linkerView(user);
  const exportsSymbols = user.includes('-rdynamic') || linker.some((a) => a === '-E' || a === '--export-dynamic' || a === '-export-dynamic');
  const noExport = linker.some((a) => a === '--no-export-dynamic');
  const isStatic = user.includes('-static');
  if (isStatic) {
    warnings.push(
      libc === 'glibc'
        ? {
            code: 'static-glibc',
            severity: 'warning',
            message:
              '-static with glibc: LuaJIT finds embedded bytecode with dlsym(RTLD_DEFAULT, "luaJIT_BC_<name>"), which finds nothing in a static glibc executable, so every embedded module is reported "not found". Link dynamically (LuaJIT itself may still be linked from its .a), or build against musl and check with resty-build verify.',
          }
        : {
            code: 'static-glibc',
            severity: 'info',
            message: `-static with ${libc === 'musl' ? 'musl' : 'this C library'}: the bytecode is found only if dlsym works in a static executable; run resty-build verify with the same flags on the target system.`,
          },
    );
  }
  if (user.includes('-static-pie') && libc === 'glibc') {
    warnings.push({ code: 'static-pie', severity: 'warning', message: '-static-pie with glibc: an nginx linked this way crashes when LuaJIT looks up the bytecode symbols. Link dynamically.' });
  }
  if (noExport) {
    warnings.push({
      code: 'no-export-dynamic',
      severity: 'warning',
      message:
        '-Wl,--no-export-dynamic hides the luaJIT_BC_ symbols from dlsym (it cancels the -Wl,-E that lua-nginx-module adds): every embedded module is reported "not found". Remove it.',
    });
  } else if (!exportsSymbols && !isStatic) {
    warnings.push({
      code: 'export-dynamic-note',
      severity: 'info',
      message:
        'No -Wl,-E here: fine when nginx is built with lua-nginx-module, whose config adds -Wl,-E when it detects LuaJIT. When you link another way, add -Wl,-E, or dlsym cannot see the bytecode symbols and the modules are "not found".',
    });
  }
  let whole = false;
  for (const a of linker) {
    if (a === '--whole-archive') {
      whole = true;
    } else if (a === '--no-whole-archive') {
      whole = false;
    } else if (!whole && (a === `-l${ARCHIVE_LIB}` || a.endsWith(`/${ARCHIVE_FILE}`) || a === ARCHIVE_FILE)) {
      warnings.push({
        code: 'archive-not-whole',
        severity: 'warning',
        message: `${a} is linked without --whole-archive: nothing in nginx references the luaJIT_BC_ symbols, so the linker drops every member. Use -Wl,--whole-archive ${a} -Wl,--no-whole-archive (the archive mode does this).`,
      });
    } else if (!whole && a.endsWith('.a')) {
      warnings.push({
        code: 'archive-not-whole',
        severity: 'info',
        message: `${a} is linked without --whole-archive: if it holds bytecode objects, the linker drops them (nothing references their symbols).`,
      });
    }
  }
}

/**
 * The flags for nginx's ./configure: --with-compat (dynamic modules stay
 * binary-compatible) and --with-ld-opt with the objects (or the archive,
 * whole), the manifest's link.extraLdOpt and $LDFLAGS, which configure would
 * otherwise ignore. Pure apart from the existence check of objects.
 */
export function computeLinkFlags(options: LinkFlagsOptions): LinkFlags {
  const { manifest } = options;
  const mode = options.mode ?? manifest.link.mode;
  const exists = options.exists ?? fs.existsSync;
  const warnings: LinkWarning[] = [];
  const objects = [...new Set(options.objects)];
  const ldflags = splitShellWords(options.env?.LDFLAGS ?? '');
  const user = [...ldflags, ...manifest.link.extraLdOpt];
  const ldOpt = [...user];
  let archive: string | undefined;
  if (objects.length === 0) {
    warnings.push({ code: 'no-objects', severity: 'warning', message: 'No module to link: "embed" in resty-build.json lists none that can be compiled.' });
  } else if (mode === 'archive') {
    archive = path.join(manifest.outDir, ARCHIVE_FILE);
    ldOpt.push(`-L${manifest.outDir}`, '-Wl,--whole-archive', `-l${ARCHIVE_LIB}`, '-Wl,--no-whole-archive');
  } else {
    appendAll(ldOpt, objects);
  }
  const missing = objects.filter((o) => !exists(o));
  if (missing.length > 0) {
    warnings.push({
      code: 'object-missing',
      severity: 'warning',
      message: `${missing.length} object${missing.length === 1 ? ' is' : 's are'} not built yet (${missing.slice(0, 3).map((m) => path.basename(m)).join(', ')}${missing.length > 3 ? ', …' : ''}): run resty-build compile first.`,
    });
  }
  analyse(user, options.libc ?? hostLibc(), warnings);
  const risky = [...objects, manifest.outDir].find((p) => /[$`"\\]/.test(p));
  if (risky) {
    warnings.push({
      code: 'unsafe-path',
      severity: 'warning',
      message: `${risky} contains $, \`, " or \\: nginx's configure evaluates --with-ld-opt again inside double quotes in its feature tests, where these characters are not kept. Use an outDir without them.`,
    });
  }
  const withLdOpt = ldOpt.map(shellQuote).join(' ');
  const configureArgs = [...(manifest.link.compat ? ['--with-compat'] : []), ...(withLdOpt ? [`--with-ld-opt=${withLdOpt}`] : [])];
  return { mode, configureArgs, withLdOpt, ldOpt, objects, archive, warnings };
}

/** The configure arguments as one shell line, or one option per line joined with `\` continuations. */
export function formatConfigureLine(flags: LinkFlags, options: { multiline?: boolean; prefix?: string } = {}): string {
  const words = flags.configureArgs.map(shellQuote);
  if (options.prefix !== undefined) {
    words.unshift(options.prefix);
  }
  return options.multiline ? words.join(' \\\n    ') : words.join(' ');
}

/**
 * Puts the objects into outDir/libresty_build_bytecode.a with `ar rcs`,
 * written under a temp name and renamed, so a failed run keeps the old one
 * and the archive never holds members of modules no longer embedded.
 */
export async function createArchive(
  objects: readonly string[],
  manifest: Manifest,
  options: { ar?: string; signal?: AbortSignal; sources?: readonly SourceFolder[] } = {},
): Promise<string> {
  const ar = findExecutable(options.ar ?? 'ar');
  if (!ar) {
    throw new BuildEnvironmentError(`'${options.ar ?? 'ar'}' not found: the archive mode needs it (Debian: apt-get install binutils).`);
  }
  const out = OutputFolder.prepare(manifest, options.sources ?? []);
  const release = out.lock();
  const target = out.file(ARCHIVE_FILE);
  const tmp = out.tempFile('.a');
  try {
    // Absolute member paths: none can be read by ar as an option.
    const run = await runTool(ar, ['rcs', tmp, ...objects.map((o) => path.resolve(o))], { signal: options.signal, timeoutMs: 120_000 });
    if (run.code !== 0) {
      throw new BuildEnvironmentError(`${ar} rcs failed (${run.code ?? run.signal}): ${run.stderr.trim()}`);
    }
    try {
      fs.renameSync(tmp, target);
    } catch (e) {
      throw writeError(target, e);
    }
  } finally {
    fs.rmSync(tmp, { force: true });
    release();
  }
  return path.join(manifest.outDir, ARCHIVE_FILE);
}
