import { hasErrors, sortFindings } from '../core/findingFormat';
import { checkAll } from '../core/checks/fileChecks';
import { Finding } from '../core/types';
import { analysedWorkspace, CommandArgs, CommandIO, EXIT_FINDINGS, EXIT_OK, formatFindingsJson, formatFindingsText, resolveDir } from './common';

function summary(findings: Finding[], files: number): string {
  const count = (s: string) => findings.filter((f) => f.severity === s).length;
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
  return `${plural(count('error'), 'error')}, ${plural(count('warning'), 'warning')}, ${plural(count('info'), 'info')} in ${plural(files, 'Lua file')}`;
}

/** `resty-build check [dir]`: every finding of the workspace, the same ones the editor shows. */
export async function runCheck(args: CommandArgs, io: CommandIO): Promise<number> {
  const format = args.options.get('format') ?? 'text';
  const dir = resolveDir(args.dir);
  const workspace = await analysedWorkspace(dir, args, io);
  const findings = sortFindings([...checkAll(workspace).values()].flat());
  if (format === 'json') {
    io.out(formatFindingsJson(dir, findings));
  } else {
    const text = formatFindingsText(dir, findings);
    if (text) {
      io.out(text);
    }
    io.err(summary(findings, workspace.files().length));
  }
  return hasErrors(findings) ? EXIT_FINDINGS : EXIT_OK;
}
