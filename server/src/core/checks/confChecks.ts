import { checkLuaFile } from './checks';
import { hostViews } from '../navigate/luaViews';
import { Finding } from '../types';
import type { AnalysedWorkspace } from '../workspace/analysedWorkspace';

/**
 * The per-file checks of Lua inside an nginx configuration (`*_by_lua_block`,
 * `*_by_lua '…'`), at their positions in the conf. When a manifest's embed
 * closure already judges this conf's requires, only syntax is checked here.
 */
export function checkConfLua(workspace: AnalysedWorkspace, file: string, judgedByClosure: boolean): Finding[] {
  const host = hostViews(workspace, file);
  if (!host?.isConf) {
    return [];
  }
  const project = workspace.projectFor(file);
  const findings: Finding[] = [];
  for (const view of host.views) {
    const chunkLines = view.facts.lines;
    for (const f of checkLuaFile(file, view.facts, (name) => workspace.resolve(project, name), judgedByClosure)) {
      const start = view.base + chunkLines.offset(f.range.start);
      const end = view.base + chunkLines.offset(f.range.end);
      findings.push({ ...f, range: host.lines.range(start, end) });
    }
  }
  return findings;
}
