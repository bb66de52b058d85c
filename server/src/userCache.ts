import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * The user's cache folder for resty-build (`$XDG_CACHE_HOME/resty-build`,
 * else `~/.cache/resty-build`): stored facts of clients without a storage
 * folder of their own, and the code caches of the bundles.
 */
export function userCacheDir(env: Record<string, string | undefined>): string {
  return path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'resty-build');
}

/**
 * `mkdir -p`, one folder at a time: node's recursive mkdirSync never returns
 * where mkdir answers ENOENT although the parent exists (a cache folder set
 * under /proc, say). A folder another process made meanwhile is fine; any
 * other failure throws.
 */
export function makeFolders(dir: string, mode?: number): void {
  const missing: string[] = [];
  for (let d = dir; !fs.existsSync(d) && path.dirname(d) !== d; d = path.dirname(d)) {
    missing.push(d);
  }
  for (const d of missing.reverse()) {
    try {
      fs.mkdirSync(d, mode);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw err;
      }
    }
  }
}
