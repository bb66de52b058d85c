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
  omitted: 0,
  embedded: 0,
  problems: 0,
};

const FILE_START = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

/** Rows the Markdown preview and the module list show; the counts cover all of them, `resty-build map` lists them all. */
const MAX_PREVIEW_ROWS = 5_000;

/**
 * The last map of each embedding, valid while its closure is the same object
 * (an edit that changes what the closure says replaces it): the status bar
 * asks after every edit, and a map of 50 000 rows takes a second to build.
 */
const lastMap = new WeakMap<Embedding, { closure: Embedding['closure']; result: ModuleMapResult }>();

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
  const map = mapOf(workspace, embedding);
  // The status bar asks after edits: the counts are a few bytes, the rows of a large project megabytes.
  return params.rows === false ? { ...map, markdown: '', modules: [], omitted: map.modules.length + map.omitted } : map;
}

/** The map of one embedding, kept while its closure is the same. */
function mapOf(workspace: AnalysedWorkspace, embedding: Embedding): ModuleMapResult {
  const project = embedding.project;
  const manifest = project.manifest!;
  const cached = lastMap.get(embedding);
  if (cached?.closure === embedding.closure) {
    return cached.result;
  }
  const rows = buildModuleMap(embedding, (f) => checkFile(workspace, f));
  const shown = rows.length > MAX_PREVIEW_ROWS ? rows.slice(0, MAX_PREVIEW_ROWS) : rows;
  const more = rows.length - shown.length;
  // A list of 50 000 rows is 20 MB to send and more than anyone reads: the problems first, then the rest, in map order.
  const listed = rows.length > MAX_PREVIEW_ROWS ? problemsFirst(rows).slice(0, MAX_PREVIEW_ROWS) : rows;
  const result: ModuleMapResult = {
    manifestUri: pathToUri(manifest.file),
    projectDir: manifest.dir,
    markdown: `# Module map: ${project.root}\n\n${formatModuleMapMarkdown(project.root, shown)}\n${more > 0 ? `\n(${more} more modules not shown; \`resty-build map\` prints them all.)\n` : ''}`,
    modules: entriesOf(listed, embedding),
    omitted: rows.length - listed.length,
    embedded: rows.filter((r) => r.status === 'embedded').length,
    problems: rows.filter((r) => !FINE.includes(r.status)).length,
  };
  lastMap.set(embedding, { closure: embedding.closure, result });
  return result;
}

const FINE: readonly string[] = ['embedded', 'builtin', 'provided'];

function problemsFirst(rows: readonly ModuleMapRow[]): ModuleMapRow[] {
  return [...rows.filter((r) => !FINE.includes(r.status)), ...rows.filter((r) => FINE.includes(r.status))];
}

/** The map of every project with a manifest, by manifest file: what a change of the module map is measured on. */
export function moduleMaps(workspace: AnalysedWorkspace): Map<string, ModuleMapResult> {
  const out = new Map<string, ModuleMapResult>();
  for (const project of workspace.allProjects()) {
    const embedding = project.manifest ? workspace.embedding(project) : undefined;
    if (project.manifest && embedding) {
      out.set(project.manifest.file, mapOf(workspace, embedding));
    }
  }
  return out;
}

/** The rows as the protocol sends them; the places rows point to are looked up once per map, not once per row. */
function entriesOf(rows: readonly ModuleMapRow[], embedding: Embedding): ModuleMapEntry[] {
  const places = placesOf(embedding);
  return rows.map((row) => ({
    module: row.module,
    status: row.status,
    fileUri: row.file ? pathToUri(row.file) : null,
    location: locationOf(row, places),
    flatName: row.flatName,
    object: row.object,
    symbol: row.symbol,
    origin: row.origin,
    reasons: row.reasons.map((r) => ({ code: r.code, message: r.message })),
  }));
}

interface Places {
  manifest: string;
  /** The first `embed` entry of each module. */
  entries: Map<string, ModuleMapLocation['range']>;
  /** The first closure finding about each module (a require of a module nothing finds). */
  sites: Map<string, { file: string; range: ModuleMapLocation['range'] }>;
  provided?: ModuleMapLocation['range'];
}

function placesOf(embedding: Embedding): Places {
  const manifest = embedding.project.manifest!;
  const entries = new Map<string, ModuleMapLocation['range']>();
  for (const e of embedding.mapping) {
    if (!entries.has(e.module)) {
      entries.set(e.module, e.range);
    }
  }
  const sites = new Map<string, { file: string; range: ModuleMapLocation['range'] }>();
  for (const f of embedding.closure.findings) {
    if (f.module !== undefined && !sites.has(f.module)) {
      sites.set(f.module, { file: f.file, range: f.range });
    }
  }
  return { manifest: manifest.file, entries, sites, provided: manifest.ranges.get('provided') };
}

/** Where a click on the row should go: the module, else the place that names it. */
function locationOf(row: ModuleMapRow, places: Places): ModuleMapLocation | null {
  if (row.file) {
    return { uri: pathToUri(row.file), range: FILE_START };
  }
  const entry = places.entries.get(row.module);
  if (entry) {
    return { uri: pathToUri(places.manifest), range: entry };
  }
  const site = places.sites.get(row.module);
  if (site) {
    return { uri: pathToUri(site.file), range: site.range };
  }
  const provided = row.status === 'provided' ? places.provided : undefined;
  return provided ? { uri: pathToUri(places.manifest), range: provided } : null;
}
