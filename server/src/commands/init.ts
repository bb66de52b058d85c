import * as fs from 'node:fs';
import * as path from 'node:path';
import { inferManifest } from '../core/manifest/manifestInference';
import { analysedWorkspace, CommandArgs, CommandError, CommandIO, EXIT_OK, resolveDir } from './common';

/** `resty-build init [dir]`: writes the manifest the analysis infers; never overwrites one. */
export async function runInit(args: CommandArgs, io: CommandIO): Promise<number> {
  const dir = resolveDir(args.dir);
  const workspace = await analysedWorkspace(dir, args, io);
  const { file, text, profile, embedded, skipped } = inferManifest(workspace, dir);
  if (args.options.has('stdout')) {
    io.out(text.trimEnd());
    return EXIT_OK;
  }
  if (fs.existsSync(file)) {
    throw new CommandError(`${file} exists already; not overwriting it (use --stdout to print the inferred manifest)`);
  }
  // A folder of projects (a monorepo, the examples): an empty manifest on top of theirs would only add a project with nothing in it.
  const nested = workspace.allProjects().flatMap((p) => (p.manifest && p.manifest.file !== file ? [p.manifest.file] : []));
  if (nested.length > 0 && embedded === 0 && profile !== 'luakit') {
    const shown = nested.slice(0, 5).map((m) => path.relative(dir, m));
    const more = nested.length > shown.length ? ` and ${nested.length - shown.length} more` : '';
    throw new CommandError(`nothing to embed in ${dir} outside the projects below it, which have their manifests (${shown.join(', ')}${more}): no manifest written. Run resty-build check ${dir} to check them all, or init in a folder of its own project.`);
  }
  fs.writeFileSync(file, text, { flag: 'wx' });
  const embeds = profile === 'luakit' ? '' : `, ${embedded === 1 ? '1 module' : `${embedded} modules`} in "embed"`;
  io.err(`wrote ${file}: profile ${profile}${embeds}${skipped.length > 0 ? `, ${skipped.length} left out (a comment at its top says why):` : ''}`);
  for (const s of skipped) {
    io.err(`  ${s}`);
  }
  io.err('next: resty-build check');
  return EXIT_OK;
}
