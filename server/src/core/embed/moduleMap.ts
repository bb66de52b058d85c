import * as path from 'node:path';
import { checkMapping } from '../checks/checks';
import { Embedding } from './closure';
import { flatFileName, loaderSymbol, objectFileName } from './mapping';
import { Origin } from '../resolve/resolver';
import { appendAll, DiagnosticCode, Finding } from '../types';
import { displayPath, isInside } from '../paths';
import { withoutTrailLines } from '../findingFormat';

export type ModuleMapStatus = 'embedded' | 'not-in-mapping' | 'builtin' | 'provided' | 'native' | 'unresolved' | 'hyphen-name' | 'error';

/** One row of the module map: the mapping entries first, then what the closure reaches beyond them. */
export interface ModuleMapRow {
  module: string;
  file: string | null;
  flatName: string;
  object: string;
  symbol: string;
  origin: Origin | null;
  status: ModuleMapStatus;
  reasons: MapReason[];
}

/** Why a row is not plainly embedded: a finding, with where it was found (the first require site, or the manifest entry). */
export interface MapReason {
  code: DiagnosticCode;
  message: string;
  file?: string;
  /** 1-based, as printed. */
  line?: number;
  column?: number;
}

function reasonOf(f: Finding): MapReason {
  return { code: f.code, message: f.message, file: f.file, line: f.range.start.line + 1, column: f.range.start.character + 1 };
}

/** A reason on one line, at its position: `check` prints the search trail. */
function reasonLine(root: string, reason: MapReason): string {
  const at = reason.file ? ` at ${displayPath(root, reason.file, '')}:${reason.line}:${reason.column}` : '';
  return `${reason.code}${at}: ${withoutTrailLines(reason.message)}`;
}

/**
 * `fileFindings` gives the findings of a source file, so a module that will
 * not compile (syntax) shows as an error in the map too.
 */
export function buildModuleMap(embedding: Embedding, fileFindings: (file: string) => Finding[] = () => []): ModuleMapRow[] {
  const manifest = embedding.project.manifest!;
  // Grouped once by module: filtering all findings per entry was quadratic (100 000 entries: 42 s).
  const errorsByModule = new Map<string, Finding[]>();
  for (const f of checkMapping(manifest, embedding.mapping)) {
    if (f.module !== undefined && f.severity === 'error') {
      const list = errorsByModule.get(f.module);
      if (list) {
        list.push(f);
      } else {
        errorsByModule.set(f.module, [f]);
      }
    }
  }
  const rows: ModuleMapRow[] = [];
  const seen = new Set<string>();
  for (const entry of embedding.mapping) {
    if (seen.has(entry.module)) {
      continue;
    }
    seen.add(entry.module);
    // A duplicate entry is a warning about the manifest, not about the module.
    const reasons = [
      ...(errorsByModule.get(entry.module) ?? []),
      ...(entry.file ? fileFindings(entry.file).filter((f) => f.code === 'syntax-error' || f.code === 'luajit-syntax') : []),
    ].map(reasonOf);
    rows.push({
      module: entry.module,
      file: entry.file ?? null,
      flatName: entry.flatName,
      object: entry.object,
      symbol: entry.symbol,
      origin: entry.origin ?? null,
      status: reasons.some((r) => r.code === 'hyphen-name') ? 'hyphen-name' : reasons.length > 0 ? 'error' : 'embedded',
      reasons,
    });
  }
  const extra = [...embedding.closure.modules.values()].filter((m) => !seen.has(m.name)).sort((a, b) => a.name.localeCompare(b.name));
  const firstFinding = new Map<string, Finding>();
  for (const f of embedding.closure.findings) {
    if (f.module !== undefined && !firstFinding.has(f.module)) {
      firstFinding.set(f.module, f);
    }
  }
  for (const m of extra) {
    const first = firstFinding.get(m.name);
    const reasons = first ? [reasonOf(first)] : [];
    const inProject = m.file !== undefined && isInside(manifest.dir, m.file);
    const origin: Origin | null =
      m.status === 'builtin' ? 'builtin' : m.status === 'provided' ? 'provided' : m.status === 'native' ? 'native' : m.file ? (inProject ? 'workspace' : 'path') : null;
    rows.push({
      module: m.name,
      file: m.file ?? null,
      flatName: flatFileName(m.name),
      object: path.join(manifest.outDir, objectFileName(m.name)),
      symbol: loaderSymbol(m.name),
      origin,
      status: m.status,
      reasons,
    });
  }
  return rows;
}

const STATUS_TEXT: Record<ModuleMapStatus, string> = {
  embedded: 'embedded',
  'not-in-mapping': 'MISSING from embed',
  builtin: 'built into the runtime',
  provided: 'provided by the runtime',
  native: 'C module: ship it',
  unresolved: 'NOT FOUND',
  'hyphen-name': 'cannot embed (hyphen)',
  error: 'ERROR',
};

function tableRows(root: string, rows: ModuleMapRow[]): string[][] {
  return rows.map((r) => [
    r.module,
    r.status === 'builtin' || r.status === 'provided' ? '' : r.flatName,
    r.status === 'builtin' || r.status === 'provided' ? '' : r.symbol,
    r.origin ?? '',
    STATUS_TEXT[r.status],
    r.file ? displayPath(root, r.file, '') : '',
  ]);
}

const HEADER = ['Module', 'File name', 'Symbol', 'Origin', 'Status', 'Source'];

export function formatModuleMapMarkdown(root: string, rows: ModuleMapRow[]): string {
  const cells = tableRows(root, rows);
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  const lines = [`| ${HEADER.join(' | ')} |`, `| ${HEADER.map(() => '---').join(' | ')} |`];
  for (const row of cells) {
    lines.push(`| ${row.map((c, i) => (c && i < 3 ? '`' + esc(c) + '`' : esc(c))).join(' | ')} |`);
  }
  const problems = rows.flatMap((r) => r.reasons.map((reason) => `- \`${r.module}\`: ${esc(reasonLine(root, reason))}`));
  if (problems.length > 0) {
    appendAll(lines, ['', '**Problems**', '', ...problems]);
  }
  return lines.join('\n');
}

export function formatModuleMapText(root: string, rows: ModuleMapRow[]): string {
  const cells = [HEADER, ...tableRows(root, rows)];
  const widths = HEADER.map((_, i) => cells.reduce((w, r) => Math.max(w, r[i].length), 0));
  const lines = cells.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd());
  lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  const problems = rows.flatMap((r) => r.reasons.map((reason) => `${r.module}: ${reasonLine(root, reason)}`));
  if (problems.length > 0) {
    appendAll(lines, ['', ...problems]);
  }
  return lines.join('\n');
}
