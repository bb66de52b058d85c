import * as path from 'node:path';
import { FileSystem } from '../fs';
import { scanLua } from '../lua/luaScan';

type Env = Record<string, string | undefined>;

/** A use of the bk API in a text: `bk.x` or `bk:x`. */
const BK_CALL = /\bbk\s*[.:]\s*[A-Za-z_]/;

/**
 * Whether a Lua text is a luakit build script: luakit runs any script it is
 * given, so the name does not tell (luakit's own examples are
 * `examples/*.lua`); a use of the `bk` API's entry points does, found by the
 * same scanner as a file's facts (so a file is judged the same whether its
 * facts are known yet or not; comments and strings do not count). A file
 * named build.lua needs only some `bk.` use.
 */
export function isLuakitBuildScript(file: string, text: string): boolean {
  // The scanner's verdict needs a `bk.` or `bk:` in the text: most files have none, and are not scanned for it.
  return path.basename(file) === 'build.lua' ? BK_CALL.test(text) : BK_CALL.test(text) && scanLua(text).luakitApi === true;
}

/** Where a luakit stdlib was found, or where it was looked for (for the not-found message). */
export interface StdlibLookup {
  dir?: string;
  /** When not found: where the search went and how to set it, in one sentence. */
  notFound?: string;
}

/** How far up from the build context a stdlib shipped in the tree is looked for. */
const MAX_LEVELS = 6;
const IN_TREE = [path.join('lua', 'stdlib'), 'stdlib', path.join('share', 'luakit', 'stdlib')];

/**
 * luakit's stdlib folder: the manifest's `stdlib`; else `$LUAKIT_STDLIB_DIR`
 * and `<dir of luakit on PATH>/../share/luakit/stdlib`, as luakit itself
 * looks; else a stdlib shipped in the tree (a `lua/stdlib` or `stdlib`
 * folder with luakit's `prelude.lua`) in the build context or a folder
 * above it, up to the repository's root.
 */
export function locateLuakitStdlib(fs: FileSystem, env: Env, configured: string | undefined, ctx: string): StdlibLookup {
  if (configured !== undefined) {
    return { dir: configured };
  }
  const looked: string[] = [];
  const fromEnv = env.LUAKIT_STDLIB_DIR;
  if (fromEnv) {
    if (fs.isDirectory(fromEnv)) {
      return { dir: path.resolve(fromEnv) };
    }
    looked.push(`$LUAKIT_STDLIB_DIR (${fromEnv}) is not a folder`);
  } else {
    looked.push('$LUAKIT_STDLIB_DIR is not set');
  }
  const luakit = (env.PATH ?? '').split(path.delimiter).find((dir) => dir && fs.isFile(path.join(dir, 'luakit')));
  if (luakit) {
    const stdlib = path.resolve(luakit, '..', 'share', 'luakit', 'stdlib');
    if (fs.isDirectory(stdlib)) {
      return { dir: stdlib };
    }
    looked.push(`${stdlib} (next to ${path.join(luakit, 'luakit')}) does not exist`);
  } else {
    looked.push('no luakit on PATH');
  }
  let dir = ctx;
  for (let level = 0; level < MAX_LEVELS; level++) {
    for (const candidate of IN_TREE) {
      const stdlib = path.join(dir, candidate);
      if (fs.isFile(path.join(stdlib, 'prelude.lua'))) {
        return { dir: stdlib };
      }
    }
    const parent = path.dirname(dir);
    if (fs.isDirectory(path.join(dir, '.git')) || parent === dir) {
      break;
    }
    dir = parent;
  }
  looked.push(`no lua/stdlib or stdlib folder with prelude.lua from the build context up to ${dir}`);
  return {
    notFound: `luakit's stdlib was not found (${looked.join('; ')}): set "stdlib" in resty-build.json, $LUAKIT_STDLIB_DIR, or the restyBuild.luakitStdlibDir setting.`,
  };
}
