import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { readBounded } from '../core/nodeFileSystem';
import { LuaJitInfo } from './luajitInfo';
import { OutputFolder } from './outDir';
import { SymbolRename } from './symbolRename';

/**
 * The compile cache in outDir: which objects this tool wrote, from which
 * source, compiler and flags, so an unchanged module is not compiled again
 * and nothing but those objects is ever deleted. Apart from the compile
 * run (compile.ts) because the file is untrusted input with its own rules.
 */

/** Written into outDir; lists the objects this tool wrote, so it never deletes anything else. */
export const CACHE_FILE = '.resty-build-cache.json';
const CACHE_VERSION = 1;

export interface CacheEntry {
  module: string;
  source: string;
  sourceHash: string;
  compiler: string;
  flags: string[];
  size: number;
  mtimeMs: number;
}

export interface CacheFile {
  version: number;
  objects: Record<string, CacheEntry>;
}

/** What the cache compares: the luajit flags and the rename after it. */
export function cacheFlags(job: { flags: string[]; rename?: SymbolRename }): string[] {
  return job.rename ? [...job.flags, `--redefine-sym=${job.rename.from}=${job.rename.to}`] : job.flags;
}

/** What a cache key may be: the name of an object file this tool writes, directly inside outDir. */
function isObjectName(name: string): boolean {
  return /^[A-Za-z0-9_-][A-Za-z0-9_.-]*\.o$/.test(name) && Buffer.byteLength(name) <= 255;
}

function isCacheEntry(value: unknown): value is CacheEntry {
  const e = value as CacheEntry;
  return (
    typeof e === 'object' && e !== null && typeof e.module === 'string' && typeof e.source === 'string' && typeof e.sourceHash === 'string' &&
    typeof e.compiler === 'string' && Array.isArray(e.flags) && e.flags.every((f) => typeof f === 'string') && typeof e.size === 'number' && typeof e.mtimeMs === 'number'
  );
}

/**
 * The cache of an earlier run. It lies in a folder a cloned repository can
 * ship, so it is untrusted input: read with a size bound from a regular
 * file, and only entries naming a plain object file directly inside outDir
 * are kept; the others are returned as `ignored`, never followed.
 */
export function readCache(out: OutputFolder): { cache: CacheFile; ignored: string[] } {
  const cache: CacheFile = { version: CACHE_VERSION, objects: Object.create(null) as Record<string, CacheEntry> };
  const ignored: string[] = [];
  try {
    if (!out.isRegularFile(CACHE_FILE)) {
      return { cache, ignored };
    }
    const read = readBounded(out.file(CACHE_FILE));
    const data = 'data' in read ? (JSON.parse(read.data.toString('utf8')) as CacheFile) : undefined;
    if (data?.version === CACHE_VERSION && data.objects && typeof data.objects === 'object' && !Array.isArray(data.objects)) {
      for (const [name, entry] of Object.entries(data.objects)) {
        if (isObjectName(name) && isCacheEntry(entry) && (out.isRegularFile(name) || !fs.existsSync(out.file(name)))) {
          cache.objects[name] = entry;
        } else {
          ignored.push(name);
        }
      }
    }
  } catch {
    // Missing or damaged: start over (every object is then recompiled).
  }
  return { cache, ignored };
}

/** What the cache compares sources and compilers by. */
export function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** What identifies the compiler for the cache: where it is, what it says it is, what header it writes. */
export function compilerIdentity(info: LuaJitInfo): string {
  return sha256(`${info.path}\n${info.versionText}\n${info.headerHex}`);
}

export function sameFlags(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Whether the object in outDir is still the one the cache entry describes. */
export function unchanged(out: OutputFolder, name: string, cached: CacheEntry): boolean {
  try {
    // A link in place of the object (a cloned repository can ship one) is never taken as the object.
    const st = fs.lstatSync(out.file(name));
    return st.isFile() && st.size === cached.size && st.mtimeMs === cached.mtimeMs;
  } catch {
    return false;
  }
}
