import { findingLines, findingsJson, hasErrors } from '../core/findingFormat';
import { BuildProject } from '../toolchain/buildProject';
import { probeLines, progressMessage, verifyBuild, verifySummary } from '../toolchain/pipeline';
import { BuildArgs } from './buildArgs';
import { compileSettings, summaryLine } from './compile';
import { Write } from './output';

export async function runVerify(project: BuildProject, args: BuildArgs, out: Write, err: Write, signal: AbortSignal): Promise<number> {
  const text = args.format === 'text';
  const verification = await verifyBuild(project, {
    ...compileSettings(args),
    mode: args.mode,
    exportDynamic: args.exportDynamic,
    signal,
    // The compile's summary comes when the compile is over, before the (slower) probe link.
    onProgress: text ? (p) => err(p.step === 'compile' ? progressMessage(p) : summaryLine(p.compiled)) : undefined,
  });
  const { probe, findings } = verification;
  if (verification.cancelled || !probe) {
    err('cancelled');
    return 130;
  }
  if (args.format === 'json') {
    out(JSON.stringify({ modules: probe.modules, command: probe.command, diagnostics: findingsJson(findings) }, null, 2));
  } else {
    for (const line of [...probeLines(probe), ...findingLines(findings, process.cwd())]) {
      out(line);
    }
    err(verifySummary(verification, { withLink: { exportDynamic: args.exportDynamic } }));
  }
  return hasErrors(findings) ? 1 : 0;
}
