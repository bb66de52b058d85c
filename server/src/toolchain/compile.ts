import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readBounded } from '../core/nodeFileSystem';
import { Manifest } from '../core/manifest/manifest';
import { SourceFolder } from '../core/manifest/manifestPaths';
import { relativeInside } from '../core/paths';
import { isEmbeddableName, MappingEntry } from '../core/embed/mapping';
import { DiagnosticCode, Finding, rangeOf } from '../core/types';
import { exportedSymbols, isElf } from './elf';
import { compareWithRuntime, identifyLuaJit, LuaJitInfo } from './luajitInfo';
import { CompilerWorker } from './compilerWorker';
import { findObjcopy, renameSymbol, SymbolRename } from './symbolRename';
import { OutputFolder, TEMP_PREFIX } from './outDir';
import { BuildEnvironmentError, runPool } from './tool';

export { TEMP_PREFIX } from './outDir';

/** Written into outDir; lists the objects this tool wrote, so it never deletes anything else. */
export const CACHE_FILE = '.resty-build-cache.json';
const CACHE_VERSION = 1;
export const DEFAULT_JOB_TIMEOUT_MS = 60_000;

export interface CompileProgress {
  done: number;
  total: number;
  /** The module that just finished (compiled or failed). */
  module: string;
}

export interface CompileOptions {
  manifest: Manifest;
  /** The mapping rows (buildMapping); rows with reasons are skipped and reported. */
  entries: readonly MappingEntry[];
  /** Overrides manifest.luajit.compiler (CLI --luajit, the restyBuild.luajitPath setting). */
  compiler?: string;
  /** Parallel luajit processes; default os.availableParallelism(). */
  jobs?: number;
  /** Per-module limit; a luajit still running then is killed. */
  timeoutMs?: number;
  signal?: AbortSignal;
  onProgress?: (progress: CompileProgress) => void;
  /** Recompile everything, ignoring the cache. */
  force?: boolean;
  /** The build's own writes (tests inject a full disk). */
  writer?: BuildWriter;
  /**
   * The project's source folders beyond what the manifest names (nginx.conf,
   * inferred path, embed files, luakit context): outDir must keep apart from them.
   */
  sources?: readonly SourceFolder[];
}

export interface CompiledObject {
  module: string;
  file: string;
  object: string;
  symbol: string;
}

export interface CompileResult {
  outDir: string;
  compiler: LuaJitInfo;
  runtime?: LuaJitInfo;
  /** Modules compiled in this run. */
  compiled: string[];
  /** Modules whose object was reused from an earlier run. */
  upToDate: string[];
  /** Modules that failed (compile error, killed compiler, wrong symbol). */
  failed: string[];
  /** Objects deleted because their module is no longer embedded (or failed). */
  removed: string[];
  /** Every object in place and valid after the build, in manifest order. */
  objects: CompiledObject[];
  findings: Finding[];
  cancelled: boolean;
}

interface CacheEntry {
  module: string;
  source: string;
  sourceHash: string;
  compiler: string;
  flags: string[];
  size: number;
  mtimeMs: number;
}

interface CacheFile {
  version: number;
  objects: Record<string, CacheEntry>;
}

interface Job {
  entry: MappingEntry & { file: string };
  input: string;
  flags: string[];
  /** The symbol luajit writes and the loader's, when they differ (a '-' after the first one). */
  rename?: SymbolRename;
  sourceHash: string;
}

/** What the cache compares: the luajit flags and the rename after it. */
function cacheFlags(job: Pick<Job, 'flags' | 'rename'>): string[] {
  return job.rename ? [...job.flags, `--redefine-sym=${job.rename.from}=${job.rename.to}`] : job.flags;
}

/** What a cache key may be: the name of an object file this tool writes, directly inside outDir. */
function isObjectName(name: string): boolean {
  return /^[A-Za-z0-9_-][A-Za-z0-9_.-]*\.o$/.test(name) && Buffer.byteLength(name) <= 255;
}

function isCacheEntry(value: unknown): value is CacheEntry {
  const e = value as CacheEntry;
  return (
    typeof e === 'object' && e !== null && typeof e.module === 'string' && typeof e.source === 'string' && typeof e.sourceHash === 'string' &&
    typeof e.compiler === 'string' && Array.isArray(e.flags) && e.flags.every((f) => typeof f === 'string') && typeof e.size === 'number' && typeof e.mtimeMs === 'number'
  );
}

/**
 * The cache of an earlier run. It lies in a folder a cloned repository can
 * ship, so it is untrusted input: read with a size bound from a regular
 * file, and only entries naming a plain object file directly inside outDir
 * are kept; the others are returned as `ignored`, never followed.
 */
