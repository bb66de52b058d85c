import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkManifest } from '../core/checks/fileChecks';
import { NodeFileSystem } from '../core/nodeFileSystem';
import { Manifest, MANIFEST_NAME } from '../core/manifest/manifest';
import { undecodablePathNote } from '../core/paths';
import { Closure } from '../core/embed/closure';
import { buildMapping, MappingEntry } from '../core/embed/mapping';
import { SourceFolder } from '../core/manifest/manifestPaths';
import { Project } from '../core/resolve/project';
import { projectSourceFolders } from '../core/resolve/sourceFolders';
import { Finding } from '../core/types';
import { Workspace } from '../core/workspace/workspace';
import { BuildEnvironmentError } from './tool';
import { enclosingManifestHint } from '../enclosingManifest';

/** What the build commands need of a project: its manifest and the mapping rows to compile. */
export interface BuildProject {
  manifest: Manifest;
  entries: MappingEntry[];
  /** Validation findings of the manifest (errors make the build refuse to start). */
  manifestFindings: Finding[];
  /** The analysis' project (its nginx.conf) and embed closure, for the audit of a built nginx. */
  project: Project;
  closure?: Closure;
  /** Every source folder of the project, however it became one: outDir must keep apart from them. */
  sources: SourceFolder[];
}

/**
 * Why the build commands have nothing to do for a project: a luakit build
 * (its Lua runs in luakit, not inside nginx) that embeds nothing. Said
 * instead of compiling nothing into an outDir made for it.
 */
export function notEmbeddingReason(build: BuildProject): string | undefined {
  if (build.project.profile !== 'luakit' || build.entries.length > 0) {
    return undefined;
  }
  return `${build.manifest.file} is a luakit build (profile "luakit"): its Lua runs in luakit, not inside nginx, and "embed" lists no module. compile, flags, verify and runtime build the modules of an OpenResty project into nginx; check, map and why work here.`;
}

/** The mapping of a workspace project; undefined when it has no manifest. */
export function buildProjectOf(workspace: Workspace, project: Project): BuildProject | undefined {
  const manifest = project.manifest;
  if (!manifest) {
    return undefined;
  }
  const entries = buildMapping(manifest, (name) => workspace.resolve(project, name), (f) => workspace.fs.isFile(f), (f) => workspace.inputProblem(f));
  return {
    manifest,
    entries,
    manifestFindings: checkManifest(workspace, manifest.file),
    project,
    closure: workspace.embedding(project)?.closure,
    sources: projectSourceFolders(project),
  };
}

/**
 * Loads the project whose resty-build.json is in `dir` (CLI). Throws
 * BuildEnvironmentError when there is none or it does not parse.
 */
export function loadBuildProject(dir: string, env: NodeJS.ProcessEnv = process.env): BuildProject {
  const root = path.resolve(dir);
  const file = path.join(root, MANIFEST_NAME);
  const note = fs.existsSync(root) ? undefined : undecodablePathNote(root);
  if (note) {
    throw new BuildEnvironmentError(`${root} cannot be opened: ${note}`);
  }
  if (!fs.existsSync(file)) {
    throw new BuildEnvironmentError(`no ${MANIFEST_NAME} in ${root}: the build commands need a manifest listing the modules to embed.${enclosingManifestHint(root)}`);
  }
  const workspace = new Workspace(new NodeFileSystem(), { roots: [root], env });
  const project = workspace.allProjects().find((p) => p.root === root && p.manifest?.file === file);
  const build = project && buildProjectOf(workspace, project);
  if (!build) {
    const why = checkManifest(workspace, file).map((f) => `${f.range.start.line + 1}:${f.range.start.character + 1}: ${f.message}`);
    throw new BuildEnvironmentError(`${file} cannot be used: ${why.join('; ') || 'it does not parse'}`);
  }
  return build;
}
