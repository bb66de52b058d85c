import * as fs from 'node:fs';
import * as path from 'node:path';
import { applySafeFixes, safeFixes } from '../core/embed/safeFixes';
import { isInside } from '../core/paths';
import { unifiedDiff } from '../core/report/unifiedDiff';
import { analysedWorkspace, CommandArgs, CommandError, CommandIO, EXIT_OK, manifestProject, resolveDir } from './common';

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * Writes the manifest through its real path, which must be a regular file
 * inside the project's real folder (a workspace is hostile: a manifest that
 * is a link to elsewhere is not followed), under a temporary name renamed
 * over it, so a failure never leaves half a manifest.
 */
function writeManifest(file: string, dir: string, text: string): void {
  const real = fs.realpathSync(file);
  if (!isInside(fs.realpathSync(dir), real) || !fs.lstatSync(real).isFile()) {
    throw new CommandError(`${file} is not a regular file inside ${dir}; not writing it`);
  }
  const tmp = path.join(path.dirname(real), `.${path.basename(real)}.${process.pid}.tmp`);
  try {
    fs.writeFileSync(tmp, text, { mode: fs.statSync(real).mode & 0o777, flag: 'wx' });
    fs.renameSync(tmp, real);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw new CommandError(`could not write ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/**
 * `resty-build fix [dir]`: applies the quick fixes that are safe without
 * looking (core/embed/safeFixes.ts) to the manifest, keeping its comments
 * and layout. `--dry-run` prints the edit as a unified diff instead.
 */
export async function runFix(args: CommandArgs, io: CommandIO): Promise<number> {
  const dir = resolveDir(args.dir);
  const workspace = await analysedWorkspace(dir, args, io);
  const project = manifestProject(workspace, dir);
  const manifest = project.manifest!;
  const fixes = safeFixes(workspace.embedding(project)!);
  const before = workspace.readText(manifest.file);
  if (before === undefined) {
    throw new CommandError(`cannot read ${manifest.file}`);
  }
  const after = applySafeFixes(before, fixes);
  const names = (list: string[]) => (list.length > 5 ? `${list.slice(0, 5).join(', ')}, … ${list.length - 5} more` : list.join(', '));
  const what = [
    fixes.embed.length > 0 ? `${plural(fixes.embed.length, 'module')} to "embed" (${names(fixes.embed)})` : '',
    fixes.provided.length > 0 ? `${plural(fixes.provided.length, 'module')} OpenResty bundles to "provided" (${names(fixes.provided)})` : '',
  ].filter(Boolean);
  if (after === before) {
    io.err('nothing to fix');
    return EXIT_OK;
  }
  if (args.options.has('dry-run')) {
    io.out(unifiedDiff(before, after, path.relative(dir, manifest.file) || path.basename(manifest.file)));
    io.err(`would add ${what.join(' and ')}`);
    return EXIT_OK;
  }
  writeManifest(manifest.file, dir, after);
  io.err(`added ${what.join(' and ')} in ${manifest.file}`);
  return EXIT_OK;
}
