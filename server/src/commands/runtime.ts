import { BuildProject } from '../toolchain/buildProject';
import { formatDockerfile, formatRuntimeText, listRuntimeImage } from '../toolchain/runtimeImage';
import { BuildArgs } from './buildArgs';
import { Write } from './output';

/** `resty-build runtime [dir]`: exit 1 when something the runtime needs cannot be found. */
export async function runRuntime(project: BuildProject, args: BuildArgs, out: Write, err: Write): Promise<number> {
  const image = await listRuntimeImage({ build: project, binary: args.nginx });
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
  return missing.length > 0 ? 1 : 0;
}
