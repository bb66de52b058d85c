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

/** How many bytes the UTF-8 sequence at `i` has, or 0 when it is not a valid one (overlong forms and surrogates included). */
function utf8SequenceAt(bytes: Uint8Array, i: number): number {
  const b0 = bytes[i];
  const cont = (k: number, lo = 0x80, hi = 0xbf) => i + k < bytes.length && bytes[i + k] >= lo && bytes[i + k] <= hi;
  if (b0 < 0x80) {
    return 1;
  }
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    return cont(1) ? 2 : 0;
  }
  if (b0 >= 0xe0 && b0 <= 0xef) {
    const second = b0 === 0xe0 ? cont(1, 0xa0) : b0 === 0xed ? cont(1, 0x80, 0x9f) : cont(1);
    return second && cont(2) ? 3 : 0;
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    const second = b0 === 0xf0 ? cont(1, 0x90) : b0 === 0xf4 ? cont(1, 0x80, 0x8f) : cont(1);
    return second && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}

/**
 * A file name's bytes as a user can read them: valid UTF-8 as it is, every
 * other byte as `\xNN` (`l\xe9.lua` for Latin-1 `lé.lua`), the way Lua
 * writes such a byte in a string.
 */
export function escapedFileName(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const n = utf8SequenceAt(bytes, i);
    if (n === 0) {
      out += `\\x${bytes[i].toString(16).padStart(2, '0')}`;
      i += 1;
    } else {
      out += Buffer.from(bytes.subarray(i, i + n)).toString('utf8');
      i += n;
    }
  }
  return out;
}

/**
 * Why a path that names nothing may still be a real folder: a command line
 * and the working folder reach node as text, with U+FFFD for the bytes of
 * a name that are not UTF-8, and such a path opens nothing.
 */
export function undecodablePathNote(p: string): string | undefined {
  return p.includes('\uFFFD') ? 'its path holds bytes that are not valid UTF-8 (shown as \uFFFD), by which resty-build cannot open it: rename the folder' : undefined;
}
