import { displayPath } from '../paths';
import { Embedding } from './closure';
import { ModuleMapRow, ModuleMapStatus } from './moduleMap';

/**
 * The embed closure as a graph people can look at (`map --format dot`,
 * `--format mermaid`): a node per module reached (built-in modules, always
 * there, are left out), the nginx.conf as a node of its own, an edge per
 * module a file requires. Colours say what the binary will do with a module.
 */
export interface ClosureGraph {
  /** `nginx.conf`: the configuration; `file`: a file it runs with `*_by_lua_file`, loaded from disk, not embedded. */
  nodes: { id: string; label: string; status: ModuleMapStatus | 'nginx.conf' | 'file' }[];
  edges: { from: string; to: string }[];
}

const STATUS_LABEL: Partial<Record<ModuleMapStatus, string>> = {
  'not-in-mapping': 'missing from embed',
  provided: 'provided by the runtime',
  native: 'C module',
  unresolved: 'not found',
  'hyphen-name': 'hyphen: never found',
  error: 'error',
};

export function closureGraph(embedding: Embedding, rows: readonly ModuleMapRow[]): ClosureGraph {
  const root = embedding.project.root;
  const status = new Map(rows.map((r) => [r.module, r.status]));
  const moduleOfFile = new Map<string, string>();
  for (const r of rows) {
    if (r.file && !moduleOfFile.has(r.file)) {
      moduleOfFile.set(r.file, r.module);
    }
  }
  const nodes = new Map<string, ClosureGraph['nodes'][number]>();
  const edges = new Map<string, ClosureGraph['edges'][number]>();
  const node = (id: string, label: string, s: ClosureGraph['nodes'][number]['status']) => {
    if (!nodes.has(id)) {
      nodes.set(id, { id, label, status: s });
    }
  };
  const edge = (from: string, to: string) => {
    if (from !== to) {
      edges.set(`${from}\0${to}`, { from, to });
    }
  };
  const fileNode = (file: string): string => {
    const module = moduleOfFile.get(file);
    if (module !== undefined) {
      return module;
    }
    const id = displayPath(root, file);
    node(id, id, file === embedding.project.nginxConfFile ? 'nginx.conf' : 'file');
    return id;
  };
  for (const r of rows) {
    if (r.status !== 'builtin') {
      node(r.module, r.module, r.status);
    }
  }
  for (const entry of embedding.closure.entries) {
    if (entry.kind === 'nginx.conf' && entry.target) {
      edge(fileNode(entry.file), fileNode(entry.target));
    }
  }
  for (const { file, judgement } of embedding.closure.judgements) {
    const from = fileNode(file);
    for (const note of judgement.notes) {
      if (status.get(note.name) !== 'builtin' && nodes.has(note.name)) {
        edge(from, note.name);
      }
    }
  }
  return { nodes: [...nodes.values()], edges: [...edges.values()] };
}

const COLOURS: Record<ClosureGraph['nodes'][number]['status'], { fill: string; stroke: string }> = {
  embedded: { fill: '#e8f5e9', stroke: '#2e7d32' },
  'not-in-mapping': { fill: '#ffebee', stroke: '#c62828' },
  unresolved: { fill: '#ffebee', stroke: '#c62828' },
  'hyphen-name': { fill: '#ffebee', stroke: '#c62828' },
  error: { fill: '#ffebee', stroke: '#c62828' },
  native: { fill: '#fff3e0', stroke: '#ef6c00' },
  provided: { fill: '#eceff1', stroke: '#607d8b' },
  builtin: { fill: '#eceff1', stroke: '#607d8b' },
  'nginx.conf': { fill: '#e3f2fd', stroke: '#1565c0' },
  file: { fill: '#ffffff', stroke: '#1565c0' },
};

function dotString(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** Graphviz: `resty-build map --format dot | dot -Tsvg > closure.svg`. */
export function formatClosureDot(graph: ClosureGraph): string {
  const lines = ['digraph "embed closure" {', '  rankdir=LR;', '  node [shape=box, style="rounded,filled", fontname="Helvetica"];'];
  for (const n of graph.nodes) {
    const note = n.status === 'nginx.conf' || n.status === 'file' ? undefined : STATUS_LABEL[n.status];
    const c = COLOURS[n.status];
    const label = note ? `${n.label}\n(${note})` : n.label;
    lines.push(`  ${dotString(n.id)} [label=${dotString(label)}, fillcolor="${c.fill}", color="${c.stroke}"${n.status === 'nginx.conf' ? ', shape=note' : ''}];`);
  }
  for (const e of graph.edges) {
    lines.push(`  ${dotString(e.from)} -> ${dotString(e.to)};`);
  }
  lines.push('}');
  return lines.join('\n');
}

/** Mermaid text for a flowchart (GitHub renders ```mermaid blocks); labels are quoted, quotes written as #quot;. */
function mermaidLabel(text: string): string {
  return `"${text.replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;')}"`;
}

export function formatClosureMermaid(graph: ClosureGraph): string {
  const ids = new Map(graph.nodes.map((n, i) => [n.id, `n${i}`]));
  const cls = (status: string) => status.replace(/[^a-z]/g, '');
  const lines = ['flowchart LR'];
  for (const n of graph.nodes) {
    const note = n.status === 'nginx.conf' || n.status === 'file' ? undefined : STATUS_LABEL[n.status];
    lines.push(`  ${ids.get(n.id)}[${mermaidLabel(note ? `${n.label} (${note})` : n.label)}]:::${cls(n.status)}`);
  }
  for (const e of graph.edges) {
    lines.push(`  ${ids.get(e.from)} --> ${ids.get(e.to)}`);
  }
  for (const status of new Set(graph.nodes.map((n) => n.status))) {
    const c = COLOURS[status];
    lines.push(`  classDef ${cls(status)} fill:${c.fill},stroke:${c.stroke}`);
  }
  return lines.join('\n');
}
