import { displayPath } from './paths';
import { DiagnosticCode, Finding, Severity } from './types';

/** Sorts by file and position, errors first at the same place. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) => compareText(a.file, b.file) || a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character || compareText(a.code, b.code),
  );
}

/**
 * By code unit: the same order on every machine whatever its locale (CI logs
 * and reports diff cleanly), and no collator to set up (ICU costs a command
 * about 7 ms).
 */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

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

/** Messages already cut, by message: every site of a missing module shares one message of some thirty lines. */
const cutMessages = new Map<string, string>();
const MAX_CUT_MESSAGES = 4096;

/** The lines of a message that are not its search trail: the first line (without its closing ':') and any notes. */
export function messageWithoutTrail(f: Finding): string {
  if (!f.trail) {
    return f.message;
  }
  let cut = cutMessages.get(f.message);
  if (cut === undefined) {
    cut = withoutTrailLines(f.message);
    if (cutMessages.size >= MAX_CUT_MESSAGES) {
      cutMessages.clear();
    }
    cutMessages.set(f.message, cut);
  }
  return cut;
}

/** A message with its tab-indented lines (a search trail, as Lua words it) left out, on one line. */
export function withoutTrailLines(message: string): string {
  const [first, ...rest] = message.split('\n');
  const kept = rest.filter((l) => !l.startsWith('\t'));
  return [kept.length < rest.length ? first.replace(/:$/, '') : first, ...kept].join(' ');
}

/** Trail keys already built, per finding: a key joins some thirty lines, and a publish asks for it several times. */
const trailKeys = new WeakMap<Finding, string>();

/** What sites of one unresolved module (in one project) share: the module and its search trail. */
export function trailKey(f: Finding): string | undefined {
  if (!f.trail) {
    return undefined;
  }
  let key = trailKeys.get(f);
  if (key === undefined) {
    key = `${f.module ?? ''}\0${f.trail.join('\n')}`;
    trailKeys.set(f, key);
  }
  return key;
}

/** Findings that share a search trail, keyed by trailKey. */
export function trailGroups(findings: readonly Finding[]): Map<string, Finding[]> {
  const groups = new Map<string, Finding[]>();
  for (const f of findings) {
    const key = trailKey(f);
    if (key !== undefined) {
      const group = groups.get(key);
      if (group) {
        group.push(f);
      } else {
        groups.set(key, [f]);
      }
    }
  }
  return groups;
}

/**
 * `check`'s text: the lines of findingLines, except that an unresolved
 * module required at several sites is printed once, where its first site
 * would be: `name: not found, N sites`, its search trail, then one line per
 * site. One site keeps the usual form (the line, the trail below it).
 */
export function groupedFindingLines(findings: readonly Finding[], base: string): string[] {
  const sorted = sortFindings(findings);
  const groups = trailGroups(sorted);
  const printed = new Set<Finding[]>();
  const lines: string[] = [];
  for (const f of sorted) {
    const key = trailKey(f);
    const group = key === undefined ? undefined : groups.get(key);
    if (!group || group.length < 2) {
      lines.push(...findingLines([f], base));
      continue;
    }
    if (printed.has(group)) {
      continue;
    }
    printed.add(group);
    lines.push(`${f.module ?? 'module'}: not found, ${group.length} sites`, ...f.trail!.map((t) => `    ${t}`));
    for (const site of group) {
      lines.push(`${displayPath(base, site.file)}:${site.range.start.line + 1}:${site.range.start.character + 1}: ${site.severity} ${site.code}: ${messageWithoutTrail(site)}`);
    }
  }
  return lines;
}

/**
 * One finding in the CLI's JSON output (`check`, `compile`, `verify`, the
 * audit): a contract CI scripts rely on, so it is only ever extended.
 * Lines and columns are 1-based; `module` is null when no module is named.
 */
export interface JsonDiagnostic {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  severity: Severity;
  code: DiagnosticCode;
  message: string;
  module: string | null;
}

/** The findings as JSON diagnostics, sorted; paths relative to `base` when given, else absolute. */
export function findingsJson(findings: readonly Finding[], base?: string): JsonDiagnostic[] {
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
