import * as path from 'node:path';
import { checkLuaFile, checkMapping } from './checks';
import { checkConfLua } from './confChecks';
import { checkLuakitSandbox } from './luakitSandbox';
import { applyFindingPolicy } from './findingPolicy';
import { outsideContext, ownedByProject, reportedClosureFindings } from '../embed/outsideFindings';
import { MANIFEST_NAME } from '../manifest/manifest';
import { outDirProblem } from '../manifest/manifestPaths';
import { projectSourceFolders } from '../resolve/sourceFolders';
import { Project } from '../resolve/project';
import { appendAll, Finding, rangeOf } from '../types';
import type { AnalysedWorkspace } from '../workspace/analysedWorkspace';
import type { UndecodableName } from '../workspace/folderWalk';

// The findings of a workspace, file by file: what the editor publishes and
// `resty-build check` prints. The checks only read the workspace.

/**
 * The findings of a Lua file that need no other file parsed (syntax, its
 * own requires as the loaders find them): what an editor shows while the
 * workspace is still loading. A require no loader finds is left to
 * checkFile, once every file is known.
 */
export function checkFileLocal(workspace: AnalysedWorkspace, file: string): Finding[] {
  const facts = file.endsWith('.lua') ? workspace.facts(file) : undefined;
  if (!facts) {
    return [];
  }
  const project = workspace.projectFor(file);
  if (project.excluded(file)) {
    return [];
  }
  // A name no loader finds may still be put into package.loaded by another file, which is known only once
  // every file is analysed: it is not judged here, but by checkFile, rather than be shown and then taken back.
  const resolve = (name: string) => {
    const r = workspace.resolveByLoaders(project, name);
    return r.status === 'unresolved' ? undefined : r;
  };
  return applyFindingPolicy(workspace, file, checkLuaFile(file, facts, resolve, false, project.dialect));
}

/** The closure findings reported in a file (findings outside a project come to its entry point), and whether a closure reaches the file. */
function closureFindingsIn(workspace: AnalysedWorkspace, file: string): { findings: Finding[]; inClosure: boolean } {
  const findings: Finding[] = [];
  let inClosure = false;
  const embeddings = workspace.embeddings();
  const outside = embeddings.length > 0 ? outsideContext(workspace) : undefined;
  for (const e of embeddings) {
    inClosure = inClosure || e.closure.files.has(file);
    appendAll(findings, reportedClosureFindings(e, outside!).get(file) ?? []);
  }
  return { findings, inClosure };
}

/** Findings for one file: a Lua file, a manifest, or an nginx.conf with closure findings; suppressions and severities applied. */
export function checkFile(workspace: AnalysedWorkspace, file: string): Finding[] {
  const undecodable = workspace.undecodableNames().filter((u) => u.dir === file);
  if (undecodable.length > 0) {
    return applyFindingPolicy(workspace, file, undecodableNameFindings(file, undecodable));
  }
  const closure = closureFindingsIn(workspace, file);
  if (path.basename(file) === MANIFEST_NAME) {
    return applyFindingPolicy(workspace, file, [...checkManifest(workspace, file), ...closure.findings]);
  }
  if (workspace.projectFor(file).excluded(file)) {
    // Excluded files are not analysed; what the embed closure says about them still counts (they go into the binary).
    return applyFindingPolicy(workspace, file, closure.findings);
  }
  const facts = file.endsWith('.lua') ? workspace.facts(file) : undefined;
  if (!facts) {
    const judged = workspace.allProjects().some((p) => p.manifest !== undefined && p.nginxConfFile === file);
    return applyFindingPolicy(workspace, file, [...checkConfLua(workspace, file, judged), ...closure.findings]);
  }
  const project = workspace.projectFor(file);
  return applyFindingPolicy(workspace, file, [
    ...checkLuaFile(file, facts, (name) => workspace.resolve(project, name), closure.inClosure, project.dialect),
    ...checkLuakitSandbox(workspace, project, file),
    ...closure.findings,
    ...workspace.cycleFindings(file),
  ]);
}

/** Names of one folder reported one by one; the rest (a whole archive unpacked from Latin-1) share one finding. */
const MAX_NAMED_PER_FOLDER = 10;

function undecodableNameFindings(dir: string, names: readonly UndecodableName[]): Finding[] {
  const sorted = [...names].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const findings = sorted.slice(0, MAX_NAMED_PER_FOLDER).map(undecodableNameFinding);
  const rest = sorted.slice(MAX_NAMED_PER_FOLDER);
  if (rest.length > 0) {
    findings.push({
      file: dir,
      range: rangeOf(0, 0, 0, 0),
      severity: 'warning',
      code: 'non-utf8-file-name',
      message: `${rest.length} more Lua files or folders here have names that are not valid UTF-8 (the first '${rest[0].name}'), not analysed either: rename them.`,
    });
  }
  return findings;
}

