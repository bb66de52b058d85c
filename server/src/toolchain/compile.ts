import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readBounded } from '../core/nodeFileSystem';
import { Manifest } from '../core/manifest/manifest';
import { SourceFolder } from '../core/manifest/manifestPaths';
import { isEmbeddableName, MappingEntry } from '../core/embed/mapping';
import { DiagnosticCode, Finding, rangeOf } from '../core/types';
import { compareWithRuntime, identifyLuaJit, LuaJitInfo } from './luajitInfo';
import { CompilerWorker } from './compilerWorker';
import { CACHE_FILE, CacheFile, cacheFlags, compilerIdentity, readCache, sameFlags, sha256, unchanged } from './compileCache';
import { compileOne, inputArgument, Job } from './compileModule';
import { findObjcopy } from './symbolRename';
import { BuildWriter, OutputFolder, writeAtomically } from './outDir';
import { runPool } from './tool';

export { TEMP_PREFIX } from './outDir';

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
  /** Once the plan is known, before any luajit runs: how many modules will be compiled, how many are up to date. */
  onStart?: (plan: { toCompile: number; upToDate: number }) => void;
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

  options.onStart?.({ toCompile: jobs.length, upToDate: result.upToDate.length });
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

function removeObject(out: OutputFolder, name: string, cache: CacheFile, result: CompileResult): void {
  if (out.removeFile(name)) {
    result.removed.push(path.join(out.real, name));
  }
  delete cache.objects[name];
}
