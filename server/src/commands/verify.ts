import { BuildProject } from '../toolchain/buildProject';
import { verifyEmbedding } from '../toolchain/verify';
import { runAudit } from './audit';
import { BuildArgs } from './buildArgs';
import { compileSummary, compileWithProgress } from './compile';
import { linkFlagsFor } from './flags';
import { findingLines, findingsJson, hasErrors, Write } from './output';

export async function runVerify(project: BuildProject, args: BuildArgs, out: Write, err: Write, signal: AbortSignal): Promise<number> {
  if (args.nginx !== undefined) {
    return runAudit(project, args, out, err, signal);
  }
  const compiled = await compileWithProgress(project, args, err, signal);
  if (compiled.cancelled) {
    err('cancelled');
    return 130;
  }
  if (args.format === 'text') {
    err(compileSummary(compiled));
  }
  const flags = await linkFlagsFor(project, compiled.objects.map((o) => o.object), args.mode, signal);
  const result = await verifyEmbedding({ manifest: project.manifest, objects: compiled.objects, linkArgs: flags.ldOpt, exportDynamic: args.exportDynamic, signal });
  if (result.cancelled) {
    err('cancelled');
    return 130;
  }
  const findings = [...compiled.findings, ...result.findings];
  if (args.format === 'json') {
    out(JSON.stringify({ modules: result.modules, command: result.command, diagnostics: findingsJson(findings) }, null, 2));
  } else {
    for (const m of result.modules) {
      out(m.ok ? `ok   ${m.module}` : `FAIL ${m.module}: ${m.detail}`);
    }
    for (const line of findingLines(findings)) {
      out(line);
    }
    const failed = result.modules.filter((m) => !m.ok).length;
    err(`${result.modules.length} modules checked: ${result.modules.length - failed} found, ${failed} not found (${flags.mode} mode${args.exportDynamic ? ', -Wl,-E' : ', without -Wl,-E'})`);
  }
  return hasErrors(findings) ? 1 : 0;
}