function readCache(out: OutputFolder): { cache: CacheFile; ignored: string[] } {
  const cache: CacheFile = { version: CACHE_VERSION, objects: Object.create(null) as Record<string, CacheEntry> };
  const ignored: string[] = [];
  try {
    if (!out.isRegularFile(CACHE_FILE)) {
      return { cache, ignored };
    }
    const read = readBounded(out.file(CACHE_FILE));
    const data = 'data' in read ? (JSON.parse(read.data.toString('utf8')) as CacheFile) : undefined;
    if (data?.version === CACHE_VERSION && data.objects && typeof data.objects === 'object' && !Array.isArray(data.objects)) {
      for (const [name, entry] of Object.entries(data.objects)) {
        if (isObjectName(name) && isCacheEntry(entry) && (out.isRegularFile(name) || !fs.existsSync(out.file(name)))) {
          cache.objects[name] = entry;
        } else {
          ignored.push(name);
        }
      }
    }
  } catch {
    // Missing or damaged: start over (every object is then recompiled).
  }
  return { cache, ignored };
}

/** The writes the build makes itself (luajit writes the objects): injectable, so a full disk can be tested. */
export interface BuildWriter {
  writeFileSync(file: string, data: string | Buffer): void;
  renameSync(from: string, to: string): void;
}

const nodeWriter: BuildWriter = { writeFileSync: (f, d) => fs.writeFileSync(f, d), renameSync: (a, b) => fs.renameSync(a, b) };

const ERRNO_WORDS: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EIO: 'input/output error',
};

/** Writes through a temp file and a rename: a failed or interrupted write never leaves a partial file in place. */
export function writeAtomically(file: string, data: string | Buffer, writer: BuildWriter = nodeWriter): void {
  const tmp = path.join(path.dirname(file), `${TEMP_PREFIX}${process.pid}-${randomBytes(6).toString('hex')}`);
  try {
    writer.writeFileSync(tmp, data);
    writer.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw writeError(file, e);
  }
}

function writeError(file: string, e: unknown): BuildEnvironmentError {
  const code = (e as NodeJS.ErrnoException).code ?? String(e);
  return new BuildEnvironmentError(`cannot write ${file}: ${code}${ERRNO_WORDS[code] ? ` (${ERRNO_WORDS[code]})` : ''}. Free space or fix the permissions there, or change "outDir" in resty-build.json.`);
}

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** What identifies the compiler for the cache: where it is, what it says it is, what header it writes. */
export function compilerIdentity(info: LuaJitInfo): string {
  return sha256(`${info.path}\n${info.versionText}\n${info.headerHex}`);
}

/**
 * The argument luajit gets for the source: relative to the project when
 * inside it (short, machine-independent chunk names). A name starting with
 * '-' is given as './-x': luajit would read `-` as stdin and `-l` as an option.
 */
function inputArgument(manifest: Manifest, file: string): string {
  const arg = relativeInside(manifest.dir, file) || file;
  return arg.startsWith('-') ? `./${arg}` : arg;
}

/**
 * Splits luajit's message (`luajit: lib/x.lua:3: '=' expected near 'end'`)
 * into line and text. Lua shortens chunk names over 60 characters to
 * `...<tail>`, so the file part is matched as a suffix then.
 */
export function parseCompileError(stderr: string, input: string): { line?: number; message: string } {
  const first = stderr.trim().split('\n')[0] ?? '';
  let rest: string | undefined;
  const at = first.indexOf(input + ':');
  if (at >= 0) {
    rest = first.slice(at + input.length + 1);
  } else {
    const m = /\.\.\.(.*?):(\d+: .*)$/.exec(first);
    if (m && input.endsWith(m[1])) {
      rest = m[2];
    }
  }
  const lm = rest !== undefined ? /^(\d+): (.*)$/.exec(rest) : null;
  if (lm) {
    return { line: Number(lm[1]), message: lm[2] };
  }
  return { message: first.replace(/^\S*luajit\S*: /, '') || 'luajit failed without a message' };
}

function lineRange(file: string, line: number) {
  let text = '';
  try {
    const read = readBounded(file);
    text = 'data' in read ? (read.data.toString('utf8').split(/\r?\n/)[line - 1] ?? '') : '';
  } catch {
    // Gone since the compile: the line alone positions the finding.
  }
  return rangeOf(line - 1, 0, line - 1, text.length);
}

