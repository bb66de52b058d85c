import * as path from 'node:path';
import { BuildProject } from '../toolchain/buildProject';
import { compileProject, CompileResult } from '../toolchain/compile';
import { describeHeader } from '../toolchain/luajitInfo';
import { BuildArgs } from './buildArgs';
import { findingLines, findingsJson, hasErrors, Write } from './output';

/** Compiles with progress lines on stderr (`[3/120] resty.core.base`). Shared by compile and verify. */
export async function compileWithProgress(project: BuildProject, args: BuildArgs, err: Write, signal: AbortSignal): Promise<CompileResult> {
  return compileProject({
    manifest: project.manifest,
    entries: project.entries,
    compiler: args.luajit,
    jobs: args.jobs,
    timeoutMs: args.timeoutMs,
    force: args.force,
    signal,
    onProgress: args.format === 'text' ? (p) => err(`[${p.done}/${p.total}] ${p.module}`) : undefined,
  });
}

function displayPath(dir: string): string {
  const rel = path.relative(process.cwd(), dir);
  return rel === '' ? '.' : rel.startsWith('..') || path.isAbsolute(rel) ? dir : rel;
}

export function compileSummary(result: CompileResult): string {
  const c = result.compiler;
  return (
    `compiled ${result.compiled.length}, up to date ${result.upToDate.length}, failed ${result.failed.length}, removed ${result.removed.length}` +
    ` -> ${displayPath(result.outDir)} (${c.path}: ${c.versionText.split(' -- ')[0]}, ${describeHeader(c.header)})`
  );
}

export async function runCompile(project: BuildProject, args: BuildArgs, out: Write, err: Write, signal: AbortSignal): Promise<number> {
  const result = await compileWithProgress(project, args, err, signal);
  if (args.format === 'json') {
    out(
      JSON.stringify(
        {
          outDir: result.outDir,
          compiler: { path: result.compiler.path, version: result.compiler.versionText, header: result.compiler.headerHex },
          compiled: result.compiled,
          upToDate: result.upToDate,
          failed: result.failed,
          removed: result.removed,
          objects: result.objects,
          cancelled: result.cancelled,
          diagnostics: findingsJson(result.findings),
        },
        null,
        2,
      ),
    );
  } else {
    for (const line of findingLines(result.findings)) {
      out(line);
    }
    err(result.cancelled ? 'cancelled' : compileSummary(result));
  }
  return result.cancelled ? 130 : hasErrors(result.findings) ? 1 : 0;
}
