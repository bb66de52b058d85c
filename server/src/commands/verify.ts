import { findingLines, findingsJson, hasErrors } from '../core/findingFormat';
import { BuildProject } from '../toolchain/buildProject';
import { probeLines, verifyBuild, verifySummary } from '../toolchain/pipeline';
import { runAudit } from './audit';
import { BuildArgs } from './build';
import { CommandIO, EXIT_FINDINGS, EXIT_INTERRUPTED, EXIT_OK } from './common';
import { compileSettings, summaryLine } from './compile';
import { buildProgressOutput } from './progressOutput';

/** `resty-build verify [dir]`: compile, link a probe like nginx, and report every module found or not. */
export async function runVerify(project: BuildProject, args: BuildArgs, io: CommandIO, signal: AbortSignal): Promise<number> {
  if (args.nginx !== undefined) {
    return runAudit(project, args, io, signal);
  }
  const text = args.format === 'text';
  const verification = await verifyBuild(project, {
    ...compileSettings(args),
    mode: args.mode,
    env: io.env,
    exportDynamic: args.exportDynamic,
    signal,
    // The compile's summary comes when the compile is over, before the (slower) probe link.
    onProgress: text ? buildProgressOutput(io, (compiled) => io.err(summaryLine(compiled))) : undefined,
  });
  const { probe, findings } = verification;
  if (verification.cancelled || !probe) {
    io.err('cancelled');
    return EXIT_INTERRUPTED;
  }
  if (args.format === 'json') {
    io.out(JSON.stringify({ modules: probe.modules, command: probe.command, diagnostics: findingsJson(findings) }, null, 2));
  } else {
    for (const line of [...probeLines(probe), ...findingLines(findings, process.cwd())]) {
      io.out(line);
    }
    io.err(verifySummary(verification, { withLink: { exportDynamic: args.exportDynamic } }));
  }
  return hasErrors(findings) ? EXIT_FINDINGS : EXIT_OK;
}
