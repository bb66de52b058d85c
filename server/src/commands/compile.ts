import { findingLines, findingsJson, hasErrors } from '../core/findingFormat';
import { displayPath } from '../core/paths';
import { BuildProject } from '../toolchain/buildProject';
import { CompileResult } from '../toolchain/compile';
import { BuildProgress, compileSummary, CompileSettings, progressMessage, runCompile } from '../toolchain/pipeline';
import { BuildArgs } from './buildArgs';
import { Write } from './output';

export function compileSettings(args: BuildArgs): CompileSettings {
  return { compiler: args.luajit, jobs: args.jobs, timeoutMs: args.timeoutMs, force: args.force };
}

/** Progress as stderr lines (`[3/120] resty.core.base`) in text format; JSON output stays quiet. */
export function progressLines(args: BuildArgs, err: Write): ((p: BuildProgress) => void) | undefined {
  if (args.format !== 'text') {
    return undefined;
  }
  return (p) => {
    if (p.step === 'compile') {
      err(progressMessage(p));
    }
  };
}

/** The summary line, with outDir as the user's shell would name it. */
export function summaryLine(result: CompileResult): string {
  return compileSummary(result, { outDir: displayPath(process.cwd(), result.outDir) });
}

export async function runCompileCommand(project: BuildProject, args: BuildArgs, out: Write, err: Write, signal: AbortSignal): Promise<number> {
  const result = await runCompile(project, { ...compileSettings(args), signal, onProgress: progressLines(args, err) });
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
    for (const line of findingLines(result.findings, process.cwd())) {
      out(line);
    }
    err(result.cancelled ? 'cancelled' : summaryLine(result));
  }
  return result.cancelled ? 130 : hasErrors(result.findings) ? 1 : 0;
}
