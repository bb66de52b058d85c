import { groupedFindingLines, hasErrors, sortFindings } from '../core/findingFormat';
import { checkAll } from '../core/checks/fileChecks';
import { githubCommands } from '../core/report/github';
import { sarifLog } from '../core/report/sarif';
import { summarizeFindings, summaryLines } from '../core/report/summary';
import { Finding } from '../core/types';
import { CommandArgs, CommandError, CommandIO, EXIT_FINDINGS, EXIT_OK, formatFindingsJson, openWorkspace, resolveDir } from './common';

function countLine(findings: Finding[], files: number): string {
  const count = (s: string) => findings.filter((f) => f.severity === s).length;
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
  return `${plural(count('error'), 'error')}, ${plural(count('warning'), 'warning')}, ${plural(count('info'), 'info')} in ${plural(files, 'Lua file')}`;
}

/**
 * Where CI formats make paths relative: the folder the job runs in (the
 * repository root, where annotations and code scanning look files up).
 */
function ciBase(io: CommandIO): string {
  return io.env.GITHUB_WORKSPACE || process.cwd();
}

/** `resty-build check [dir]`: every finding of the workspace, the same ones the editor shows. */
export function runCheck(args: CommandArgs, io: CommandIO, version: string): number {
  const format = args.options.get('format') ?? 'text';
  const withSummary = args.options.has('summary');
  if (withSummary && format !== 'text' && format !== 'json') {
    throw new CommandError(`--summary goes with --format text or json, not ${format}`);
  }
  const dir = resolveDir(args.dir);
  const workspace = openWorkspace(dir, io);
  const findings = sortFindings([...checkAll(workspace).values()].flat());
  const exitCode = hasErrors(findings) ? EXIT_FINDINGS : EXIT_OK;
  if (format === 'json') {
    const json = JSON.parse(formatFindingsJson(dir, findings)) as Record<string, unknown>;
    io.out(JSON.stringify(withSummary ? { ...json, summary: summarizeFindings(findings) } : json, null, 2));
    return exitCode;
  }
  if (format === 'sarif') {
    io.out(JSON.stringify(sarifLog(findings, { base: ciBase(io), toolVersion: version }), null, 2));
    return exitCode;
  }
  if (format === 'github') {
    const commands = githubCommands(findings, ciBase(io));
    if (commands.length > 0) {
      io.out(commands.join('\n'));
    }
    io.err(countLine(findings, workspace.files().length));
    return exitCode;
  }
  const lines = withSummary ? summaryLines(summarizeFindings(findings)) : groupedFindingLines(findings, dir);
  if (lines.length > 0) {
    io.out(lines.join('\n'));
  }
  io.err(countLine(findings, workspace.files().length));
  return exitCode;
}
