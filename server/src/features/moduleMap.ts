import { checkFile } from '../core/checks/fileChecks';
import { Embedding } from '../core/embed/closure';
import { buildModuleMap, formatModuleMapMarkdown } from '../core/embed/moduleMap';
import { Workspace } from '../core/workspace/workspace';
import { pathToUri, uriToPath } from '../convert';
import { ModuleMapParams, ModuleMapResult } from '../protocol/protocol';

/** Rows the Markdown preview shows; the counts and the module list cover all of them. */
const MAX_PREVIEW_ROWS = 5_000;

/**
 * The last map of each embedding, valid while its closure is the same object
 * (an edit that changes what the closure says replaces it): the status bar
 * asks after every edit, and a map of 50 000 rows takes a second to build.
 */
const lastMap = new WeakMap<Embedding, { closure: Embedding['closure']; result: ModuleMapResult }>();

export function moduleMapFor(workspace: Workspace, params: ModuleMapParams): ModuleMapResult {
  const file = params.uri ? uriToPath(params.uri) : undefined;
  let project = file ? workspace.projectFor(file) : undefined;
  if (!project?.manifest) {
    project = workspace.allProjects().find((p) => p.manifest !== undefined);
  }
  const embedding = project ? workspace.embedding(project) : undefined;
  if (!project?.manifest || !embedding) {
    return {
      manifestUri: null,
      markdown: 'No `resty-build.json` in this workspace: run **resty-build: Create Manifest** to write one from what was inferred.',
      modules: [],
      embedded: 0,
      problems: 0,
    };
  }
  const cached = lastMap.get(embedding);
  if (cached?.closure === embedding.closure) {
    return cached.result;
  }
  const rows = buildModuleMap(embedding, (f) => checkFile(workspace, f));
  const problems = rows.filter((r) => !['embedded', 'builtin', 'provided'].includes(r.status)).length;
  const shown = rows.length > MAX_PREVIEW_ROWS ? rows.slice(0, MAX_PREVIEW_ROWS) : rows;
  const more = rows.length - shown.length;
  const result: ModuleMapResult = {
    manifestUri: pathToUri(project.manifest.file),
    markdown: `# Module map: ${project.root}\n\n${formatModuleMapMarkdown(project.root, shown)}\n${more > 0 ? `\n(${more} more modules not shown; \`resty-build map\` prints them all.)\n` : ''}`,
    modules: rows.map((r) => ({ module: r.module, status: r.status })),
    embedded: rows.filter((r) => r.status === 'embedded').length,
    problems,
  };
  lastMap.set(embedding, { closure: embedding.closure, result });
  return result;
}
