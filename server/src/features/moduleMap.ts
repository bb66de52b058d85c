import { checkFile } from '../core/checks/fileChecks';
import { Embedding } from '../core/embed/closure';
import { buildModuleMap, formatModuleMapMarkdown, ModuleMapRow } from '../core/embed/moduleMap';
import type { AnalysedWorkspace } from '../core/workspace/analysedWorkspace';
import { pathToUri, uriToPath } from '../convert';
import { ModuleMapEntry, ModuleMapLocation, ModuleMapParams, ModuleMapResult } from '../protocol/protocol';

const NO_MANIFEST: ModuleMapResult = {
  manifestUri: null,
  projectDir: null,
  markdown: 'No `resty-build.json` in this workspace: run **resty-build: Create Manifest** to write one from what was inferred.',
  modules: [],
  embedded: 0,
  problems: 0,
};

const FILE_START = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

export function moduleMapFor(workspace: AnalysedWorkspace, params: ModuleMapParams): ModuleMapResult {
  const file = params.uri ? uriToPath(params.uri) : undefined;
  let project = file ? workspace.projectFor(file) : undefined;
  if (!project?.manifest) {
    project = workspace.allProjects().find((p) => p.manifest !== undefined);
  }
  const embedding = project ? workspace.embedding(project) : undefined;
  if (!project?.manifest || !embedding) {
    return NO_MANIFEST;
  }
  const rows = buildModuleMap(embedding, (f) => checkFile(workspace, f));
  const modules = rows.map((r) => moduleMapEntry(r, embedding));
  return {
    manifestUri: pathToUri(project.manifest.file),
    projectDir: project.manifest.dir,
    markdown: `# Module map: ${project.root}\n\n${formatModuleMapMarkdown(project.root, rows)}\n`,
    modules,
    embedded: rows.filter((r) => r.status === 'embedded').length,
    problems: rows.filter((r) => !['embedded', 'builtin', 'provided'].includes(r.status)).length,
  };
}

/** The rows of every project with a manifest, by manifest file: what a change of the module map is measured on. */
export function moduleMapEntries(workspace: AnalysedWorkspace): Map<string, ModuleMapEntry[]> {
  const out = new Map<string, ModuleMapEntry[]>();
  for (const project of workspace.allProjects()) {
    const embedding = project.manifest ? workspace.embedding(project) : undefined;
    if (project.manifest && embedding) {
      out.set(project.manifest.file, buildModuleMap(embedding, (f) => checkFile(workspace, f)).map((r) => moduleMapEntry(r, embedding)));
    }
  }
  return out;
}

function moduleMapEntry(row: ModuleMapRow, embedding: Embedding): ModuleMapEntry {
  return {
    module: row.module,
    status: row.status,
    fileUri: row.file ? pathToUri(row.file) : null,
    location: locationOf(row, embedding),
    flatName: row.flatName,
    object: row.object,
    symbol: row.symbol,
    origin: row.origin,
    reasons: row.reasons.map((r) => ({ code: r.code, message: r.message })),
  };
}

/** Where a click on the row should go: the module, else the place that names it. */
function locationOf(row: ModuleMapRow, embedding: Embedding): ModuleMapLocation | null {
  if (row.file) {
    return { uri: pathToUri(row.file), range: FILE_START };
  }
  const manifest = embedding.project.manifest!;
  const entry = embedding.mapping.find((e) => e.module === row.module);
  if (entry) {
    return { uri: pathToUri(manifest.file), range: entry.range };
  }
  const site = embedding.closure.findings.find((f) => f.module === row.module);
  if (site) {
    return { uri: pathToUri(site.file), range: site.range };
  }
  const provided = row.status === 'provided' ? manifest.ranges.get('provided') : undefined;
  return provided ? { uri: pathToUri(manifest.file), range: provided } : null;
}

