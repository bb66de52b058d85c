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
