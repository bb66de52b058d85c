// Starts a bundle (the CLI, the language server) with V8's code cache of it:
// a process that starts often spends a tenth of a short run compiling the
// same megabyte of JavaScript. The cache is kept per build in the user's cache
// folder, written once after a run that had none (so it holds the functions
// that run compiled), and trusted only by V8, which rejects data of another
// source, V8 version or flag set; a cache from a short run is replaced by a
// longer run's. Anything that fails here costs the cache, never the run.
// Small on purpose: it loads before anything else.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import Module from 'node:module';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { dropOtherBuilds, readCacheFile, userCacheDir, writeCacheFile } from './userCache';

/** A code cache larger than this is neither read nor written (the bundles' run about 1 MB). */
const MAX_CACHE_BYTES = 64 * 1024 * 1024;

/** Where the code caches live: beside the stored facts of clients without a storage folder. */
export function codeCacheDir(env: Record<string, string | undefined>): string {
  return path.join(userCacheDir(env), 'code');
}

/**
 * The cache file of `bundle` as it is now: named by its path, size, mtime and
 * inode (a rebuilt bundle gets another file) and by the node version.
 */
export function codeCacheFile(bundle: string, st: fs.Stats, env: Record<string, string | undefined>): string {
  const key = crypto.createHash('sha256').update(`${bundle}\0${st.size}:${st.mtimeMs}:${st.ino}\0${process.version}\0${process.arch}`).digest('hex').slice(0, 24);
  return path.join(codeCacheDir(env), `${path.basename(bundle, '.js')}-${key}.bin`);
}

/**
 * Runs `bundleName` (a CommonJS bundle beside this file) as if `entry` (the
 * small file node started, or that required this) were it: the bundle sees
 * `entry` as its module, so `require.main === module` holds where it did.
 */
export function launch(bundleName: string, entry: NodeJS.Module, env: Record<string, string | undefined> = process.env): void {
  const bundle = path.join(__dirname, bundleName);
  const source = fs.readFileSync(bundle, 'utf8');
  let cacheFile: string | undefined;
  try {
    // --no-cache: no stored facts, and no code cache either.
    const off = env.RESTY_BUILD_CODE_CACHE === '0' || process.argv.includes('--no-cache');
    cacheFile = off ? undefined : codeCacheFile(bundle, fs.statSync(bundle), env);
  } catch {
    cacheFile = undefined;
  }
  const cachedData = cacheFile ? readCacheFile(cacheFile, MAX_CACHE_BYTES) : undefined;
  const script = new vm.Script(Module.wrap(source), { filename: bundle, cachedData });
  // A cache from a short run (--version, say) holds little beyond the top level: a longer run may replace it.
  const thin = cachedData !== undefined && cachedData.length * 4 < source.length;
  if (cacheFile && (!cachedData || script.cachedDataRejected || thin)) {
    const target = cacheFile;
    // After the run: the cache then holds the functions it compiled, not just the top level.
    process.once('exit', () => {
      try {
        const data = script.createCachedData();
        const grown = !thin || script.cachedDataRejected || data.length > cachedData!.length * 1.25;
        if (grown && data.length > 0 && data.length <= MAX_CACHE_BYTES && writeCacheFile(target, data)) {
          dropOtherBuilds(target);
        }
      } catch {
        // no cache this time
      }
    });
  }
  const run = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: NodeJS.Module, filename: string, dirname: string) => void;
  run.call(entry.exports, entry.exports, Module.createRequire(bundle), entry, bundle, path.dirname(bundle));
}
