import { displayPath } from './paths';
import { Finding } from './types';

/** Sorts by file and position, errors first at the same place. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) => compareText(a.file, b.file) || a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character || compareText(a.code, b.code),
  );
}

/** What `localeCompare` answers, without setting up the comparison for every pair. */
const compareText = new Intl.Collator().compare;

/**
 * `path:line:col: severity code: message`, further message lines indented
 * below: the format of `check`, of the build commands and of the
 * `$resty-build` problem matcher. Paths are relative to `base` when inside it
 * (as compilers print them), so terminals and the matcher can open them.
 */
export function findingLines(findings: readonly Finding[], base: string): string[] {
  const lines: string[] = [];
  for (const f of sortFindings(findings)) {
    const [first, ...rest] = f.message.split('\n');
    lines.push(`${displayPath(base, f.file)}:${f.range.start.line + 1}:${f.range.start.character + 1}: ${f.severity} ${f.code}: ${first}`);
    for (const more of rest) {
      lines.push(`    ${more.replace(/^\t/, '')}`);
    }
  }
  return lines;
}

/** The JSON shape of `check --format json`'s diagnostics; paths relative to `base` when given, else absolute. */
export function findingsJson(findings: readonly Finding[], base?: string) {
  return sortFindings(findings).map((f) => ({
    file: base === undefined ? f.file : displayPath(base, f.file),
    line: f.range.start.line + 1,
    column: f.range.start.character + 1,
    endLine: f.range.end.line + 1,
    endColumn: f.range.end.character + 1,
    severity: f.severity,
    code: f.code,
    message: f.message,
    module: f.module ?? null,
  }));
}

export function countErrors(findings: readonly Finding[]): number {
  return findings.filter((f) => f.severity === 'error').length;
}

export function hasErrors(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.severity === 'error');
}
