import * as path from 'node:path';
import { checkLuaFile, checkMapping } from './checks';
import { checkConfLua } from './confChecks';
import { checkLuakitSandbox } from './luakitSandbox';
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
  return checkLuaFile(file, facts, (name) => workspace.resolve(project, name), false, project.dialect);
}

/** Findings for one file: a Lua file, a manifest, or an nginx.conf with closure findings. */
export function checkFile(workspace: AnalysedWorkspace, file: string): Finding[] {
  if (path.basename(file) === MANIFEST_NAME) {
    return checkManifest(workspace, file);
  }
  const closureFindings: Finding[] = [];
  let inClosure = false;
  for (const e of workspace.embeddings()) {
    inClosure = inClosure || e.closure.files.has(file);
    closureFindings.push(...(e.closure.byFile.get(file) ?? []));
  }
  if (workspace.projectFor(file).excluded(file)) {
    // Excluded files are not analysed; what the embed closure says about them still counts (they go into the binary).
    return closureFindings;
  }
  const facts = file.endsWith('.lua') ? workspace.facts(file) : undefined;
  if (!facts) {
    const judged = workspace.allProjects().some((p) => p.manifest !== undefined && p.nginxConfFile === file);
    return [...checkConfLua(workspace, file, judged), ...closureFindings];
  }
  const project = workspace.projectFor(file);
  return [
    ...checkLuaFile(file, facts, (name) => workspace.resolve(project, name), inClosure, project.dialect),
    ...checkLuakitSandbox(workspace, project, file),
    ...closureFindings,
    ...workspace.cycleFindings(file),
  ];
}

/** Findings for a manifest file: validation, then the mapping's own problems. */
export function checkManifest(workspace: AnalysedWorkspace, file: string): Finding[] {
  const findings = [...workspace.manifestFindings(file)];
  const project = workspace.allProjects().find((p) => p.manifest?.file === file);
  const embedding = project ? workspace.embedding(project) : undefined;
  if (embedding && project?.manifest) {
    findings.push(...checkMapping(project.manifest, embedding.mapping));
  }
  return findings;
}

/** Every file that has or may have findings: manifests, Lua files, and files reached by closures. */
export function checkedFiles(workspace: AnalysedWorkspace): string[] {
  const files = new Set<string>([...workspace.manifests(), ...workspace.files(), ...workspace.nginxConfFiles()]);
  for (const e of workspace.embeddings()) {
    for (const f of e.closure.files) {
      files.add(f);
    }
    for (const f of e.closure.findings) {
      files.add(f.file);
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
