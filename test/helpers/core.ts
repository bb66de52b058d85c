import * as path from 'node:path';
import { checkLuaFile } from '../../server/src/core/checks/checks';
import { MemoryFileSystem } from '../../server/src/core/memoryFileSystem';
import { analyzeLua } from '../../server/src/core/lua/luaFile';
import { MANIFEST_NAME, parseManifest } from '../../server/src/core/manifest/manifest';
import { createProject } from '../../server/src/core/resolve/project';
import { resolveModule } from '../../server/src/core/resolve/resolver';
import { Finding, Range } from '../../server/src/core/types';
import { Workspace } from '../../server/src/core/workspace/workspace';

/** The root of in-memory projects. */
export const MEM_ROOT = path.resolve('/mem-project');

export interface SourceCheck {
  /** The manifest object (written as resty-build.json at the root). */
  manifest?: Record<string, unknown>;
  /** Other files of the in-memory project, relative to its root. */
  files?: Record<string, string>;
}

/** Runs the per-file checks on one Lua text, as `main.lua` of an in-memory project. */
export function checkSource(source: string, options: SourceCheck = {}): Finding[] {
  const files: Record<string, string> = {};
  for (const [name, text] of Object.entries(options.files ?? {})) {
    files[path.join(MEM_ROOT, name)] = text;
  }
  const file = path.join(MEM_ROOT, 'main.lua');
  files[file] = source;
  const memFs = new MemoryFileSystem(files);
  let manifest;
  if (options.manifest) {
    const manifestFile = path.join(MEM_ROOT, MANIFEST_NAME);
    const parsed = parseManifest(manifestFile, JSON.stringify(options.manifest));
    if (!parsed.manifest || parsed.findings.length > 0) {
      throw new Error(`bad test manifest: ${JSON.stringify(parsed.findings)}`);
    }
    manifest = parsed.manifest;
  }
  const project = createProject(memFs, { PATH: '' }, MEM_ROOT, manifest);
  return checkLuaFile(file, analyzeLua(source), (name) => resolveModule(name, project.resolver, memFs));
}

/** A workspace over an in-memory tree (relative path -> text) rooted at MEM_ROOT, with an empty PATH. */
export function memWorkspace(files: Record<string, string>): Workspace {
  const tree: Record<string, string> = {};
  for (const [name, text] of Object.entries(files)) {
    tree[path.join(MEM_ROOT, name)] = text;
  }
  return new Workspace(new MemoryFileSystem(tree), { roots: [MEM_ROOT], env: { PATH: '' } });
}

/**
 * The 0-based range of `needle` on line `line` of `source` (it must occur
 * exactly once there), so expected ranges read like the code they point at.
 */
export function rangeOn(source: string, line: number, needle: string): Range {
  const text = source.split('\n')[line];
  if (text === undefined) {
    throw new Error(`no line ${line}`);
  }
  const at = text.indexOf(needle);
  if (at < 0 || text.indexOf(needle, at + 1) >= 0) {
    throw new Error(`'${needle}' must occur once on line ${line}: ${text}`);
  }
  return { start: { line, character: at }, end: { line, character: at + needle.length } };
}

/** The parts of a finding a test compares (messages are checked separately where they matter). */
export function brief(f: Finding): { code: string; severity: string; range: Range; module?: string } {
  return f.module === undefined ? { code: f.code, severity: f.severity, range: f.range } : { code: f.code, severity: f.severity, range: f.range, module: f.module };
}
