import * as path from 'node:path';

/**
 * Path containment and display, in one place. A path is inside a folder
 * when the relative path from the folder to it does not climb out: `..` or
 * `../x`, not a sibling whose name merely starts with two dots (`..x`).
 * Purely textual (no symlinks resolved); the build resolves real paths first.
 */
export function isInside(dir: string, p: string): boolean {
  if (isPlainAbsolute(dir) && isPlainAbsolute(p)) {
    return prefixedBy(dir, p);
  }
  const rel = path.relative(dir, p);
  return rel === '' || (!climbsOut(rel) && !path.isAbsolute(rel));
}

/**
 * `isInside(dir, p)` for many paths against one folder, by prefix: for
 * absolute, normalised paths (a closure's files, asked on every edit), where
 * computing a relative path each time would cost more than the answer.
 */
export function insideTester(dir: string): (p: string) => boolean {
  const prefix = dir.endsWith(path.sep) ? dir : dir + path.sep;
  return (p) => p === dir || p.startsWith(prefix);
}

/**
 * An absolute POSIX path that normalizing would leave as it is (no empty,
 * `.` or `..` segment, no trailing `/`). For two of those, containment is a
 * prefix test: the analysis asks it for every file and require candidate,
 * and path.relative resolves both paths each time.
 */
export function isPlainAbsolute(p: string): boolean {
  if (path.sep !== '/' || p.charCodeAt(0) !== 47) {
    return false;
  }
  if (p.length === 1) {
    return true;
  }
  return p.charCodeAt(p.length - 1) !== 47 && !p.includes('//') && !p.includes('/./') && !p.includes('/../') && !p.endsWith('/.') && !p.endsWith('/..');
}

/** `p` is `dir` or below it; both plain absolute paths. */
function prefixedBy(dir: string, p: string): boolean {
  return dir.length === 1 || p === dir || (p.length > dir.length && p.charCodeAt(dir.length) === 47 && p.startsWith(dir));
}

/** Strictly inside: inside and not the folder itself. */
export function isStrictlyInside(dir: string, p: string): boolean {
  return isInside(dir, p) && path.relative(dir, p) !== '';
}

function climbsOut(rel: string): boolean {
  return rel === '..' || rel.startsWith('..' + path.sep) || (path.sep !== '/' && rel.startsWith('../'));
}

/** The path relative to `dir` with '/' separators when inside it ('' for the folder itself), else undefined. */
export function relativeInside(dir: string, p: string): string | undefined {
  if (isPlainAbsolute(dir) && isPlainAbsolute(p)) {
    return !prefixedBy(dir, p) ? undefined : p === dir ? '' : p.slice(dir.length === 1 ? 1 : dir.length + 1);
  }
  const rel = path.relative(dir, p);
  return rel === '' || (!climbsOut(rel) && !path.isAbsolute(rel)) ? toPosix(rel) : undefined;
}

/** `a\b` -> `a/b` on Windows; unchanged elsewhere. Manifests and messages use '/'. */
export function toPosix(p: string): string {
  return path.sep === '/' ? p : p.split(path.sep).join('/');
}

/**
 * How a path is shown to a user working in `base`: relative with '/' when
 * inside it, else absolute. `dot` is what the folder itself is shown as.
 */
export function displayPath(base: string, p: string, dot = '.'): string {
  const rel = relativeInside(base, p);
  return rel === undefined ? p : rel === '' ? dot : rel;
}
