import * as path from 'node:path';
import { MANIFEST_NAME } from '../manifest/model';
import { SourceFolder, templateRoot } from '../manifest/manifestPaths';
import { isInside } from '../paths';
import { Project } from './project';

/**
 * Every folder of a project the loaders read Lua (or C) sources from,
 * however it became one: the manifest's `path`/`cpath`, the nginx.conf's
 * `lua_package_path`, the inferred default path, an explicit embed `file`,
 * the luakit build context and stdlib. Only folders inside the project
 * count (the build never writes outside it); the project folder itself is
 * left to the caller.
 */
export function projectSourceFolders(project: Project): SourceFolder[] {
  const out = new Map<string, SourceFolder>();
  const add = (dir: string, key: string) => {
    if (isInside(project.root, dir) && dir !== project.root && !out.has(dir)) {
      out.set(dir, { dir, key });
    }
  };
  for (const t of [...project.resolver.lua, ...project.resolver.c]) {
    const fromManifest = t.source.startsWith(MANIFEST_NAME);
    add(templateRoot(t.template), fromManifest ? t.source.slice(MANIFEST_NAME.length + 1) : `the ${t.source}`);
  }
  const luakit = project.resolver.luakit;
  if (luakit) {
    add(luakit.ctx, 'the luakit build context');
    if (luakit.stdlib !== undefined) {
      add(luakit.stdlib, project.manifest?.stdlib !== undefined ? 'stdlib' : 'the luakit stdlib');
    }
  }
  for (const entry of project.manifest?.embed ?? []) {
    if (entry.file !== undefined) {
      add(path.dirname(entry.file), 'embed');
    }
  }
  return [...out.values()];
}
