import { findingLines, findingsJson, hasErrors } from '../core/findingFormat';
import { auditLines, auditSummary } from '../toolchain/auditReport';
import { BuildProject } from '../toolchain/buildProject';
import { auditBuild } from '../toolchain/pipeline';
import { BuildArgs } from './build';
import { CommandIO, EXIT_FINDINGS, EXIT_INTERRUPTED, EXIT_OK } from './common';

/** `resty-build verify [dir] --nginx <binary>`: the audit of a built nginx, exit 0 / 1 / 2 like check. */
export async function runAudit(project: BuildProject, args: BuildArgs, io: CommandIO, signal: AbortSignal): Promise<number> {
  const result = await auditBuild(project, { binary: args.nginx!, compiler: args.luajit, env: io.env, signal });
  if (result.cancelled) {
    io.err('cancelled');
    return EXIT_INTERRUPTED;
  }
  if (args.format === 'json') {
    const { nginx, modules, dynamicModules, loadTest, notes, findings } = result;
    io.out(JSON.stringify({ nginx, modules, dynamicModules, loadTest, notes, diagnostics: findingsJson(findings) }, null, 2));
  } else {
    for (const line of [...auditLines(result), ...findingLines(result.findings, process.cwd())]) {
      io.out(line);
    }
    for (const note of result.notes) {
      io.err(`resty-build: ${note}`);
    }
    io.err(auditSummary(result));
  }
  return hasErrors(result.findings) ? EXIT_FINDINGS : EXIT_OK;
}
