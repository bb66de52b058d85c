import * as path from 'node:path';
import { FileSystem } from '../fs';
import { readRockspecDependencies } from '../manifest/rockspec';

/**
 * LuaRocks as a project uses it: a project-local rocks tree (`luarocks
 * init` makes `lua_modules/`; `--tree .luarocks` is the other common
 * name), searched as `eval $(luarocks path)` would set it up: its
 * `share/lua/5.1/?.lua` and `?/init.lua` before the default path, its
 * `lib/lua/5.1/?.so` before the default cpath. And the project's rockspec,
 * whose dependencies explain a module that is not found.
 */

/** Project-local rocks trees, by folder name: installed dependencies, which the user does not own. */
export const ROCKS_TREE_DIRS = ['lua_modules', '.luarocks'] as const;

/** The project's rocks trees that exist, in the order above. */
export function rocksTrees(fs: FileSystem, root: string): string[] {
  return ROCKS_TREE_DIRS.map((d) => path.join(root, d)).filter((tree) => fs.isDirectory(tree));
}

/** `luarocks path`'s LUA_PATH entries of a tree (LuaRocks' cfg.lua_modules_path for Lua 5.1). */
export function rocksTreeLuaTemplates(tree: string): string[] {
  return [path.join(tree, 'share', 'lua', '5.1', '?.lua'), path.join(tree, 'share', 'lua', '5.1', '?', 'init.lua')];
}

/** `luarocks path`'s LUA_CPATH entry of a tree (cfg.lib_modules_path). */
export function rocksTreeCTemplates(tree: string): string[] {
  return [path.join(tree, 'lib', 'lua', '5.1', '?.so')];
}

/** A dependency of the project's rockspec. */
export interface RockDependency {
  /** The rock's name, lowercase (LuaRocks compares names case-insensitively). */
  rock: string;
  /** The rockspec's file name. */
  rockspec: string;
}

/** Rockspecs are small; a bigger file is not one worth reading. */
const ROCKSPEC_SIZE_LIMIT = 256 * 1024;

/** The dependencies of the rockspecs in the project's folder (`*.rockspec`, as `luarocks make` finds them). */
export function rockspecDependencies(fs: FileSystem, root: string): RockDependency[] {
  const out: RockDependency[] = [];
  for (const entry of fs.readDir(root)) {
    if (entry.kind !== 'file' || !entry.name.endsWith('.rockspec')) {
      continue;
    }
    const text = fs.readFile(path.join(root, entry.name));
    if (text === undefined || text.length > ROCKSPEC_SIZE_LIMIT) {
      continue;
    }
    for (const rock of readRockspecDependencies(text)) {
      out.push({ rock, rockspec: entry.name });
    }
  }
  return out;
}

/** Well-known rocks whose modules are not named after the rock. */
const ROCK_MODULES: Readonly<Record<string, readonly string[]>> = {
  penlight: ['pl'],
  luafilesystem: ['lfs'],
  luasocket: ['socket', 'ltn12', 'mime'],
  luasec: ['ssl'],
  lpeg: ['lpeg', 're'],
  'lua-cjson': ['cjson'],
  luaossl: ['openssl', '_openssl'],
  lualogging: ['logging'],
  'lua-messagepack': ['MessagePack'],
  'lua-protobuf': ['pb', 'protoc'],
  luaposix: ['posix'],
  lyaml: ['lyaml', 'yaml'],
  'lua-zlib': ['zlib'],
  lbase64: ['base64'],
};

/**
 * The module prefixes a rock provides: from the table above, else from its
 * name as rocks are usually named (`lua-resty-worker-events` provides
 * `resty.worker.events`, `lua-resty-jit-uuid` provides `resty.jit-uuid`,
 * `lua-foo` provides `foo`).
 */
export function rockModulePrefixes(rock: string): string[] {
  const known = ROCK_MODULES[rock];
  if (known) {
    return [...known];
  }
  const bare = rock.replace(/^lua-/, '');
  const resty = /^resty-(.+)$/.exec(bare);
  if (resty) {
    return [...new Set([`resty.${resty[1].replace(/-/g, '.')}`, `resty.${resty[1]}`, `resty.${resty[1].replace(/-/g, '_')}`])];
  }
  return [...new Set([bare, bare.replace(/-/g, '.'), bare.replace(/-/g, '_')])];
}

/** The dependency that provides a module, when one does. */
export function rockProviding(module: string, dependencies: readonly RockDependency[]): RockDependency | undefined {
  const lower = module.toLowerCase();
  return dependencies.find((d) => rockModulePrefixes(d.rock).some((p) => lower === p.toLowerCase() || lower.startsWith(`${p.toLowerCase()}.`)));
}
