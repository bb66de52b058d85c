import * as path from 'node:path';
import * as vscode from 'vscode';

/** A project's folder as the user knows it: relative to the workspace, or its name when it is a workspace folder. */
export function projectLabel(dir: string): string {
  const relative = vscode.workspace.asRelativePath(dir, false);
  return relative === dir ? path.basename(dir) : relative;
}

/**
 * Whether `file` lies in `dir`. The server's core/paths.ts isInside, which
 * the client cannot import: a folder named `..x` is inside, `..` is not.
 */
export function isInside(dir: string, file: string): boolean {
  const rel = path.relative(dir, file);
  return rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
}
