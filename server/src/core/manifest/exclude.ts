import picomatch from 'picomatch';
import { relativeInside } from '../paths';

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
    // A folder named `..x` is inside the project: its files can be excluded like any other.
    const rel = relativeInside(dir, file);
    if (!rel) {
      return false;
    }
    const parts = rel.split('/');
    // The file itself, or any folder it is in.
    for (let i = parts.length; i > 0; i--) {
      if (matches(parts.slice(0, i).join('/'))) {
        return true;
      }
    }
    return false;
  };
}
