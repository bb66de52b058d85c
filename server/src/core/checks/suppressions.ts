import { DIAGNOSTIC_CODES, isDiagnosticCode } from '../codes';
import { didYouMean } from '../didYouMean';
import { SuppressionComment, SuppressionDirective } from '../lua/suppressionComments';
import { Finding, LineIndex } from '../types';

/** What the suppression comments of one file silence, and what is wrong with them. */
export interface FileSuppressions {
  /** Codes silenced on a line (0-based). */
  byLine: Map<number, Set<string>>;
  /** Codes silenced in the whole file. */
  inFile: Set<string>;
  /** `bad-suppression` findings: unknown directives and codes, comments that name no code. */
  problems: Finding[];
}

const DIRECTIVES: readonly SuppressionDirective[] = ['ignore', 'ignore-next-line', 'ignore-file'];
const CODE_NAMES = DIAGNOSTIC_CODES.map((c) => c.code);

/** Reads a file's suppression comments against the code registry. */
export function resolveSuppressions(file: string, comments: readonly SuppressionComment[], lines: LineIndex): FileSuppressions {
  const result: FileSuppressions = { byLine: new Map(), inFile: new Set(), problems: [] };
  const problem = (start: number, end: number, message: string) =>
    result.problems.push({ file, range: lines.range(start, end), severity: 'warning', code: 'bad-suppression', message });
  for (const comment of comments) {
    const directive = comment.directive as SuppressionDirective;
    if (!DIRECTIVES.includes(directive)) {
      const shown = comment.directive || '(nothing)';
      problem(comment.start, comment.end, `'resty-build: ${shown}' is not a suppression: use ignore, ignore-next-line or ignore-file, then the codes.${didYouMean(comment.directive, DIRECTIVES)}`);
      continue;
    }
    if (comment.codes.length === 0) {
      problem(comment.start, comment.end, `'resty-build: ${directive}' names no code, so it silences nothing: name the codes it is for (resty-build: ${directive} <code>, <code>).`);
      continue;
    }
    const line = lines.position(comment.start).line;
    let target: Set<string>;
    if (directive === 'ignore-file') {
      target = result.inFile;
    } else {
      const at = directive === 'ignore' ? line : line + 1;
      target = result.byLine.get(at) ?? new Set();
      result.byLine.set(at, target);
    }
    for (const code of comment.codes) {
      if (isDiagnosticCode(code.name)) {
        target.add(code.name);
      } else {
        problem(code.start, code.end, `'${code.name}' is not a resty-build diagnostic code, so this comment silences nothing.${didYouMean(code.name, CODE_NAMES)}`);
      }
    }
  }
  return result;
}

/** The findings a file's comments do not silence; a finding counts on the line where it starts. */
export function withoutSuppressed(findings: readonly Finding[], suppressions: FileSuppressions): Finding[] {
  return findings.filter((f) => !suppressions.inFile.has(f.code) && !suppressions.byLine.get(f.range.start.line)?.has(f.code));
}
