import { BuildProject } from '../toolchain/buildProject';
import { formatDockerfile, formatRuntimeText, listRuntimeImage } from '../toolchain/runtimeImage';
import { BuildArgs } from './build';
import { CommandIO, EXIT_FINDINGS, EXIT_OK } from './common';

/** `resty-build runtime [dir]`: exit 1 when something the runtime needs cannot be found. */
export async function runRuntime(project: BuildProject, args: BuildArgs, io: CommandIO): Promise<number> {
  const { out, err } = io;
  const image = await listRuntimeImage({ build: project, binary: args.nginx, env: io.env });
  if (args.format === 'json') {
    out(JSON.stringify({ files: image.files, libraryPath: image.libraryPath, notes: image.notes }, null, 2));
  } else if (args.format === 'dockerfile') {
    out(formatDockerfile(image));
  } else {
    for (const line of formatRuntimeText(image)) {
      out(line);
    }
  }
  if (args.format !== 'json') {
    for (const note of image.notes) {
      err(`resty-build: ${note}`);
    }
  }
  const missing = image.files.filter((f) => !f.path);
  if (missing.length > 0) {
    err(`resty-build: ${missing.length} file${missing.length === 1 ? '' : 's'} the runtime needs could not be found: ${missing.map((f) => f.what).join(', ')}`);
  }
  return missing.length > 0 ? EXIT_FINDINGS : EXIT_OK;
}
