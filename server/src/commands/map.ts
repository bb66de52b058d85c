import { checkFile } from '../core/checks/fileChecks';
import { closureGraph, formatClosureDot, formatClosureMermaid } from '../core/embed/closureGraph';
import { buildModuleMap, formatModuleMapMarkdown, formatModuleMapText } from '../core/embed/moduleMap';
import { analysedWorkspace, CommandArgs, CommandIO, EXIT_FINDINGS, EXIT_OK, manifestProject, resolveDir } from './common';

/** `resty-build map [dir]`: the name mapping and the closure, as a table or JSON. */
export async function runMap(args: CommandArgs, io: CommandIO): Promise<number> {
  const format = args.options.get('format') ?? 'text';
  const dir = resolveDir(args.dir);
  const workspace = await analysedWorkspace(dir, args, io);
  const project = manifestProject(workspace, dir);
  const rows = buildModuleMap(workspace.embedding(project)!, (f) => checkFile(workspace, f));
  if (format === 'json') {
    io.out(JSON.stringify({ modules: rows }, null, 2));
  } else if (format === 'dot') {
    io.out(formatClosureDot(closureGraph(workspace.embedding(project)!, rows)));
  } else if (format === 'mermaid') {
    io.out(formatClosureMermaid(closureGraph(workspace.embedding(project)!, rows)));
  } else if (format === 'markdown') {
    io.out(formatModuleMapMarkdown(dir, rows));
  } else {
    io.out(formatModuleMapText(dir, rows));
  }
  const bad = rows.filter((r) => r.status !== 'embedded' && r.status !== 'builtin' && r.status !== 'provided');
  return bad.some((r) => r.status !== 'native' || r.reasons.length > 0) ? EXIT_FINDINGS : EXIT_OK;
}
