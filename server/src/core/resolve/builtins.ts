/**
 * Modules the runtime already has before any loader runs (package.loaded at
 * start, or package.preload). They are never "missing" and never embedded.
 */

/** Lua 5.1's standard libraries: loaded in every profile. */
const LUA51 = ['_G', 'string', 'table', 'math', 'io', 'os', 'coroutine', 'debug', 'package'];

/**
 * LuaJIT's built-ins, and the extra ones of OpenResty's luajit2 branch: what
 * `package.loaded` and `package.preload` hold at start-up (`jit.opt` is
 * loaded by luajit's own start-up). A test compares this list with the real
 * luajit's.
 */
const LUAJIT = ['bit', 'jit', 'jit.opt', 'ffi', 'jit.util', 'jit.profile', 'string.buffer', 'table.new', 'table.clear'];
const OPENRESTY_LUAJIT = ['table.clone', 'table.isarray', 'table.nkeys', 'table.isempty', 'thread.exdata', 'thread.exdata2'];

/** ngx_lua registers these itself. */
const NGX_LUA = ['ngx', 'ndk'];

/** luakit runs gopher-lua, a Lua 5.1 VM in Go: no LuaJIT modules, but a `channel` library. */
const GOPHER_LUA = ['channel'];

export type Profile = 'openresty' | 'luakit';

const byProfile: Record<Profile, ReadonlySet<string>> = {
  openresty: new Set([...LUA51, ...LUAJIT, ...OPENRESTY_LUAJIT, ...NGX_LUA]),
  luakit: new Set([...LUA51, ...GOPHER_LUA]),
};

export function isBuiltinModule(profile: Profile, name: string): boolean {
  return byProfile[profile].has(name);
}

export function builtinModules(profile: Profile): readonly string[] {
  return [...byProfile[profile]];
}
