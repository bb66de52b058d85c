import { CdefKind } from './cdef';

/**
 * The FFI facts of one Lua file, as the scan (ffiScan.ts) finds them and the
 * verdicts (core/embed/ffi.ts, the nginx audit) read them: kept apart from
 * the walk so a reader of facts needs neither luaparse nor the walker.
 */

export type FactName = 'subsystem' | 'os' | 'arch';

/** A branch condition, as far as it can be known before run time. */
export type Condition =
  | { kind: 'is'; fact: FactName; value: string }
  | { kind: 'not'; of: Condition }
  | { kind: 'and' | 'or'; left: Condition; right: Condition }
  | { kind: 'known'; value: boolean }
  | { kind: 'unknown' };

export interface FfiUse {
  name: string;
  /** Offsets of the name in `C.name` (or of the string in `C["name"]`). */
  start: number;
  end: number;
  /** Read to be called right away (`C.name(…)`). */
  call: boolean;
  /** Runs when the module loads: not inside a function body (a function given to pcall runs at once). */
  loadTime: boolean;
  /** The innermost named function around it, for messages ("`_M.get` fails when called"). */
  functionName?: string;
  /** Inside a function passed to pcall/xpcall: a failure is caught. */
  guarded: boolean;
  /** Conditions of the branches it sits in; every one must hold for it to run. */
  conditions: Condition[];
}

export interface FfiDeclaration {
  name: string;
  kind: CdefKind;
  symbol: string;
  start: number;
  end: number;
  /**
   * For a name built at run time (`string.format("%s_new(void);", typ)`,
   * `"int " .. prefix .. "_init(void);"`): a regular expression the names it
   * can take match; `name` then holds the template.
   */
  pattern?: string;
}

/**
 * `if … ngx.config.ngx_lua_version ~= 10023 then error("…") end`: the
 * module refuses to load in another lua-nginx-module (resty.core.base
 * insists on one exact version).
 */
export interface VersionCheck {
  /** The module fails when `ngx_lua_version <op> version` holds. */
  op: '~=' | '==' | '<' | '<=' | '>' | '>=';
  version: number;
  /** The error() message as written (a literal, or the expression's source). */
  message: string;
  /** Offsets of the comparison. */
  start: number;
  end: number;
  conditions: Condition[];
}

export interface FfiFacts {
  uses: FfiUse[];
  declarations: FfiDeclaration[];
  /** An `ffi.cdef(expr)` whose text is not a literal: it may declare anything. */
  opaqueCdef: boolean;
  versionChecks: VersionCheck[];
}

export const NO_FFI: FfiFacts = Object.freeze({ uses: [], declarations: [], opaqueCdef: false, versionChecks: [] }) as FfiFacts;