/**
 * Compiles every embedded module to a LuaJIT bytecode object in outDir:
 * `luajit -b[g] -n <module> -t o <source> <object>` (run by long-lived
 * LuaJIT workers, see compilerWorker.ts), in parallel, skipping
 * modules whose source, compiler and flags did not change, never leaving a
 * partial object behind, and checking each object defines its symbol.
 * Throws BuildEnvironmentError when luajit or outDir is unusable.
 */
export async function compileProject(options: CompileOptions): Promise<CompileResult> {
  const { manifest, signal } = options;
  // Before anything runs or is written: the build deletes stale objects in outDir, so it must not be a source folder.
  const out = OutputFolder.check(manifest, options.sources ?? []);
  const compilerCommand = options.compiler ?? manifest.luajit.compiler;
  const compiler = await identifyLuaJit(compilerCommand, { signal, cwd: manifest.dir });
  const findings: Finding[] = [];
  let runtime: LuaJitInfo | undefined;
  if (manifest.luajit.runtime && options.compiler !== undefined) {
    // The user named the compiler: the manifest's programs are not run behind their back.
    findings.push({
      file: manifest.file,
      range: manifest.ranges.get('luajit') ?? rangeOf(0, 0, 0, 0),
      severity: 'warning',
      code: 'runtime-unknown',
      message: `"luajit.runtime" (${manifest.luajit.runtime}) was not run: the compiler was named outside the manifest (${options.compiler}), so no program the manifest names is run. Bytecode compatibility is unchecked.`,
    });
  } else if (manifest.luajit.runtime) {
    try {
      runtime = await identifyLuaJit(manifest.luajit.runtime, { signal, cwd: manifest.dir });
      findings.push(...compareWithRuntime(manifest, compiler, runtime));
    } catch (e) {
      findings.push({
        file: manifest.file,
        range: manifest.ranges.get('luajit') ?? rangeOf(0, 0, 0, 0),
        severity: 'warning',
        code: 'runtime-unknown',
        message: `Cannot identify the runtime LuaJIT "luajit.runtime": ${(e as Error).message} Bytecode compatibility is unchecked.`,
      });
    }
  }
  out.create();
  const release = out.lock();
  try {
    return await compileLocked(options, out, compiler, runtime, findings);
  } finally {
    release();
  }
}