/**
 * A file or folder the analysis cannot open, at the folder that holds it
 * (the one path that exists as text): neither the CLI's paths nor VS Code's
 * URIs can carry bytes that are not UTF-8.
 */
function undecodableNameFinding(u: UndecodableName): Finding {
  const what = u.kind === 'lua' ? `Lua file '${u.name}' not analysed` : `Folder '${u.name}' not walked, its Lua files not analysed`;
  return {
    file: u.dir,
    range: rangeOf(0, 0, 0, 0),
    severity: 'warning',
    code: 'non-utf8-file-name',
    message: `${what}: the name is not valid UTF-8 (\\xNN stands for such a byte). LuaJIT can require what it names, but \`luajit -n\` rejects the module name, so it cannot be embedded: rename it.`,
  };
}

/**
 * The manifest's own findings: validation, then the mapping's problems.
 * Neither suppressions nor severities apply: the build commands refuse to
 * start on these errors.
 */
export function checkManifest(workspace: AnalysedWorkspace, file: string): Finding[] {
  const findings = [...workspace.manifestFindings(file)];
  const project = workspace.allProjects().find((p) => p.manifest?.file === file);
  if (project?.manifest) {
    appendAll(findings, inputFindings(workspace, project));
  }
  if (project?.manifest && !findings.some((f) => f.code === 'outdir-overlaps-sources' || (f.code === 'manifest-path-outside' && f.severity === 'error'))) {
    appendAll(findings, projectOutDirFindings(project));
  }
  const embedding = project ? workspace.embedding(project) : undefined;
  if (embedding && project?.manifest) {
    appendAll(findings, checkMapping(project.manifest, embedding.mapping));
  }
  return findings;
}

/** The files the manifest names that are not regular files of a sane size: read by nothing, reported at their key. */
function inputFindings(workspace: AnalysedWorkspace, project: Project): Finding[] {
  const manifest = project.manifest!;
  const named: { key: string; file: string | undefined; range?: Finding['range'] }[] = [
    { key: 'nginxConf', file: manifest.nginxConf },
    { key: 'buildScript', file: manifest.buildScript },
    ...manifest.embed.map((e) => ({ key: 'embed', file: e.file, range: e.range })),
  ];
  const findings: Finding[] = [];
  for (const { key, file, range } of named) {
    const why = file !== undefined ? workspace.inputProblem(file) : undefined;
    if (why) {
      findings.push({
        file: manifest.file,
        range: range ?? manifest.ranges.get(key) ?? rangeOf(0, 0, 0, 0),
        severity: 'error',
        code: 'unsafe-input',
        message: `"${key}" names ${file}, which is ${why}: it is not read. Name a regular Lua${key === 'nginxConf' ? ' or nginx configuration' : ''} file.`,
      });
    }
  }
  return findings;
}

/**
 * outDir against the source folders the manifest alone does not show: the
 * nginx.conf's lua_package_path, the inferred default path, explicit embed
 * files, the luakit context and stdlib.
 */
export function projectOutDirFindings(project: Project): Finding[] {
  const manifest = project.manifest;
  const problem = manifest && outDirProblem(manifest, projectSourceFolders(project));
  if (!manifest || !problem) {
    return [];
  }
  return [{ file: manifest.file, range: manifest.ranges.get('outDir') ?? rangeOf(0, 0, 0, 0), severity: 'error', code: problem.code, message: problem.message }];
}

/**
 * Every file that has or may have findings: manifests, Lua files, the
 * files closures reach inside their projects, and the files closure
 * findings are reported in.
 */
export function checkedFiles(workspace: AnalysedWorkspace): string[] {
  const files = new Set<string>([...workspace.manifests(), ...workspace.files(), ...workspace.nginxConfFiles(), ...workspace.undecodableNames().map((u) => u.dir)]);
  const embeddings = workspace.embeddings();
  const outside = embeddings.length > 0 ? outsideContext(workspace) : undefined;
  for (const e of embeddings) {
    const inside = ownedByProject(e.project.root);
    for (const f of e.closure.files) {
      if (inside(f)) {
        files.add(f);
      }
    }
    for (const f of reportedClosureFindings(e, outside!).keys()) {
      files.add(f);
    }
  }
  return [...files];
}

/** Every finding in the workspace, by file. */
export function checkAll(workspace: AnalysedWorkspace): Map<string, Finding[]> {
  const out = new Map<string, Finding[]>();
  for (const file of checkedFiles(workspace)) {
    out.set(file, checkFile(workspace, file));
  }
  return out;
}
