import * as path from 'node:path';
import picomatch from 'picomatch';

/** Tells whether a file is excluded by a manifest's `exclude` patterns. */
export type ExcludeMatcher = (file: string) => boolean;

/**
 * The manifest's `exclude` globs, relative to its folder, with picomatch's
 * usual semantics (`**` spans folders, `*` stays within one, dot files
 * match). A pattern also excludes everything below a folder it matches, so
 * `spec`, `spec/` and `spec/**` mean the same, as in .gitignore.
 */
export function excludeMatcher(dir: string, patterns: readonly string[]): ExcludeMatcher {
  const cleaned = patterns.map((p) => p.replace(/^\.\//, '').replace(/\/+$/, '')).filter((p) => p !== '');
  if (cleaned.length === 0) {
    return () => false;
  }
  const matches = picomatch(cleaned, { dot: true });
  return (file: string) => {
    const rel = path.relative(dir, file);
    if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) {
      return false;
    }
    const parts = rel.split(path.sep);
    // The file itself, or any folder it is in.
    for (let i = parts.length; i > 0; i--) {
      if (matches(parts.slice(0, i).join('/'))) {
        return true;
      }
    }
    return false;
  };
}