async function compileLocked(options: CompileOptions, out: OutputFolder, compiler: LuaJitInfo, runtime: LuaJitInfo | undefined, findings: Finding[]): Promise<CompileResult> {
  const { manifest, signal } = options;
  const outDir = manifest.outDir;
  out.removeStaleTemps();
  const { cache, ignored } = readCache(out);
  if (ignored.length > 0) {
    findings.push({
      file: manifest.file,
      range: manifest.ranges.get('outDir') ?? rangeOf(0, 0, 0, 0),
      severity: 'warning',
      code: 'build-cache-ignored',
      message: `${ignored.length} entr${ignored.length === 1 ? 'y' : 'ies'} of ${path.join(out.shown, CACHE_FILE)} did not name a plain object file directly inside outDir and ${ignored.length === 1 ? 'was' : 'were'} ignored (not followed, not deleted): ${ignored.slice(0, 3).map((k) => JSON.stringify(k)).join(', ')}${ignored.length > 3 ? ', …' : ''}.`,
    });
  }
  const compilerId = compilerIdentity(compiler);
  const result: CompileResult = { outDir, compiler, runtime, compiled: [], upToDate: [], failed: [], removed: [], objects: [], findings, cancelled: false };

  const jobs: Job[] = [];
  /** Object file -> module, and loader symbol -> module: what this build will link. */
  const claimed = new Map<string, string>();
  const bySymbol = new Map<string, string>();
  const done = new Map<string, CompiledObject>();
  for (const entry of options.entries) {
    const onManifest = (code: DiagnosticCode, message: string, severity: Finding['severity'] = 'error') =>
      findings.push({ file: manifest.file, range: entry.range, severity, code, message, module: entry.module });
    if (bySymbol.get(entry.symbol) === entry.module) {
      onManifest('duplicate-mapping', `'${entry.module}' is already in "embed": compiled once.`, 'warning');
      continue;
    }
    if (entry.reasons.length > 0 || entry.file === undefined) {
      for (const r of entry.reasons) {
        onManifest(r.code, `Not compiled: ${r.message}`);
      }
      continue;
    }
    if (!isEmbeddableName(entry.module) || entry.naming.name === '') {
      onManifest('bad-module-name', `Not compiled: '${entry.module}' has characters luajit -n rejects (allowed: letters, digits, '_', '.', '-'), or nothing after its first '-'.`);
      continue;
    }
    const other = bySymbol.get(entry.symbol) ?? claimed.get(entry.object);
    if (other !== undefined) {
      onManifest('symbol-collision', `Not compiled: '${entry.module}' and '${other}' are both looked up as ${entry.symbol}; they cannot be linked together.`);
      continue;
    }
    let source: Buffer;
    try {
      const read = readBounded(entry.file);
      if (!('data' in read)) {
        onManifest(read.problem === 'missing' ? 'mapping-file-missing' : 'unsafe-input', `Not compiled: ${entry.file} ${read.problem === 'missing' ? 'does not exist' : `is ${read.why}`}.`);
        continue;
      }
      source = read.data;
    } catch (e) {
      onManifest('mapping-file-missing', `Not compiled: cannot read ${entry.file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}.`);
      continue;
    }
    claimed.set(entry.object, entry.module);
    bySymbol.set(entry.symbol, entry.module);
    const input = inputArgument(manifest, entry.file);
    const flags = [manifest.luajit.debugInfo ? '-bg' : '-b', '-n', entry.naming.name, '-t', 'o', input];
    const { compiledSymbol, symbol } = entry.naming;
    const rename = compiledSymbol !== symbol ? { from: compiledSymbol, to: symbol } : undefined;
    const job: Job = { entry: entry as Job['entry'], input, flags, rename, sourceHash: sha256(source) };
    const cached = cache.objects[path.basename(entry.object)];
    if (!options.force && cached && cached.sourceHash === job.sourceHash && cached.compiler === compilerId && sameFlags(cached.flags, cacheFlags(job)) && unchanged(out, path.basename(entry.object), cached)) {
      result.upToDate.push(entry.module);
      done.set(entry.module, { module: entry.module, file: entry.file, object: entry.object, symbol: entry.symbol });
      continue;
    }
    jobs.push(job);
  }
  const objcopy = jobs.some((j) => j.rename) ? findObjcopy() : undefined;

  // Objects of modules no longer embedded: only files listed in the cache, i.e. written by us.
  for (const name of Object.keys(cache.objects)) {
    if (claimed.get(path.join(outDir, name)) === undefined) {
      removeObject(out, name, cache, result);
    }
  }

  let finished = 0;
  const limit = Math.max(1, Math.min(options.jobs ?? os.availableParallelism(), jobs.length));
  const idle = Array.from({ length: limit }, () => new CompilerWorker(compiler.path, manifest.dir));
  const workers = [...idle];
  try {
    await runPool(
      jobs,
      limit,
      async (job) => {
        const worker = idle.pop()!;
        const ok = await compileOne(job, worker, out, compiler, objcopy, options, findings, result).finally(() => idle.push(worker));
        if (!ok && result.cancelled) {
          return;
        }
        const name = path.basename(job.entry.object);
        if (ok) {
          const st = fs.lstatSync(out.file(name));
          cache.objects[name] = { module: job.entry.module, source: job.entry.file, sourceHash: job.sourceHash, compiler: compilerId, flags: cacheFlags(job), size: st.size, mtimeMs: st.mtimeMs };
          result.compiled.push(job.entry.module);
          done.set(job.entry.module, { module: job.entry.module, file: job.entry.file, object: job.entry.object, symbol: job.entry.symbol });
        } else {
          result.failed.push(job.entry.module);
          // A stale object would link the old code silently: remove it, as a compiler removes its output on error.
          if (cache.objects[name]) {
            removeObject(out, name, cache, result);
          }
        }
        options.onProgress?.({ done: ++finished, total: jobs.length, module: job.entry.module });
      },
      signal,
    );
  } finally {
    workers.forEach((w) => (signal?.aborted ? w.kill() : w.close()));
  }
  if (signal?.aborted) {
    result.cancelled = true;
  }
  writeAtomically(out.file(CACHE_FILE), JSON.stringify(cache, null, 1) + '\n', options.writer);
  result.objects = [...new Set(options.entries.map((e) => e.module))]
    .map((module) => done.get(module))
    .filter((o): o is CompiledObject => o !== undefined && claimed.get(o.object) === o.module);
  return result;
}

