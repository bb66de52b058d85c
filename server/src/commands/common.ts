import * as fs from 'node:fs';
import * as path from 'node:path';
import { NodeFileSystem } from '../core/fs';
import { MANIFEST_NAME } from '../core/manifest';
import { Project } from '../core/project';
import { Finding } from '../core/types';
import { Workspace } from '../core/workspace';

/** Exit codes, a contract for CI scripts: 0 clean, 1 findings at error severity, 2 usage or environment error. */
export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_USAGE = 2;

export interface CommandIO {
  out: (s: string) => void;
  err: (s: string) => void;
  env: Record<string, string | undefined>;
}

export interface CommandArgs {
  dir: string;
  options: Map<string, string>;
}

/** A user-facing failure: the message is printed as is and the exit code is 2. */
export class CommandError extends Error {}

export function resolveDir(dir: string): string {
  const abs = path.resolve(dir);
  if (!fs.existsSync(abs) || !fs.statSync(abs).isDirectory()) {
    throw new CommandError(`'${dir}' is not a folder`);
  }
  return abs;
}

export function openWorkspace(dir: string, io: CommandIO): Workspace {
  return new Workspace(new NodeFileSystem(), { roots: [dir], env: io.env });
}

/** The project whose manifest is `dir/resty-build.json`; a clear error when there is none or it is broken. */
export function manifestProject(workspace: Workspace, dir: string): Project {
  const file = path.join(dir, MANIFEST_NAME);
  const project = workspace.allProjects().find((p) => p.manifest?.file === file);
  if (!project) {
    const errors = workspace.checkManifest(file).filter((f) => f.severity === 'error');
    if (fs.existsSync(file) && errors.length > 0) {
      const first = errors[0];
      throw new CommandError(`${file}:${first.range.start.line + 1}:${first.range.start.character + 1}: ${first.message}`);
    }
    throw new CommandError(`no ${MANIFEST_NAME} in ${dir} (create one with: resty-build init ${dir})`);
  }
  return project;
}

export function relativePath(dir: string, file: string): string {
  const rel = path.relative(dir, file);
  return rel.startsWith('..') || path.isAbsolute(rel) ? file : rel.split(path.sep).join('/');
}

export function sortFindings(findings: Finding[]): Finding[] {
  return findings.sort(
    (a, b) =>
      a.file.localeCompare(b.file) ||
      a.range.start.line - b.range.start.line ||
      a.range.start.character - b.range.start.character ||
      a.code.localeCompare(b.code),
  );
}

/** `path:line:col: severity code: message`, further message lines indented below. */
export function formatFindingsText(dir: string, findings: Finding[]): string {
  const lines: string[] = [];
  for (const f of findings) {
    const [first, ...rest] = f.message.split('\n');
    lines.push(`${relativePath(dir, f.file)}:${f.range.start.line + 1}:${f.range.start.character + 1}: ${f.severity} ${f.code}: ${first}`);
    for (const more of rest) {
      lines.push(`    ${more.replace(/^\t/, '')}`);
    }
  }
  return lines.join('\n');
}

export function formatFindingsJson(dir: string, findings: Finding[]): string {
  const diagnostics = findings.map((f) => ({
    file: relativePath(dir, f.file),
    line: f.range.start.line + 1,
    column: f.range.start.character + 1,
    endLine: f.range.end.line + 1,
    endColumn: f.range.end.character + 1,
    severity: f.severity,
    code: f.code,
    message: f.message,
    module: f.module ?? null,
  }));
  return JSON.stringify({ diagnostics }, null, 2);
}

export function hasErrors(findings: Finding[]): boolean {
  return findings.some((f) => f.severity === 'error');
}

export function chooseFormat(args: CommandArgs, allowed: string[]): string {
  const format = args.options.get('format') ?? 'text';
  if (!allowed.includes(format)) {
    throw new CommandError(`unknown format '${format}' (use ${allowed.join(', ')})`);
  }
  return format;
}
