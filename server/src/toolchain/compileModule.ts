import * as fs from 'node:fs';
import * as path from 'node:path';
import { readBounded } from '../core/nodeFileSystem';
import { Manifest } from '../core/manifest/manifest';
import { relativeInside } from '../core/paths';
import { MappingEntry } from '../core/embed/mapping';
import { DiagnosticCode, Finding, rangeOf } from '../core/types';
import { exportedSymbols, isElf } from './elf';
import { LuaJitInfo } from './luajitInfo';
import { CompilerWorker } from './compilerWorker';
import { renameSymbol, SymbolRename } from './symbolRename';
import { BuildWriter, nodeWriter, OutputFolder, writeError } from './outDir';

/**
 * Compiling one module: the luajit command line for its source, the run on
 * a compiler worker, luajit's message read back into a positioned finding,
 * and the object checked (its symbol, renamed when require looks up
 * another) before it is renamed into place. Apart from the build as a
 * whole (compile.ts), which decides what to compile and keeps the cache.
 */

export const DEFAULT_JOB_TIMEOUT_MS = 60_000;

/** One module to compile: its mapping row, luajit's arguments, and its source's hash for the cache. */
export interface Job {
  entry: MappingEntry & { file: string };
  input: string;
  flags: string[];
  /** The symbol luajit writes and the loader's, when they differ (a '-' after the first one). */
  rename?: SymbolRename;
  sourceHash: string;
}

/** What compiling one module reads of the build's options (CompileOptions). */
export interface ModuleCompileOptions {
  manifest: Manifest;
  timeoutMs?: number;
  signal?: AbortSignal;
  writer?: BuildWriter;
}

/**
 * The argument luajit gets for the source: relative to the project when
 * inside it (short, machine-independent chunk names). A name starting with
 * '-' is given as './-x': luajit would read `-` as stdin and `-l` as an option.
 */
export function inputArgument(manifest: Manifest, file: string): string {
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

/** Runs luajit for one module into a temp file, checks it and renames it into place. */
export async function compileOne(
  job: Job,
  worker: CompilerWorker,
  out: OutputFolder,
  compiler: LuaJitInfo,
  objcopy: string | undefined,
  options: ModuleCompileOptions,
  findings: Finding[],
  result: { cancelled: boolean },
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
