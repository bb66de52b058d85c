import * as path from 'node:path';
import { Finding } from '../core/types';

export type Write = (s: string) => void;

/** A path relative to `base` with '/' separators, or the absolute path when it lies outside. */
export function relativePath(base: string, file: string): string {
  const rel = path.relative(base, file);
  return rel.startsWith('..') || path.isAbsolute(rel) ? file : rel.split(path.sep).join('/');
}

/** Sorts by file and position, errors first at the same place. */
export function sortFindings(findings: Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) => a.file.localeCompare(b.file) || a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character || a.code.localeCompare(b.code),
  );
}

/**
 * `path:line:col: severity code: message`, the format of `check` and of the
 * `$resty-build` problem matcher. Paths are relative to the working folder
 * (as compilers print them), so terminals and the matcher can open them.
 */
export function findingLines(findings: Finding[], base = process.cwd()): string[] {
  const lines: string[] = [];
  for (const f of sortFindings(findings)) {
    const [first, ...rest] = f.message.split('\n');
    lines.push(`${relativePath(base, f.file)}:${f.range.start.line + 1}:${f.range.start.character + 1}: ${f.severity} ${f.code}: ${first}`);
    for (const more of rest) {
      lines.push(`    ${more.replace(/^\t/, '')}`);
    }
  }
  return lines;
}

/** The JSON shape of `check --format json`'s diagnostics; paths relative to `base` when given, else absolute. */
export function findingsJson(findings: Finding[], base?: string) {
  return sortFindings(findings).map((f) => ({
    file: base === undefined ? f.file : relativePath(base, f.file),
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

export function hasErrors(findings: Finding[]): boolean {
  return findings.some((f) => f.severity === 'error');
}
