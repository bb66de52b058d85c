import * as path from 'node:path';
import { checkLuaFile, checkMapping } from './checks';
import { checkConfLua } from './confChecks';
import { checkLuakitSandbox } from './luakitSandbox';
import { applyFindingPolicy } from './findingPolicy';
import { outsideContext, ownedByProject, reportedClosureFindings } from '../embed/outsideFindings';
import { MANIFEST_NAME } from '../manifest/manifest';
import { Finding } from '../types';
import type { AnalysedWorkspace } from '../workspace/analysedWorkspace';

// The findings of a workspace, file by file: what the editor publishes and
// `resty-build check` prints. The checks only read the workspace.

/**
 * The findings of a Lua file that need no other file parsed (syntax, its
 * own requires): what an editor shows while the workspace is still loading.
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
  return applyFindingPolicy(workspace, file, checkLuaFile(file, facts, (name) => workspace.resolve(project, name), false, project.dialect));
}

/** The closure findings reported in a file (findings outside a project come to its entry point), and whether a closure reaches the file. */
function closureFindingsIn(workspace: AnalysedWorkspace, file: string): { findings: Finding[]; inClosure: boolean } {
  const findings: Finding[] = [];
  let inClosure = false;
  const embeddings = workspace.embeddings();
  const outside = embeddings.length > 0 ? outsideContext(workspace) : undefined;
  for (const e of embeddings) {
    inClosure = inClosure || e.closure.files.has(file);
    findings.push(...(reportedClosureFindings(e, outside!).get(file) ?? []));
  }
  return { findings, inClosure };
}

/** Findings for one file: a Lua file, a manifest, or an nginx.conf with closure findings; suppressions and severities applied. */
export function checkFile(workspace: AnalysedWorkspace, file: string): Finding[] {
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

/**
 * The manifest's own findings: validation, then the mapping's problems.
 * Neither suppressions nor severities apply: the build commands refuse to
 * start on these errors.
 */
export function checkManifest(workspace: AnalysedWorkspace, file: string): Finding[] {
  const findings = [...workspace.manifestFindings(file)];
  const project = workspace.allProjects().find((p) => p.manifest?.file === file);
  const embedding = project ? workspace.embedding(project) : undefined;
  if (embedding && project?.manifest) {
    findings.push(...checkMapping(project.manifest, embedding.mapping));
  }
  return findings;
}

/**
 * Every file that has or may have findings: manifests, Lua files, the
 * files closures reach inside their projects, and the files closure
 * findings are reported in.
 */
export function checkedFiles(workspace: AnalysedWorkspace): string[] {
  const files = new Set<string>([...workspace.manifests(), ...workspace.files(), ...workspace.nginxConfFiles()]);
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
