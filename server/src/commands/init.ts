import * as fs from 'node:fs';
import { inferManifest } from '../core/manifest/manifestInference';
import { CommandArgs, CommandError, CommandIO, EXIT_OK, openWorkspace, resolveDir } from './common';

/** `resty-build init [dir]`: writes the manifest the analysis infers; never overwrites one. */
export function runInit(args: CommandArgs, io: CommandIO): number {
  const dir = resolveDir(args.dir);
  const workspace = openWorkspace(dir, io);
  const { file, text } = inferManifest(workspace, dir);
  if (args.options.has('stdout')) {
    io.out(text.trimEnd());
    return EXIT_OK;
  }
  if (fs.existsSync(file)) {
    throw new CommandError(`${file} exists already; not overwriting it (use --stdout to print the inferred manifest)`);
  }
  fs.writeFileSync(file, text, { flag: 'wx' });
  io.err(`wrote ${file}`);
  return EXIT_OK;
}
