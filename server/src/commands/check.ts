import * as fs from 'node:fs';
import * as path from 'node:path';
import { findingsJson, groupedFindingLines, hasErrors, JsonDiagnostic, sortFindings } from '../core/findingFormat';
import { checkAll } from '../core/checks/fileChecks';
import { MANIFEST_NAME } from '../core/manifest/manifest';
import { isNginxConfFile } from '../core/nginx/nginxConf';
import { isInside, undecodablePathNote } from '../core/paths';
import { githubCommands } from '../core/report/github';
import { enclosingManifestDir } from '../enclosingManifest';
import { sarifLog } from '../core/report/sarif';
import { FindingSummary, summarizeFindings, summaryLines } from '../core/report/summary';
import { Finding } from '../core/types';
import { analysedWorkspace, CommandArgs, CommandError, CommandIO, EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, isBrokenManifestFinding } from './common';

/** What `check --format json` prints: paths relative to the folder checked. */
export interface CheckJson {
  diagnostics: JsonDiagnostic[];
  /** With `--summary`. */
  summary?: FindingSummary;
}

/** The counts; Lua files whose names are not UTF-8 were found but not analysed, and are counted apart. */
function countLine(findings: Finding[], files: number, notAnalysed: number): string {
  const count = (s: string) => findings.filter((f) => f.severity === s).length;
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
  const apart = notAnalysed > 0 ? ` (${notAnalysed} more not analysed: name not UTF-8)` : '';
  return `${plural(count('error'), 'error')}, ${plural(count('warning'), 'warning')}, ${plural(count('info'), 'info')} in ${plural(files, 'Lua file')}${apart}`;
}

/**
 * Where CI formats make paths relative: the folder the job runs in (the
 * repository root, where annotations and code scanning look files up).
 */
function ciBase(io: CommandIO): string {
  return io.env.GITHUB_WORKSPACE || process.cwd();
}

/** A manifest that does not parse or fit the schema: the analysis runs on defaults, so the exit code is 2. */
function brokenManifest(findings: Finding[]): boolean {
  return findings.some(isBrokenManifestFinding);
}

/**
 * `resty-build check [dir|file]`: every finding of the folder, the same ones
 * the editor shows. A subfolder or a file of a project is checked with the
 * project's manifest (the nearest one above it) and only its own findings
 * are reported, with the manifest's own problems.
 */
export async function runCheck(args: CommandArgs, io: CommandIO, version: string): Promise<number> {
  const format = args.options.get('format') ?? 'text';
  const withSummary = args.options.has('summary');
  if (withSummary && format !== 'text' && format !== 'json') {
    throw new CommandError(`--summary goes with --format text or json, not ${format}`);
  }
  const target = path.resolve(args.dir);
  const stat = fs.statSync(target, { throwIfNoEntry: false });
  if (!stat) {
    throw new CommandError(`'${args.dir}' is not a folder or a file: ${undecodablePathNote(target) ?? 'it does not exist'}`);
  }
  if (!stat.isDirectory() && !(stat.isFile() && (target.endsWith('.lua') || path.basename(target) === MANIFEST_NAME || isNginxConfFile(target)))) {
    throw new CommandError(`'${args.dir}' is not a folder, a Lua file, an nginx configuration or ${MANIFEST_NAME}`);
  }
  const dir = stat.isFile() ? path.dirname(target) : target;
  const root = enclosingManifestDir(dir) ?? dir;
  const workspace = await analysedWorkspace(root, args, io);
  const manifest = path.join(root, MANIFEST_NAME);
  const inPart = (file: string) => (stat.isFile() ? file === target : isInside(dir, file));
  const all = [...checkAll(workspace).values()].flat();
  // The part's own findings, and the manifest's when it is broken (they say why the exit code is 2).
  const findings = sortFindings(root === target ? all : all.filter((f) => inPart(f.file) || (f.file === manifest && brokenManifest([f]))));
  const files = workspace.files().filter(inPart).length;
  const notAnalysed = workspace.undecodableNames().filter((u) => u.kind === 'lua' && inPart(path.join(u.dir, u.name))).length;
  const exitCode = brokenManifest(findings) ? EXIT_USAGE : hasErrors(findings) ? EXIT_FINDINGS : EXIT_OK;
  if (format === 'json') {
    const json: CheckJson = { diagnostics: findingsJson(findings, dir) };
    if (withSummary) {
      json.summary = summarizeFindings(findings);
    }
    io.out(JSON.stringify(json, null, 2));
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
    io.err(countLine(findings, files, notAnalysed));
    return exitCode;
  }
  const lines = withSummary ? summaryLines(summarizeFindings(findings)) : groupedFindingLines(findings, dir);
  if (lines.length > 0) {
    io.out(lines.join('\n'));
  }
  io.err(countLine(findings, files, notAnalysed));
  return exitCode;
}
