import { findingLines, findingsJson, hasErrors } from '../core/findingFormat';
import { displayPath } from '../core/paths';
import { BuildProject } from '../toolchain/buildProject';
import { CompileResult } from '../toolchain/compile';
import { BuildProgress, compileSummary, CompileSettings, runCompile } from '../toolchain/pipeline';
import { BuildArgs } from './build';
import { CommandIO, EXIT_FINDINGS, EXIT_INTERRUPTED, EXIT_OK } from './common';
import { buildProgressOutput } from './progressOutput';

export function compileSettings(args: BuildArgs): CompileSettings {
  return { compiler: args.luajit, jobs: args.jobs, timeoutMs: args.timeoutMs, force: args.force };
}

/** Progress on stderr in text format (see buildProgressOutput); JSON output stays quiet. */
export function progressLines(args: BuildArgs, io: CommandIO): ((p: BuildProgress) => void) | undefined {
  return args.format === 'text' ? buildProgressOutput(io) : undefined;
}

/** The summary line, with outDir as the user's shell would name it. */
export function summaryLine(result: CompileResult): string {
  return compileSummary(result, { outDir: displayPath(process.cwd(), result.outDir) });
}

/** `resty-build compile [dir]`: the embedded modules to bytecode objects in outDir. */
export async function runCompileCommand(project: BuildProject, args: BuildArgs, io: CommandIO, signal: AbortSignal): Promise<number> {
  const result = await runCompile(project, { ...compileSettings(args), signal, onProgress: progressLines(args, io) });
  if (args.format === 'json') {
    io.out(
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
    for (const line of findingLines(result.findings, process.cwd())) {
      io.out(line);
    }
    io.err(result.cancelled ? 'cancelled' : summaryLine(result));
  }
  return result.cancelled ? EXIT_INTERRUPTED : hasErrors(result.findings) ? EXIT_FINDINGS : EXIT_OK;
}
