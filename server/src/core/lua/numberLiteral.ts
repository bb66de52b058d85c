import type { Edit } from './luaparseInput';
import { Kind, Scanner } from './scanner';

// What LuaJIT reads as a number (lj_strscan.c with the FFI's suffixes), checked
// against `luajit -e 'local x = <n>'`: decimal and hex numbers with an
// optional exponent, binary integers, an imaginary `i` after any of them, and
// the 64-bit suffixes `LL`, `ULL` and `LLU` (any case) after an integer that
// fits 64 bits unsigned.
const DECIMAL = /^(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
const HEX = /^0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)(?:[pP][+-]?[0-9]+)?$/;
const BINARY = /^0[bB][01]+$/;
const INT64 = /^(0[xX][0-9a-fA-F]+|0[bB][01]+|[0-9]+)(?:[uU][lL][lL]|[lL][lL][uU]?)$/;
const TWO_TO_64 = 2n ** 64n;

/** Whether LuaJIT's lexer reads `token` (a whole number run, as the Scanner cuts it) as a number. */
export function isLuajitNumber(token: string): boolean {
  const last = token.charCodeAt(token.length - 1) | 0x20;
  if (last === 105) {
    // An imaginary number: any real one with `i` after it.
    const real = token.slice(0, -1);
    return DECIMAL.test(real) || HEX.test(real) || BINARY.test(real);
  }
  if (last === 108 || last === 117) {
    const m = INT64.exec(token);
    if (!m) {
      return false;
    }
    const digits = m[1];
    const value = /^0[bB]/.test(digits) ? BigInt(digits.toLowerCase()) : BigInt(digits);
    return value < TWO_TO_64;
  }
  return DECIMAL.test(token) || HEX.test(token) || BINARY.test(token);
}

/** Whether text[start, end) is decimal digits only: most numbers, which need no closer look. */
export function isPlainDigits(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const d = text.charCodeAt(i);
    if (d < 48 || d > 57) {
      return false;
    }
  }
  return true;
}

/** The forms LuaJIT reads that luaparse does not: a hex fraction with no digit before the point, `LL` then `U`. */
const LUAPARSE_MISSES = /^0[xX]\.|[lL][lL][uU]$/;

/**
 * Same-length edits that turn each number LuaJIT reads but luaparse does
 * not into plain digits: for a syntax verdict, a number is a number.
 * `from`: where the text's code starts (after a BOM or `#` line).
 */
export function luaparseNumberEdits(text: string, from = 0): Edit[] {
  if (!/0[xX]\.|[lL][lL][uU]/.test(text)) {
    return [];
  }
  const edits: Edit[] = [];
  const s = new Scanner(text);
  for (let kind = s.next(); kind !== Kind.Eof; kind = s.next()) {
    if (kind === Kind.Number && s.start >= from) {
      const token = text.slice(s.start, s.end);
      if (LUAPARSE_MISSES.test(token) && isLuajitNumber(token)) {
        edits.push({ at: s.start, length: token.length, text: '1'.padEnd(token.length, '0') });
      }
    }
  }
  return edits;
}
