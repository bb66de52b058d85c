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

/** Whether the token is the punctuation `value`. */
export function isPunct(t: Token | undefined, value: string): boolean {
  return t !== undefined && t.kind === 'punct' && t.value === value;
}

/** Whether the token is a name (keywords are names too), or the name `value` when given. */
export function isName(t: Token | undefined, value?: string): boolean {
  return t !== undefined && t.kind === 'name' && (value === undefined || t.value === value);
}

/** How the token changes bracket depth: 1 for `(`, `[`, `{`; -1 for `)`, `]`, `}`; else 0. */
export function bracketStep(t: Token): number {
  if (t.kind !== 'punct') {
    return 0;
  }
  const v = t.value;
  return v === '(' || v === '[' || v === '{' ? 1 : v === ')' || v === ']' || v === '}' ? -1 : 0;
}

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
