import { Finding } from '../types';

/**
 * The findings by file of a closure once `file`'s judgement `old` is
 * replaced by `fresh` (its FFI findings unchanged), from the closure's
 * `before`: the file's list is its judgement's findings, then its FFI
 * findings, and only it changes. A file gaining its first finding comes
 * last among the files (their order carries no meaning: each is looked up).
 * Undefined (computed in full when asked) where that does not hold:
 * nothing computed before, or a finding placed in another file.
 */
export function findingsByFileAfterPatch(
  before: ReadonlyMap<string, Finding[]> | undefined,
  file: string,
  old: { readonly findings: readonly Finding[] },
  fresh: { readonly findings: readonly Finding[] },
): Map<string, Finding[]> | undefined {
  if (!before || !old.findings.every((f) => f.file === file) || !fresh.findings.every((f) => f.file === file)) {
    return undefined;
  }
  const list = before.get(file) ?? [];
  if (list.length < old.findings.length || !old.findings.every((f, i) => list[i] === f)) {
    return undefined;
  }
  return withFileList(before, file, [...fresh.findings, ...list.slice(old.findings.length)]);
}

/** A copy of `byFile` with `file`'s list replaced (a file without findings has no entry). */
export function withFileList(byFile: ReadonlyMap<string, Finding[]>, file: string, list: Finding[]): Map<string, Finding[]> {
  const copy = new Map(byFile);
  if (list.length > 0) {
    copy.set(file, list);
  } else {
    copy.delete(file);
  }
  return copy;
}
