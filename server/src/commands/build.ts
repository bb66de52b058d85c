import { loadBuildProject } from '../toolchain/buildProject';
import { blockingManifestFindings } from '../toolchain/pipeline';
import { BuildEnvironmentError } from '../toolchain/tool';
import { BUILD_USAGE, BuildUsageError, parseBuildArgs } from './buildArgs';
import { runCompileCommand } from './compile';
import { runFlags } from './flags';
import { Write } from './output';
import { runVerify } from './verify';

export { buildCommandOf, BUILD_USAGE } from './buildArgs';

/**
 * `resty-build compile|flags|verify`: 0 ok, 1 findings (compile errors,
 * modules not found), 2 usage or environment error (no manifest, luajit or
 * cc missing, outDir unwritable), 130 interrupted.
 */
export async function runBuildCommand(argv: readonly string[], out: Write, err: Write): Promise<number> {
  let args: ReturnType<typeof parseBuildArgs>;
  try {
    args = parseBuildArgs(argv);
  } catch (e) {
    if (e instanceof BuildUsageError) {
      err(`resty-build: ${e.message}\n\n${BUILD_USAGE}`);
      return 2;
    }
    throw e;
  }
  if (args === 'help') {
    out(`Usage: resty-build compile|flags|verify [dir] [options]\n\n${BUILD_USAGE}`);
    return 0;
  }
  const controller = new AbortController();
  const onInterrupt = () => controller.abort();
  process.once('SIGINT', onInterrupt);
  process.once('SIGTERM', onInterrupt);
  try {
    const project = loadBuildProject(args.dir);
    const blocking = blockingManifestFindings(project);
    if (blocking.length > 0) {
      err(`resty-build: ${project.manifest.file} has errors; fix them first:`);
      for (const f of blocking) {
        err(`  ${f.range.start.line + 1}:${f.range.start.character + 1}: ${f.code}: ${f.message}`);
      }
      return 2;
    }
    const run = args.command === 'compile' ? runCompileCommand : args.command === 'flags' ? runFlags : runVerify;
    return await run(project, args, out, err, controller.signal);
  } catch (e) {
    if (e instanceof BuildEnvironmentError) {
      err(`resty-build: ${e.message}`);
      return 2;
    }
    throw e;
  } finally {
    process.off('SIGINT', onInterrupt);
    process.off('SIGTERM', onInterrupt);
  }
}
