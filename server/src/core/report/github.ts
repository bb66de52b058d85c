import { displayPath } from '../paths';
import { messageWithoutTrail, sortFindings, trailGroups, trailKey } from '../findingFormat';
import { Finding, Severity } from '../types';

/**
 * `check --format github`: GitHub Actions workflow commands
 * (`::error file=…,line=…::message`), which the runner turns into
 * annotations on the lines of a pull request. Paths are relative to `base`,
 * the repository root the job runs in. The search trail of an unresolved
 * module is written with its first site only; the other sites point there.
 */

const COMMAND: Record<Severity, string> = { error: 'error', warning: 'warning', info: 'notice', hint: 'notice' };

/** The escaping of the runner's command parser (actions/toolkit's command.ts): data escapes %, CR, LF; properties also ':' and ','. */
function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export function githubCommands(findings: readonly Finding[], base: string): string[] {
  const sorted = sortFindings(findings);
  const groups = trailGroups(sorted);
  const firstOfGroup = new Map<string, Finding>();
  for (const [key, group] of groups) {
    firstOfGroup.set(key, group[0]);
  }
  return sorted.map((f) => {
    const file = displayPath(base, f.file);
    let message = f.message;
    const key = trailKey(f);
    if (key !== undefined) {
      const first = firstOfGroup.get(key);
      if (first && first !== f) {
        message = `${messageWithoutTrail(f)} (search trail at ${displayPath(base, first.file)}:${first.range.start.line + 1})`;
      }
    }
    const properties = [
      `file=${escapeProperty(file)}`,
      `line=${f.range.start.line + 1}`,
      `col=${f.range.start.character + 1}`,
      `endLine=${f.range.end.line + 1}`,
      `endColumn=${f.range.end.character + 1}`,
      `title=${escapeProperty(`resty-build ${f.code}`)}`,
    ];
    return `::${COMMAND[f.severity]} ${properties.join(',')}::${escapeData(message.replace(/\t/g, '  '))}`;
  });
}
