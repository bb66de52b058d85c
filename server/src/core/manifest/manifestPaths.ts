import * as path from 'node:path';
import type { Manifest } from './model';
import { DiagnosticCode, Finding, Range, rangeOf } from '../types';
import { displayPath, isInside } from '../paths';

/** The folder a `package.path` template searches: everything before the segment holding `?`. */
export function templateRoot(template: string): string {
  const q = template.indexOf('?');
  if (q < 0) {
    return path.dirname(template);
  }
  const prefix = template.slice(0, q);
  return prefix.endsWith(path.sep) ? path.resolve(prefix) : path.dirname(prefix);
}

function shown(manifest: Manifest, p: string): string {
  return displayPath(manifest.dir, p);
}

/** A folder holding Lua sources of the project, and which key (or other source) put it there. */
export interface SourceFolder {
  dir: string;
  key: string;
}

/**
 * The folders of the project holding Lua sources, other than the manifest's
 * folder itself: the roots of its `path` templates inside the project, the
 * luakit stdlib and build context.
 */
function sourceFolders(manifest: Manifest): SourceFolder[] {
  const out: SourceFolder[] = [];
  for (const t of manifest.path ?? []) {
    if (t !== ';;') {
      const dir = templateRoot(t);
      if (isInside(manifest.dir, dir) && dir !== manifest.dir) {
        out.push({ dir, key: 'path' });
      }
    }
  }
  if (manifest.stdlib !== undefined) {
    out.push({ dir: manifest.stdlib, key: 'stdlib' });
  }
  if (manifest.buildScript !== undefined && path.dirname(manifest.buildScript) !== manifest.dir) {
    out.push({ dir: path.dirname(manifest.buildScript), key: 'buildScript' });
  }
  return out;
}

/**
 * Why `outDir` is unsafe to write into, or undefined. The build writes and
 * deletes objects there, so it must lie inside the project and apart from
 * every source folder: not the project folder itself, not a folder of
 * sources, not inside one and not containing one.
 */
export function outDirProblem(manifest: Manifest, extraSources: readonly SourceFolder[] = []): { code: DiagnosticCode; message: string } | undefined {
  const out = manifest.outDir;
  const fix = 'Choose a folder of its own inside the project, e.g. "build/bytecode".';
  if (!isInside(manifest.dir, out)) {
    return { code: 'manifest-path-outside', message: `"outDir" (${out}) is outside the project folder ${manifest.dir}: the build would write and delete files there. ${fix}` };
  }
  if (out === manifest.dir) {
    return { code: 'outdir-overlaps-sources', message: `"outDir" is the project folder itself, which holds the Lua sources: compiled objects would be mixed with them. ${fix}` };
  }
  for (const src of [...sourceFolders(manifest), ...extraSources]) {
    if (src.dir === manifest.dir) {
      // A template at the project's root ('?.lua'): outDir necessarily lies inside it; the check above covers equality.
      continue;
    }
    const rel = `the source folder ${shown(manifest, src.dir)} (from ${src.key.startsWith('the ') ? src.key : `"${src.key}"`})`;
    if (out === src.dir) {
      return { code: 'outdir-overlaps-sources', message: `"outDir" (${shown(manifest, out)}) is ${rel}: compiled objects would be mixed with the Lua sources. ${fix}` };
    }
    if (isInside(src.dir, out)) {
      return { code: 'outdir-overlaps-sources', message: `"outDir" (${shown(manifest, out)}) lies inside ${rel}: compiled objects would be mixed with the Lua sources. ${fix}` };
    }
    if (isInside(out, src.dir)) {
      return { code: 'outdir-overlaps-sources', message: `"outDir" (${shown(manifest, out)}) contains ${rel}: the build would write and delete files among the Lua sources. ${fix}` };
    }
  }
  return undefined;
}

/**
 * Paths of the manifest that leave its folder. Reading outside is allowed
 * but worth a warning (a manifest you did not write could point the analysis
 * anywhere), except absolute `path`/`cpath` templates: those name search
 * roots such as /usr/share/lua/5.1, as LuaJIT's own defaults do. Writing
 * outside (outDir) is an error.
 */
export function checkManifestPaths(manifest: Manifest): Finding[] {
  const findings: Finding[] = [];
  const at = (key: string, range?: Range): Range => range ?? manifest.ranges.get(key) ?? rangeOf(0, 0, 0, 0);
  const warn = (key: string, p: string, range?: Range) =>
    findings.push({
      file: manifest.file,
      range: at(key, range),
      severity: 'warning',
      code: 'manifest-path-outside',
      message: `"${key}" points outside the project folder: ${p}. The analysis will read files there; check it if you did not write this manifest.`,
    });
  for (const key of ['path', 'cpath'] as const) {
    for (const t of manifest[key] ?? []) {
      if (t !== ';;' && !manifest.absoluteTemplates?.has(t) && !isInside(manifest.dir, templateRoot(t))) {
        warn(key, t);
      }
    }
  }
  for (const key of ['stdlib', 'buildScript', 'nginxConf'] as const) {
    const p = manifest[key];
    if (p !== undefined && !isInside(manifest.dir, p)) {
      warn(key, p);
    }
  }
  for (const entry of manifest.embed) {
    if (entry.file !== undefined && !isInside(manifest.dir, entry.file)) {
      warn('embed', entry.file, entry.range);
    }
  }
  const problem = outDirProblem(manifest);
  if (problem) {
    findings.push({ file: manifest.file, range: at('outDir'), severity: 'error', code: problem.code, message: problem.message });
  }
  return findings;
}
