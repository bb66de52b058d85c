// A LuaJIT built like OpenResty builds its own: Debian's luajit2 source
// package (OpenResty's LuaJIT branch) compiled with
// XCFLAGS=-DLUAJIT_ENABLE_LUA52COMPAT. Debian's binary package is built
// without it, and the flag changes what parses (DOMAIN 9), so the syntax
// verdicts for a 5.2-compatible runtime are compared with this binary.
//
// The sources come through the nginx harness's apt state; the build is kept
// in ${XDG_CACHE_HOME:-~/.cache}/resty-build/luajit52/<version>-r<recipe>/
// (about 40 s on 2 cores the first time), serialised on a flock lock.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, cpus } from 'node:os';
import { join } from 'node:path';
import { haveCommand, log, run, seconds, step, withLock } from '../nginx/proc';
import { obtainSourcePackages } from '../nginx/sources';

/** Bump when the way the binary is built changes. */
const RECIPE_VERSION = 1;

export interface Luajit52 {
  /** The `luajit` executable, built with LUAJIT_ENABLE_LUA52COMPAT. */
  binary: string;
  /** package.path for its own `jit.*` modules (`-b`, `-bl` need jit.bcsave). */
  luaPath: string;
  /** The Debian source version it was built from. */
  version: string;
}

function cacheDir(): string {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'resty-build', 'luajit52');
}

/** Why this machine cannot build it, in one line; undefined when it can. */
export function luajit52UnavailableReason(): string | undefined {
  if (process.platform !== 'linux' || !existsSync('/etc/debian_version')) {
    return 'needs a Debian system (the sources are Debian\'s luajit2 package)';
  }
  for (const tool of ['apt-get', 'dpkg-source', 'make', 'cc', 'flock']) {
    if (!haveCommand(tool)) {
      return `needs ${tool}, not found on PATH (apt-get install dpkg-dev build-essential util-linux)`;
    }
  }
  return undefined;
}

/** Builds (or takes from the cache) the 5.2-compatible LuaJIT. */
export async function obtainLuajit52(): Promise<Luajit52> {
  const { luajit2 } = await obtainSourcePackages({ luajit2: 'luajit2' });
  const root = join(cacheDir(), `${luajit2.version.replace(/:/g, '%3a')}-r${RECIPE_VERSION}`);
  const tree = join(root, 'luajit2');
  const marker = join(root, 'complete.json');
  const result: Luajit52 = { binary: join(tree, 'src', 'luajit'), luaPath: join(tree, 'src', '?.lua'), version: luajit2.version };
  if (existsSync(marker)) {
    return result;
  }
  mkdirSync(cacheDir(), { recursive: true });
  return withLock(`${root}.lock`, 20 * 60_000, async () => {
    if (existsSync(marker)) {
      return result;
    }
    const started = performance.now();
    rmSync(root, { recursive: true, force: true });
    mkdirSync(root, { recursive: true });
    await run('cp', ['-a', luajit2.dir, tree]);
    const jobs = String(Math.max(1, cpus().length));
    const made = await step(`make -j${jobs} XCFLAGS=-DLUAJIT_ENABLE_LUA52COMPAT (luajit2 ${luajit2.version})`, () =>
      run('make', [`-j${jobs}`, 'XCFLAGS=-DLUAJIT_ENABLE_LUA52COMPAT'], { cwd: tree }),
    );
    writeFileSync(join(root, 'make.log'), made.stdout + made.stderr);
    const probe = spawnSync(result.binary, ['-e', "io.write(table.pack and 'yes' or 'no')"], { encoding: 'utf8' });
    if (probe.stdout !== 'yes') {
      throw new Error(`the LuaJIT built in ${tree} is not 5.2-compatible (table.pack missing): ${probe.stderr}`);
    }
    writeFileSync(marker, JSON.stringify({ version: luajit2.version, recipe: RECIPE_VERSION }, null, 2) + '\n');
    log(`5.2-compatible LuaJIT built in ${seconds(started)}: ${result.binary}`);
    return result;
  });
}
