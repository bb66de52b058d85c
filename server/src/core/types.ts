import { DiagnosticCode, Severity } from './codes';

export type { DiagnosticCode, Severity };

/** Zero-based line and UTF-16 column, as in LSP. */
export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

/** A finding of the core: adapters turn it into an LSP diagnostic, a CLI line or JSON. */
export interface Finding {
  file: string;
  range: Range;
  severity: Severity;
  /** Listed in the code registry (codes.ts), with its default severity and docs anchor. */
  code: DiagnosticCode;
  message: string;
  /** The module name the finding is about, when there is one. */
  module?: string;
  /**
   * unresolved-module: the loaders' search trail, also part of the message.
   * Sites of one module share it, so a report can print it once.
   */
  trail?: readonly string[];
  /** Other places that explain the finding (where a finding moved from, the chain that reaches it). */
  related?: readonly RelatedPlace[];
}

export interface RelatedPlace {
  file: string;
  range: Range;
  message: string;
}

/**
 * Appends every item: `target.push(...items)` passes each item as an
 * argument and overflows the stack past about 100 000 (a manifest of
 * 500 000 entries makes that many findings).
 */
export function appendAll<T>(target: T[], items: Iterable<T>): T[] {
  for (const item of items) {
    target.push(item);
  }
  return target;
}

export function sameRange(a: Range, b: Range): boolean {
  return a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character;
}

export function comparePositions(a: Position, b: Position): number {
  return a.line - b.line || a.character - b.character;
}

export function rangeOf(line: number, character: number, endLine: number, endCharacter: number): Range {
  return { start: { line, character }, end: { line: endLine, character: endCharacter } };
}

/** Converts offsets to positions for one text; built once per text. */
export class LineIndex {
  private readonly starts: ArrayLike<number>;
  private readonly length: number;

  /** From a text; or from line starts computed elsewhere (a worker) and the text's length. */
  constructor(source: string | { starts: ArrayLike<number>; length: number }) {
    if (typeof source === 'string') {
      this.length = source.length;
      this.starts = lineStarts(source);
    } else {
      this.length = source.length;
      this.starts = source.starts;
    }
  }

  position(offset: number): Position {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= offset) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return { line: lo, character: offset - this.starts[lo] };
  }

  range(start: number, end: number): Range {
    return { start: this.position(start), end: this.position(end) };
  }

  offset(pos: Position): number {
    const start = this.starts[Math.min(pos.line, this.starts.length - 1)] ?? 0;
    return Math.min(start + pos.character, this.length);
  }

  get lineCount(): number {
    return this.starts.length;
  }
}

/** Offsets where lines start (after LF, CR or CRLF), as LSP counts lines. */
export function lineStarts(text: string): Int32Array {
  const starts: number[] = [0];
  if (text.indexOf('\r') < 0) {
    // No CR anywhere (most files): the line ends are found by indexOf, not character by character.
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) {
      starts.push(i + 1);
    }
    return Int32Array.from(starts);
  }
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      starts.push(i + 1);
    } else if (c === 13) {
      if (text.charCodeAt(i + 1) === 10) {
        i++;
      }
      starts.push(i + 1);
    }
  }
  return Int32Array.from(starts);
}
