import * as path from 'node:path';
import { computeClosure } from '../embed/closure';
import { MANIFEST_NAME } from './manifest';
import { isInside, relativeInside } from '../paths';
import { createProject } from '../resolve/project';
import { moduleNameForFile } from '../resolve/resolver';
import { Workspace } from '../workspace/workspace';

function relative(root: string, file: string): string {
  return relativeInside(root, file) ?? file;
}

/**
 * Writes down what the analysis inferred for a folder without a manifest:
 * the profile and search settings, and for OpenResty the embed list (the
 * closure of the nginx.conf's Lua, else every module under the folder).
 */
export function inferManifest(workspace: Workspace, root: string): { file: string; text: string } {
  const project = createProject(workspace.fs, workspace.env, root);
  const out: Record<string, unknown> = {};
  if (project.profile === 'luakit') {
    out.profile = 'luakit';
    out.buildScript = relative(root, project.buildScript ?? path.join(root, 'build.lua'));
    const stdlib = project.resolver.luakit?.stdlib;
    if (stdlib && isInside(root, stdlib)) {
      out.stdlib = relative(root, stdlib);
    }
  } else {
    out.profile = 'openresty';
    const inside = project.resolver.lua.filter((t) => t.origin === 'workspace');
    if (project.nginxConfFile) {
      out.nginxConf = relative(root, project.nginxConfFile);
    } else {
      out.path = [...inside.map((t) => relative(root, t.template)), ';;'];
    }
    let modules: string[];
    if (project.nginxConf && project.nginxConf.chunks.length + project.nginxConf.files.length > 0) {
      const closure = computeClosure({
        project,
        mapping: [],
        facts: (f) => workspace.facts(f),
        resolve: (name) => workspace.resolve(project, name),
        readText: (f) => workspace.readText(f),
        isFile: (f) => workspace.fs.isFile(f),
      });
      modules = [...closure.modules.values()].filter((m) => m.status === 'not-in-mapping').map((m) => m.name);
    } else {
      modules = workspace
        .files()
        .filter((f) => isInside(root, f))
        .map((f) => moduleNameForFile(f, inside))
        .filter((m): m is string => m !== undefined && path.basename(m) !== 'build');
    }
    out.embed = [...new Set(modules)].sort();
    out.provided = [];
    out.luajit = { compiler: 'luajit', runtime: null, debugInfo: true };
    out.outDir = 'build/bytecode';
    out.link = { mode: 'objects', extraLdOpt: [], compat: true };
  }
  return { file: path.join(root, MANIFEST_NAME), text: JSON.stringify(out, null, 2) + '\n' };
}
