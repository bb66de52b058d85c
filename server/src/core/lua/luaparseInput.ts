import { Kind, Scanner } from './scanner';

/** Which LuaJIT judges the syntax: a plain build, or one built with LUAJIT_ENABLE_LUA52COMPAT (OpenResty's). */
export interface LuaDialect {
  lua52compat: boolean;
}

/** One rewrite of the text luaparse gets: `length` characters at `at` become `text` (same length). */
export interface Edit {
  at: number;
  length: number;
  text: string;
}

const INT64_SUFFIX = /^(?:0[xX][0-9a-fA-F]+|[0-9]+)([uU]?[lL][lL])$/;
const IMAGINARY = /^(?:0[xX][0-9a-fA-F]+(?:\.[0-9a-fA-F]*)?(?:[pP][+-]?[0-9]+)?|[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?)([iI])$/;
const UNICODE_ESCAPE = /\\u\{([0-9a-fA-F]+)\}/g;

/**
 * The corrections that make luaparse judge like LuaJIT, as same-length
 * edits, so every offset (and line) luaparse reports is the text's own:
 *
 * * plain LuaJIT accepts `break;` (Lua 5.1's optional `;` after the last
 *   statement), which luaparse's LuaJIT dialect rejects: the `;` is blanked;
 * * a 5.2-compatible LuaJIT is judged by luaparse's Lua 5.2 dialect (no
 *   "ambiguous syntax" error, empty statements, `break` anywhere, `goto` a
 *   keyword: exactly what LJ_52 changes in lj_parse.c), after LuaJIT's own
 *   lexemes that 5.2 lacks (`1LL`, `0x10ULL`, `12i`, `\u{…}`) are rewritten
 *   to 5.2 ones of the same length.
 */
export function dialectEdits(text: string, dialect: LuaDialect): Edit[] {
  const edits: Edit[] = [];
  if (!dialect.lua52compat) {
    if (!/\bbreak\s*;|\bbreak\s*--/.test(text)) {
      return edits;
    }
    const s = new Scanner(text);
    let afterBreak = false;
    for (s.next(); s.kind !== Kind.Eof; s.next()) {
      if (afterBreak && s.isPunct(59)) {
        edits.push({ at: s.start, length: 1, text: ' ' });
      }
      afterBreak = s.isName('break');
    }
    return edits;
  }
  if (!/[0-9a-fA-F.][uUlLiI]|\\u\{/.test(text)) {
    return edits;
  }
  const s = new Scanner(text);
  for (s.next(); s.kind !== Kind.Eof; s.next()) {
    if (s.kind === Kind.Number) {
      const token = text.slice(s.start, s.end);
      const suffix = INT64_SUFFIX.exec(token)?.[1] ?? IMAGINARY.exec(token)?.[1];
      if (suffix) {
        edits.push({ at: s.end - suffix.length, length: suffix.length, text: ' '.repeat(suffix.length) });
      }
    } else if (s.kind === Kind.String && !s.long && !s.unterminated) {
      const body = text.slice(s.start, s.end);
      for (const m of body.matchAll(UNICODE_ESCAPE)) {
        const code = parseInt(m[1], 16);
        // LuaJIT's range (lj_lex.c): below 0x110000, no surrogates; others stay and are errors in both.
        if (m[1].length <= 8 && code < 0x110000 && !(code >= 0xd800 && code < 0xe000) && precededByEvenBackslashes(body, m.index!)) {
          edits.push({ at: s.start + m.index!, length: m[0].length, text: '\\\\' + 'a'.repeat(m[0].length - 2) });
        }
      }
    }
  }
  return edits;
}

/** `\\u{41}` is an escaped backslash and the text `u{41}`, not an escape. */
function precededByEvenBackslashes(body: string, at: number): boolean {
  let count = 0;
  for (let i = at - 1; i >= 0 && body.charCodeAt(i) === 92; i--) {
    count++;
  }
  return count % 2 === 0;
}

/** Applies same-length edits (any order, not overlapping) to a text. */
export function applyEdits(text: string, edits: readonly Edit[]): string {
  if (edits.length === 0) {
    return text;
  }
  const sorted = [...edits].sort((a, b) => a.at - b.at);
  const pieces: string[] = [];
  let done = 0;
  for (const e of sorted) {
    if (e.at < done) {
      continue;
    }
    pieces.push(text.slice(done, e.at), e.text);
    done = e.at + e.length;
  }
  pieces.push(text.slice(done));
  return pieces.join('');
}
