import { findSandboxViolations } from '../navigate/luakitApi';
import { bindingsOf, tokensOf } from '../navigate/luaViews';
import { Project } from '../resolve/project';
import { Finding } from '../types';
import type { AnalysedWorkspace } from '../workspace/analysedWorkspace';

/** The build script of a luakit project and every Lua file it reaches through literal requires. */
export function luakitSandboxFiles(workspace: AnalysedWorkspace, project: Project): Set<string> {
  const files = new Set<string>();
  if (project.profile !== 'luakit' || !project.buildScript) {
    return files;
  }
  const queue = [...(project.buildScripts ?? [project.buildScript])];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (files.has(file)) {
      continue;
    }
    const facts = workspace.facts(file);
    if (!facts) {
      continue;
    }
    files.add(file);
    for (const site of facts.requires) {
      if (site.name !== undefined && !site.dynamic) {
        const r = workspace.resolve(project, site.name);
        if (r.status === 'file' && r.file && !files.has(r.file)) {
          queue.push(r.file);
        }
      }
    }
  }
  return files;
}

/**
 * `luakit-sandbox`: a build script (or a module it requires) uses something
 * luakit's sandbox removes, which will be nil when the script runs.
 */
export function checkLuakitSandbox(workspace: AnalysedWorkspace, project: Project, file: string): Finding[] {
  if (project.profile !== 'luakit' || !luakitSandboxFiles(workspace, project).has(file)) {
    return [];
  }
  const text = workspace.readText(file);
  const facts = workspace.facts(file);
  if (text === undefined || !facts) {
    return [];
  }
  const view = { text, facts };
  return findSandboxViolations(tokensOf(view), bindingsOf(view)).map((v) => ({
    file,
    range: facts.lines.range(v.start, v.end),
    severity: 'warning',
    code: 'luakit-sandbox',
    message: `'${v.name}' is removed by the luakit sandbox: it will be nil when the build runs${v.name.includes('.') || v.name === 'debug' ? '' : ', and calling it fails'}. Build scripts cannot ${/^io\./.test(v.name) || v.name === 'loadfile' || v.name === 'dofile' ? 'read files directly; use require, or bk.local_ to bring files into the build' : 'run processes or change the host; do that work inside a :run step'}.`,
  }));
}
