import { decodeEscape, Kind, Scanner, shebangLength } from './scanner';

/**
 * Lua tokens as objects, for the passes that look around freely (exports,
 * aliases, the outline, error positions). The lexing itself is the
 * allocation-free Scanner's: one lexer, two shapes of output. It never
 * throws: broken input still yields tokens.
 */

export type TokenKind = 'name' | 'string' | 'number' | 'punct' | 'eof';

export interface Token {
  kind: TokenKind;
  /** Offsets into the text: [start, end). */
  start: number;
  end: number;
  /** Names, numbers and punctuation: the text; strings: the decoded value. */
  value: string;
  /** Strings only: true for `[[…]]` / `[==[…]==]`. */
  long?: boolean;
  /** Strings only: the string was not closed before the line or file ended. */
  unterminated?: boolean;
}

export { decodeEscape, shebangLength };

const KIND_NAMES: Record<Kind, TokenKind> = {
  [Kind.Eof]: 'eof',
  [Kind.Name]: 'name',
  [Kind.String]: 'string',
  [Kind.Number]: 'number',
  [Kind.Punct]: 'punct',
};

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  const s = new Scanner(text);
  while (s.next() !== Kind.Eof) {
    if (s.kind === Kind.String) {
      tokens.push({ kind: 'string', start: s.start, end: s.end, value: s.stringValue(), long: s.long || undefined, unterminated: s.unterminated || undefined });
    } else {
      tokens.push({ kind: KIND_NAMES[s.kind], start: s.start, end: s.end, value: s.slice() });
    }
  }
  tokens.push({ kind: 'eof', start: text.length, end: text.length, value: '' });
  return tokens;
}
