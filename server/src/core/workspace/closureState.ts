import { Embedding } from '../embed/closure';
import { OutsideContext, reportedClosureFindings } from '../embed/outsideFindings';
import { Finding, sameRange } from '../types';

/**
 * What the embed closures (and the require cycles) say, per file: taken
 * before and after an edit to find the files whose findings the edit
 * changed, without checking the whole workspace again.
 */
export interface ClosureState {
  files: Set<string>;
  byFile: Map<string, Finding[]>;
}

/**
 * The closure state of a workspace: its embeddings' files and findings (as
 * reported: those outside a project at its entry point), plus its cycle findings.
 */
export function closureStateOf(embeddings: readonly Embedding[], cycles: Map<string, Finding[]>, outside: OutsideContext): ClosureState {
  if (embeddings.length === 1 && cycles.size === 0) {
    return { files: embeddings[0].closure.files, byFile: reportedClosureFindings(embeddings[0], outside) };
  }
  const files = new Set<string>();
  const byFile = new Map<string, Finding[]>();
  for (const e of embeddings) {
    for (const f of e.closure.files) {
      files.add(f);
    }
    for (const [file, findings] of reportedClosureFindings(e, outside)) {
      byFile.set(file, [...(byFile.get(file) ?? []), ...findings]);
    }
  }
  // Cycle findings change with edits of other files too: the same diff covers them.
  for (const [file, findings] of cycles) {
    byFile.set(file, [...(byFile.get(file) ?? []), ...findings]);
  }
  return { files, byFile };
}

/** Files whose closure membership or closure findings differ between two states. */
export function changedClosureFiles(before: ClosureState, after: ClosureState): string[] {
  const out = new Set<string>();
  // A patched closure shares its set of files with the one before: then nothing joined or left.
  if (before.files !== after.files) {
    for (const f of before.files) {
      if (!after.files.has(f)) {
        out.add(f);
      }
    }
    for (const f of after.files) {
      if (!before.files.has(f)) {
        out.add(f);
      }
    }
  }
  if (before.byFile !== after.byFile) {
    for (const [f, findings] of before.byFile) {
      if (!sameFindings(findings, after.byFile.get(f))) {
        out.add(f);
      }
    }
    for (const f of after.byFile.keys()) {
      if (!before.byFile.has(f)) {
        out.add(f);
      }
    }
  }
  return [...out];
}

/** Same findings in the same order: compared by what a user sees (code, severity, message, place). */
export function sameFindings(a: readonly Finding[] | undefined, b: readonly Finding[] | undefined): boolean {
  if (a === b) {
    return true;
  }
  if (!a || !b || a.length !== b.length) {
    return false;
  }
  return a.every((x, i) => {
    const y = b[i];
    return (
      x === y || (x.code === y.code && x.severity === y.severity && x.message === y.message && x.file === y.file && sameRange(x.range, y.range))
    );
  });
}
