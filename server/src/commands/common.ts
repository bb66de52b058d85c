import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkManifest } from '../core/checks/fileChecks';
import { NodeFileSystem } from '../core/fs';
import { MANIFEST_NAME } from '../core/manifest/manifest';
import { Project } from '../core/resolve/project';
import { Finding } from '../core/types';
import { Workspace } from '../core/workspace/workspace';
import { findingsJson } from '../core/findingFormat';
import { detectLua52Compat } from '../toolchain/luajitDialect';

/** Exit codes, a contract for CI scripts: 0 clean, 1 findings at error severity, 2 usage or environment error, 130 interrupted. */
export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTERRUPTED = 130;

export interface CommandIO {
  out: (s: string) => void;
  err: (s: string) => void;
  env: Record<string, string | undefined>;
}

/** A parsed command line (commandLine.ts): the folder, and the options given, flags as 'true'. */
export interface CommandArgs {
  dir: string;
  /** The command's operands before the folder, in the order its table entry names them. */
  operands: string[];
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

/**
 * The workspace of the CLI's folder. The user ran the tool on it, so it may
 * ask the project's LuaJIT whether it is 5.2-compatible, as compile runs it.
 */
export function openWorkspace(dir: string, io: CommandIO): Workspace {
  return new Workspace(new NodeFileSystem(), { roots: [dir], env: io.env, detectLua52: (command, cwd) => detectLua52Compat(command, cwd, io.env) });
}

/** The project whose manifest is `dir/resty-build.json`; a clear error when there is none or it is broken. */
export function manifestProject(workspace: Workspace, dir: string): Project {
  const file = path.join(dir, MANIFEST_NAME);
  const project = workspace.allProjects().find((p) => p.manifest?.file === file);
  if (!project) {
    const errors = checkManifest(workspace, file).filter((f) => f.severity === 'error');
    if (fs.existsSync(file) && errors.length > 0) {
      const first = errors[0];
      throw new CommandError(`${file}:${first.range.start.line + 1}:${first.range.start.character + 1}: ${first.message}`);
    }
    throw new CommandError(`no ${MANIFEST_NAME} in ${dir} (create one with: resty-build init ${dir})`);
  }
  return project;
}

export function formatFindingsJson(dir: string, findings: Finding[]): string {
  return JSON.stringify({ diagnostics: findingsJson(findings, dir) }, null, 2);
}
