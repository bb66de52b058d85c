import { checkFile } from '../core/checks/fileChecks';
import { buildModuleMap, formatModuleMapMarkdown } from '../core/embed/moduleMap';
import { closureChains } from '../core/embed/why';
import { Workspace } from '../core/workspace/workspace';
import { pathToUri, uriToPath } from '../convert';
import { ModuleMapParams, ModuleMapResult } from '../protocol/protocol';

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
  const rows = buildModuleMap(embedding, (f) => checkFile(workspace, f));
  const problems = rows.filter((r) => !['embedded', 'builtin', 'provided'].includes(r.status)).length;
  const chains = closureChains(embedding);
  const manifestFile = project.manifest.file;
  const namedAt = (module: string) => {
    const entry = embedding.mapping.find((e) => e.module === module);
    if (entry) {
      return { uri: pathToUri(manifestFile), range: entry.range };
    }
    const site = chains.sitesOf(module)[0];
    return site ? { uri: pathToUri(site.file), range: site.range } : null;
  };
  return {
    manifestUri: pathToUri(project.manifest.file),
    markdown: `# Module map: ${project.root}\n\n${formatModuleMapMarkdown(project.root, rows)}\n`,
    modules: rows.map((r) => ({
      module: r.module,
      status: r.status,
      symbol: r.symbol,
      flatName: r.flatName,
      fileUri: r.file ? pathToUri(r.file) : null,
      objectUri: pathToUri(r.object),
      origin: r.origin,
      reasons: r.reasons,
      namedAt: namedAt(r.module),
    })),
    embedded: rows.filter((r) => r.status === 'embedded').length,
    problems,
  };
}
