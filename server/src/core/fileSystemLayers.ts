import * as path from 'node:path';
import { DirEntry, FileSystem, MAX_LISTING } from './fs';

/**
 * Remembers what the disk said until told that something changed: a require
 * search probes many candidates, and the same candidates again for every file.
 */
export class CachedFileSystem implements FileSystem {
  private readonly fileCache = new Map<string, boolean>();
  private readonly dirCache = new Map<string, boolean>();
  /** Folder listings (null: cannot be listed), to answer most "no such file" without a stat or a cache entry per path. */
  private readonly listings = new Map<string, ReadonlySet<string> | null>();

  constructor(private readonly inner: FileSystem) {
    if (inner.stamp) {
      this.stamp = (file) => inner.stamp!(file);
    }
  }

  stamp?: (file: string) => string | undefined;

  readFile(file: string): string | undefined {
    return this.inner.readFile(file);
  }

  isFile(file: string): boolean {
    let hit = this.fileCache.get(file);
    if (hit === undefined) {
      // A name its folder does not list is no file: no stat, and nothing remembered per path, so
      // a search of many missing names (a manifest of 500 000 entries) costs no memory per candidate.
      if (this.knownAbsent(file)) {
        return false;
      }
      // Without listings: most candidates of a failed search lie in folders that do not exist (`pl/`
      // under every template), and one look at the folder answers for every candidate in it.
      hit = this.inFolder(file) && this.inner.isFile(file);
      this.fileCache.set(file, hit);
    }
    return hit;
  }

  isDirectory(dir: string): boolean {
    let hit = this.dirCache.get(dir);
    if (hit === undefined) {
      if (this.knownAbsent(dir)) {
        return false;
      }
      hit = this.inFolder(dir) && this.inner.isDirectory(dir);
      this.dirCache.set(dir, hit);
    }
    return hit;
  }

  /** Whether the path's folder exists (the root's does): nothing can be in a folder that is not there. */
  private inFolder(p: string): boolean {
    const parent = path.dirname(p);
    return parent === p || this.isDirectory(parent);
  }

  /** True when a folder on the way to `p` does not list the next name. */
  private knownAbsent(p: string): boolean {
    if (!this.inner.listNames) {
      return false;
    }
    const dir = path.dirname(p);
    if (dir === p) {
      return false;
    }
    let names = this.listings.get(dir);
    if (names === undefined) {
      // Only a folder that may exist is listed (and remembered): a missing one is known from its parent.
      if (this.knownAbsent(dir)) {
        return true;
      }
      if (this.listings.size >= MAX_LISTING) {
        this.listings.clear();
      }
      names = this.inner.listNames(dir) ?? null;
      this.listings.set(dir, names);
    }
    return names !== null && !names.has(path.basename(p));
  }

  readDir(dir: string): DirEntry[] {
    return this.inner.readDir(dir);
  }

  realPath(dir: string): string | undefined {
    return this.inner.realPath?.(dir);
  }

  inputProblem(file: string): string | undefined {
    return this.knownAbsent(file) ? undefined : this.inner.inputProblem?.(file);
  }

  /** Forget everything: after file creations, deletions and renames. */
  invalidate(): void {
    this.fileCache.clear();
    this.dirCache.clear();
    this.listings.clear();
  }
}

/**
 * Keeps the FileSystem contract whatever the layer below does: a file system
 * that throws (EACCES, EIO, a file deleted between two calls, a plug-in
 * implementation with a bug) reads as "not there", never as a crash.
 */
export class GuardedFileSystem implements FileSystem {
  constructor(private readonly inner: FileSystem) {
    if (inner.stamp) {
      this.stamp = (file) => {
        try {
          return inner.stamp!(file);
        } catch {
          return undefined;
        }
      };
    }
  }

  stamp?: (file: string) => string | undefined;

  readFile(file: string): string | undefined {
    try {
      return this.inner.readFile(file);
    } catch {
      return undefined;
    }
  }

  isFile(file: string): boolean {
    try {
      return this.inner.isFile(file);
    } catch {
      return false;
    }
  }

  isDirectory(dir: string): boolean {
    try {
      return this.inner.isDirectory(dir);
    } catch {
      return false;
    }
  }

  readDir(dir: string): DirEntry[] {
    try {
      return this.inner.readDir(dir);
    } catch {
      return [];
    }
  }

  realPath(dir: string): string | undefined {
    try {
      return this.inner.realPath?.(dir);
    } catch {
      return undefined;
    }
  }

  inputProblem(file: string): string | undefined {
    try {
      return this.inner.inputProblem?.(file);
    } catch {
      return undefined;
    }
  }

  listNames(dir: string): ReadonlySet<string> | undefined {
    try {
      return this.inner.listNames?.(dir);
    } catch {
      return undefined;
    }
  }
}
