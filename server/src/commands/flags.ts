import * as fs from 'node:fs';
import { BuildProject } from '../toolchain/buildProject';
import { computeLinkFlags, createArchive, formatConfigureLine, LinkFlags } from '../toolchain/linkFlags';
import { BuildArgs } from './buildArgs';
import { Write } from './output';

/** Objects of the embeddable mapping rows, in manifest order (compiled or not: missing ones are warned about). */
export function plannedObjects(project: BuildProject): string[] {
  return project.entries.filter((e) => e.reasons.length === 0 && e.file !== undefined).map((e) => e.object);
}

/** Link flags for a project; in archive mode (re)builds the archive from the objects that exist. */
export async function linkFlagsFor(project: BuildProject, objects: string[], mode: BuildArgs['mode'], signal?: AbortSignal): Promise<LinkFlags> {
  const flags = computeLinkFlags({ manifest: project.manifest, objects, mode, env: process.env });
  if (flags.mode === 'archive') {
    const present = flags.objects.filter((o) => fs.existsSync(o));
    if (present.length > 0) {
      await createArchive(present, project.manifest.outDir, { signal });
    }
  }
  return flags;
}

export async function runFlags(project: BuildProject, args: BuildArgs, out: Write, err: Write, signal: AbortSignal): Promise<number> {
  const flags = await linkFlagsFor(project, plannedObjects(project), args.mode, signal);
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
