import { BuildProject } from '../toolchain/buildProject';
import { formatConfigureLine } from '../toolchain/linkFlags';
import { linkFlagsFor } from '../toolchain/pipeline';
import { BuildArgs } from './buildArgs';
import { Write } from './output';

export async function runFlags(project: BuildProject, args: BuildArgs, out: Write, err: Write, signal: AbortSignal): Promise<number> {
  const flags = await linkFlagsFor(project, { mode: args.mode, signal });
  if (args.format === 'json') {
    out(JSON.stringify({ configureArgs: flags.configureArgs, withLdOpt: flags.withLdOpt, objects: flags.objects, warnings: flags.warnings }, null, 2));
  } else {
    out(formatConfigureLine(flags));
    for (const w of flags.warnings) {
      err(`resty-build: ${w.severity} ${w.code}: ${w.message}`);
    }
  }
  return 0;
}
