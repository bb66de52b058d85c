/** How a require was written; kept so messages and code actions can speak of it. */
export type RequireForm = 'call' | 'string' | 'long-string' | 'pcall' | 'xpcall' | 'alias';

export interface RequireSite {
  /** The literal module name; undefined for a dynamic require. */
  name?: string;
  form: RequireForm;
  /**
   * Guarded: `pcall(require, "x")`, `xpcall(require, handler, "x")`, or a
   * require inside a function passed to pcall/xpcall. A failure is handled
   * by the caller.
   */
  optional: boolean;
  /** The name is not a literal (`require(var)`, `require("a" .. b)`). */
  dynamic: boolean;
  /**
   * The name was computed from constant strings: a constant local
   * (`local NAME = "a.b"; require(NAME)`) or a concatenation of such and
   * literals. Followed like a literal; its range is the whole expression.
   */
  constant?: boolean;
  /** Offsets of the string literal including its quotes, or of the dynamic argument. */
  start: number;
  end: number;
  /** Offsets of the module name inside the quotes (equal to start/end when dynamic). */
  nameStart: number;
  nameEnd: number;
  /** Offsets of the whole call expression, from `require`/`pcall` to its end. */
  callStart: number;
  callEnd: number;
  /** For `local x = require "m"`, the local's name (a module alias for navigation). */
  alias?: string;
  /**
   * Inside a function body: runs when the function is called, not when the
   * module loads, so it cannot be part of a load-time require cycle (the
   * usual way to break one).
   */
  deferred?: boolean;
  /**
   * `return orig_require(name)`: a require wrapper passing its parameter on
   * (lua-resty-core's base.lua does this). Not a dependency of its own.
   */
  forwarding?: boolean;
}

/** A call `ffi.load("name")`: the Lua side may embed, the library must ship. */
export interface FfiLoadSite {
  /** The library as written; undefined when the argument is not a constant string. */
  library?: string;
  start: number;
  end: number;
}

/**
 * `package.loaded["x"] = …` or `package.preload["x"] = …`: code that makes
 * `require "x"` succeed before any search (LuaJIT's require looks at
 * package.loaded first, and its first loader at package.preload).
 */
export interface ModuleRegistration {
  name: string;
  table: 'loaded' | 'preload';
  /** The name's literal (or the field name), for positions. */
  start: number;
  end: number;
}
