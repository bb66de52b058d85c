import { BuildProject } from '../toolchain/buildProject';
import { formatConfigureLine } from '../toolchain/linkFlags';
import { linkFlagsFor } from '../toolchain/pipeline';
import { BuildArgs } from './build';
import { CommandIO, EXIT_OK } from './common';

/** `resty-build flags [dir]`: the nginx ./configure flags on stdout, warnings on stderr (advice: exit 0). */
export async function runFlags(project: BuildProject, args: BuildArgs, io: CommandIO, signal: AbortSignal): Promise<number> {
  const flags = await linkFlagsFor(project, { mode: args.mode, env: io.env, signal });
  if (args.format === 'json') {
    io.out(JSON.stringify({ configureArgs: flags.configureArgs, withLdOpt: flags.withLdOpt, objects: flags.objects, warnings: flags.warnings }, null, 2));
  } else {
    io.out(formatConfigureLine(flags));
    for (const w of flags.warnings) {
      io.err(`resty-build: ${w.severity} ${w.code}: ${w.message}`);
    }
  }
  return EXIT_OK;
}
