import { Finding, Severity } from '../types';

/** `check --summary`: counts per code, and the modules with the most sites. */
export interface FindingSummary {
  /** Codes with their counts per severity, the most frequent code first. */
  codes: { code: string; counts: Partial<Record<Severity, number>>; total: number }[];
  /** Modules by number of findings about them, the most first (at most `top`). */
  modules: { module: string; sites: number; codes: string[] }[];
}

const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info', 'hint'];

export function summarizeFindings(findings: readonly Finding[], top = 10): FindingSummary {
  const codes = new Map<string, FindingSummary['codes'][number]>();
  const modules = new Map<string, { module: string; sites: number; codes: Set<string> }>();
  for (const f of findings) {
    const entry = codes.get(f.code) ?? { code: f.code, counts: {}, total: 0 };
    entry.counts[f.severity] = (entry.counts[f.severity] ?? 0) + 1;
    entry.total++;
    codes.set(f.code, entry);
    if (f.module !== undefined) {
      const m = modules.get(f.module) ?? { module: f.module, sites: 0, codes: new Set<string>() };
      m.sites++;
      m.codes.add(f.code);
      modules.set(f.module, m);
    }
  }
  return {
    codes: [...codes.values()].sort((a, b) => b.total - a.total || a.code.localeCompare(b.code)),
    modules: [...modules.values()]
      .sort((a, b) => b.sites - a.sites || a.module.localeCompare(b.module))
      .slice(0, top)
      .map((m) => ({ module: m.module, sites: m.sites, codes: [...m.codes].sort() })),
  };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** The summary as text; empty for no findings, so a clean project stays quiet. */
export function summaryLines(summary: FindingSummary): string[] {
  if (summary.codes.length === 0) {
    return [];
  }
  const codeWidth = Math.max(...summary.codes.map((c) => c.code.length));
  const lines = ['Findings by code:'];
  for (const c of summary.codes) {
    const counts = SEVERITIES.filter((s) => c.counts[s]).map((s) => plural(c.counts[s]!, s));
    lines.push(`  ${c.code.padEnd(codeWidth)}  ${counts.join(', ')}`);
  }
  if (summary.modules.length > 0) {
    const moduleWidth = Math.max(...summary.modules.map((m) => m.module.length));
    lines.push('Modules with the most sites:');
    for (const m of summary.modules) {
      lines.push(`  ${m.module.padEnd(moduleWidth)}  ${plural(m.sites, 'site').padEnd(9)}  ${m.codes.join(', ')}`);
    }
  }
  return lines;
}
