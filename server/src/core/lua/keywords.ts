/**
 * The keywords of LuaJIT's Lua: Lua 5.1's, plus `goto`, which starts LuaJIT's
 * goto statement. (Outside its 5.2 compatibility mode LuaJIT still accepts
 * `goto` where a name is expected; the tools here treat it as a keyword,
 * which at worst misses a variable of that name.) Alphabetical: the syntax
 * checker numbers its keyword kinds in this order.
 */
export const LUA_KEYWORDS = [
  'and', 'break', 'do', 'else', 'elseif', 'end', 'false', 'for', 'function', 'goto', 'if',
  'in', 'local', 'nil', 'not', 'or', 'repeat', 'return', 'then', 'true', 'until', 'while',
] as const;

export type LuaKeyword = (typeof LUA_KEYWORDS)[number];

const KEYWORD_SET: ReadonlySet<string> = new Set(LUA_KEYWORDS);

/** Whether a name token is a reserved word, not an identifier. */
export function isLuaKeyword(name: string): name is LuaKeyword {
  return KEYWORD_SET.has(name);
}

/** Keyword kinds, in the order of LUA_KEYWORDS (keywordAt relies on it). */
export const enum K {
  None = 0,
  And,
  Break,
  Do,
  Else,
  Elseif,
  End,
  False,
  For,
  Function,
  Goto,
  If,
  In,
  Local,
  Nil,
  Not,
  Or,
  Repeat,
  Return,
  Then,
  True,
  Until,
  While,
}

/**
 * The keyword a name is (K.None for an identifier), by its length and
 * letters: this runs for every name of every file, so no lookup table and
 * nothing allocated. K lists the keywords in LUA_KEYWORDS' order; a test
 * checks every keyword against it.
 */
export function keywordAt(t: string, i: number, length: number): K {
  const c = t.charCodeAt(i);
  switch (length) {
    case 2: {
      const d = t.charCodeAt(i + 1);
      return c === 100 && d === 111 ? K.Do : c === 105 && d === 102 ? K.If : c === 105 && d === 110 ? K.In : c === 111 && d === 114 ? K.Or : K.None;
    }
    case 3:
      return c === 97
        ? word(t, i, 'and', K.And)
        : c === 101
          ? word(t, i, 'end', K.End)
          : c === 102
            ? word(t, i, 'for', K.For)
            : c === 110
              ? word(t, i, 'nil', K.Nil) || word(t, i, 'not', K.Not)
              : K.None;
    case 4:
      return c === 101 ? word(t, i, 'else', K.Else) : c === 103 ? word(t, i, 'goto', K.Goto) : c === 116 ? word(t, i, 'then', K.Then) || word(t, i, 'true', K.True) : K.None;
    case 5:
      return c === 98
        ? word(t, i, 'break', K.Break)
        : c === 102
          ? word(t, i, 'false', K.False)
          : c === 108
            ? word(t, i, 'local', K.Local)
            : c === 117
              ? word(t, i, 'until', K.Until)
              : c === 119
                ? word(t, i, 'while', K.While)
                : K.None;
    case 6:
      return c === 101 ? word(t, i, 'elseif', K.Elseif) : c === 114 ? word(t, i, 'repeat', K.Repeat) || word(t, i, 'return', K.Return) : K.None;
    case 8:
      return c === 102 ? word(t, i, 'function', K.Function) : K.None;
    default:
      return K.None;
  }
}

function word(t: string, i: number, w: string, k: K): K {
  return t.startsWith(w, i) ? k : K.None;
}
