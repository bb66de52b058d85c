import { Kind, Scanner } from './scanner';

/**
 * The fast pass's look-ahead over a call: where its ')' is, where an
 * argument ends, and which names open or close a block.
 */

export interface Paren {
  /** Tokens from the opening '(' (0) to the closing ')' — or the last token before the end of the text. */
  closeIndex: number;
  closeEnd: number;
  /** End of the token just before the closing one. */
  beforeCloseEnd: number;
}

/**
 * How far a call's closing ')' is looked for. Real calls close within a few
 * tokens; the bound keeps half-typed `require(require(require(…` linear.
 */
export const PAREN_SEARCH_LIMIT = 512;

/** From a scanner positioned on a '(' (depth 0 before it), finds its ')'. */
export function matchParen(from: Scanner, depthBefore = 0): Paren {
  const s = from.clone();
  let depth = depthBefore;
  let index = 0;
  let prevEnd = s.start;
  let lastEnd = s.end;
  let beforeLastEnd = s.start;
  for (;;) {
    if (s.kind === Kind.Punct) {
      if (s.punct === 40) {
        depth++;
      } else if (s.punct === 41) {
        depth--;
        if (depth === 0) {
          return { closeIndex: index, closeEnd: s.end, beforeCloseEnd: prevEnd };
        }
      }
    }
    beforeLastEnd = prevEnd;
    prevEnd = s.end;
    lastEnd = s.end;
    if (s.next() === Kind.Eof || index >= PAREN_SEARCH_LIMIT) {
      return { closeIndex: Math.max(0, index), closeEnd: lastEnd, beforeCloseEnd: beforeLastEnd };
    }
    index++;
  }
}

export function isStringArgEnd(s: Scanner): boolean {
  return s.kind === Kind.Punct && (s.punct === 41 || s.punct === 44);
}

/** Skips one argument expression at depth 0: up to the `,` or `)` that ends it; the scanner is left on that token. */
export function skipArgument(s: Scanner, text: string): boolean {
  let depth = 0;
  for (let steps = 0; steps < PAREN_SEARCH_LIMIT; steps++) {
    if (s.kind === Kind.Eof) {
      return false;
    }
    if (s.kind === Kind.Punct) {
      if (s.punct === 40 || s.punct === 123 || s.punct === 91) {
        depth++;
      } else if (s.punct === 41 || s.punct === 125 || s.punct === 93) {
        if (depth === 0) {
          return s.punct === 41;
        }
        depth--;
      } else if (s.punct === 44 && depth === 0) {
        return true;
      }
    } else if (s.kind === Kind.Name) {
      const block = blockKeyword(text, s.start, s.end - s.start);
      depth += block === 1 || block === 2 ? 1 : block === 3 ? -1 : 0;
    }
    s.next();
  }
  return false;
}

/** 1: `function`; 2: a block opener (`if`, `do`, `repeat`); 3: a closer (`end`, `until`); 0: other. */
export function blockKeyword(text: string, start: number, length: number): number {
  switch (length) {
    case 8:
      return text.startsWith('function', start) ? 1 : 0;
    case 2:
      return text.startsWith('if', start) || text.startsWith('do', start) ? 2 : 0;
    case 6:
      return text.startsWith('repeat', start) ? 2 : 0;
    case 3:
      return text.startsWith('end', start) ? 3 : 0;
    case 5:
      return text.startsWith('until', start) ? 3 : 0;
    default:
      return 0;
  }
}
