/** How a require was written; kept so messages and code actions can speak of it. */
export type RequireForm = 'call' | 'string' | 'long-string' | 'pcall' | 'alias';

export interface RequireSite {
  /** The literal module name; undefined for a dynamic require. */
  name?: string;
  form: RequireForm;
  /** `pcall(require, "x")`: a failure is handled by the caller. */
  optional: boolean;
  /** The name is not a literal (`require(var)`, `require("a" .. b)`). */
  dynamic: boolean;
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
  library: string;
  start: number;
  end: number;
}