function sameFlags(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function unchanged(out: OutputFolder, name: string, cached: CacheEntry): boolean {
  try {
    // A link in place of the object (a cloned repository can ship one) is never taken as the object.
    const st = fs.lstatSync(out.file(name));
    return st.isFile() && st.size === cached.size && st.mtimeMs === cached.mtimeMs;
  } catch {
    return false;
  }
}

function removeObject(out: OutputFolder, name: string, cache: CacheFile, result: CompileResult): void {
  if (out.removeFile(name)) {
    result.removed.push(path.join(out.real, name));
  }
  delete cache.objects[name];
}

/** Runs luajit for one module into a temp file, checks it and renames it into place. */
async function compileOne(
  job: Job,
  worker: CompilerWorker,
  out: OutputFolder,
  compiler: LuaJitInfo,
  objcopy: string | undefined,
  options: CompileOptions,
  findings: Finding[],
  result: CompileResult,
): Promise<boolean> {
  const { entry } = job;
  const tmp = out.tempFile('.o');
  const timeoutMs = options.timeoutMs ?? DEFAULT_JOB_TIMEOUT_MS;
  const fail = (code: DiagnosticCode, message: string, line?: number) => {
    findings.push({
      file: line !== undefined ? entry.file : options.manifest.file,
      range: line !== undefined ? lineRange(entry.file, line) : entry.range,
      severity: 'error',
      code,
      message,
      module: entry.module,
    });
    return false;
  };
  try {
    // luajit.c hands what follows -b to bcsave: `-bg` becomes `-g`, a bare `-b` nothing.
    const [mode, ...rest] = job.flags;
    const run = await worker.compile([...(mode === '-bg' ? ['-g'] : []), ...rest, tmp], timeoutMs, options.signal);
    if (run.kind === 'aborted') {
      result.cancelled = true;
      return false;
    }
    if (run.kind === 'timeout') {
      return fail('compiler-failed', `luajit (${compiler.path}) did not finish compiling '${entry.module}' (${job.input}) within ${timeoutMs / 1000} s and was killed. Is it hanging? Check the compiler with '${compiler.path} -v'.`);
    }
    if (run.kind === 'died') {
      const how = run.signal ? `was killed by ${run.signal}` : `exited (${run.code ?? 'no exit code'})`;
      return fail('compiler-failed', `luajit (${compiler.path}) ${how} while compiling '${entry.module}' (${job.input})${run.stderr ? `: ${run.stderr.split('\n')[0]}` : ''}.`);
    }
    if (run.kind === 'garbage') {
      // It may be half-way through anything: stop it rather than feed it the next job.
      worker.kill();
      return fail('compiler-failed', `luajit (${compiler.path}) answered '${run.output}' instead of compiling '${entry.module}' (${job.input}): it does not behave like LuaJIT's bytecode compiler. Name a real LuaJIT with --luajit, the restyBuild.luajitPath setting or "luajit.compiler".`);
    }
    if (run.kind === 'error') {
      const parsed = parseCompileError(run.stderr, job.input);
      if (parsed.line !== undefined) {
        return fail('compile-error', parsed.message, parsed.line);
      }
      return fail('compile-error', `luajit (${compiler.path}) failed on '${entry.module}' (${job.input}): ${parsed.message}`);
    }
    let data: Buffer;
    const read = readBounded(tmp);
    if ('data' in read) {
      data = read.data;
    } else {
      return fail('compiler-failed', `luajit (${compiler.path}) exited 0 but wrote no usable object for '${entry.module}'${read.problem === 'missing' ? '' : ` (it is ${read.why})`}.`);
    }
    if (job.rename && objcopy) {
      if (!isElf(data)) {
        return fail('symbol-missing', `'${entry.module}' is looked up as ${job.rename.to}, which needs the object's symbol renamed, and objcopy renames ELF objects only; this luajit wrote another format.`);
      }
      const failed = await renameSymbol(objcopy, tmp, job.rename, { signal: options.signal });
      if (failed === 'cancelled') {
        result.cancelled = true;
        return false;
      }
      if (failed) {
        return fail('symbol-missing', `'${entry.module}' is looked up as ${job.rename.to} (require keeps the '-'s after the first one), but renaming ${job.rename.from} failed: ${failed}.`);
      }
      const renamed = readBounded(tmp);
      if (!('data' in renamed)) {
        return fail('symbol-missing', `objcopy left no usable object for '${entry.module}' after renaming ${job.rename.from}.`);
      }
      data = renamed.data;
    }
    if (isElf(data)) {
      let symbols: string[];
      try {
        symbols = exportedSymbols(data);
      } catch (e) {
        return fail('symbol-missing', `The object luajit wrote for '${entry.module}' is not readable: ${(e as Error).message}.`);
      }
      if (!symbols.includes(entry.symbol)) {
        return fail('symbol-missing', `The object for '${entry.module}' defines ${symbols.join(', ') || 'no symbol'}, not ${entry.symbol}, the symbol require('${entry.module}') looks up: it would not find it.`);
      }
    }
    try {
      (options.writer ?? nodeWriter).renameSync(tmp, out.file(path.basename(entry.object)));
    } catch (e) {
      throw writeError(entry.object, e);
    }
    return true;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}
