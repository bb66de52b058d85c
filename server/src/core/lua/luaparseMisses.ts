import { isLuajitNumber, isPlainDigits } from './numberLiteral';
import { Kind, Scanner } from './scanner';

/** An error LuaJIT reports where luaparse reports none, or a later one: offsets and LuaJIT's message. */
export interface MissedError {
  start: number;
  end: number;
  message: string;
}

/**
 * The first error, among the tokens starting at or before `limit`, that
 * LuaJIT reports and luaparse does not:
 *
 * * a number LuaJIT's lexer cannot read: it takes a number with every
 *   identifier character after it, so `3y` and `30000if` are one malformed
 *   number where luaparse sees a number and a name (`x = 3y = 4` parses);
 * * a `,` right after a `(` or `return`: luaparse takes `f(, x)` as a call
 *   of one argument and `return , x` as returning one value.
 */
export function firstLuaparseMiss(text: string, limit = text.length): MissedError | undefined {
  const s = new Scanner(text);
  /** The previous token is `(` or `return`, where no expression list may start with a `,`. */
  let listStart = false;
  for (let kind = s.next(); kind !== Kind.Eof && s.start <= limit; kind = s.next()) {
    if (kind === Kind.Number && !isPlainDigits(text, s.start, s.end)) {
      const token = text.slice(s.start, s.end);
      if (!isLuajitNumber(token)) {
        return { start: s.start, end: s.end, message: `malformed number near '${token}'` };
      }
    }
    if (listStart && s.isPunct(44)) {
      return { start: s.start, end: s.end, message: "unexpected symbol near ','" };
    }
    listStart = s.isPunct(40) || s.isName('return');
  }
  return undefined;
}
