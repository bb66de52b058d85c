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

/**
 * A cache file's bytes when it is a regular, non-empty file of at most
 * `maxBytes`; undefined otherwise. Opened non-blocking and checked before it
 * is read: a FIFO or a device put in its place must not hang or flood a run.
 */
export function readCacheFile(file: string, maxBytes: number): Buffer | undefined {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    const st = fs.fstatSync(fd);
    if (!st.isFile() || st.size === 0 || st.size > maxBytes) {
      return undefined;
    }
    const data = Buffer.alloc(st.size);
    const n = fs.readSync(fd, data, 0, st.size, 0);
    return n === st.size ? data : undefined;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) {
      fs.closeSync(fd);
    }
  }
}

/**
 * Writes a cache file (its bytes, or its text in pieces) under a temporary
 * name and renames it, so a reader never sees half a file; private to the user. False when it cannot be
 * written: a cache is never worth failing a run for.
 */
export function writeCacheFile(file: string, data: string | Buffer | Iterable<string>): boolean {
  const temp = `${file}.${process.pid}.tmp`;
  try {
    makeFolders(path.dirname(file), 0o700);
    // A leftover of a crashed run with the same pid (or a link put there) goes first: 'wx' then creates the file itself.
    fs.rmSync(temp, { force: true });
    if (typeof data === 'string' || Buffer.isBuffer(data)) {
      fs.writeFileSync(temp, data, { mode: 0o600, flag: 'wx' });
    } else {
      writePieces(temp, data);
    }
    fs.renameSync(temp, file);
    return true;
  } catch {
    try {
      fs.rmSync(temp, { force: true });
    } catch {
      // left for dropOtherBuilds
    }
    return false;
  }
}

/** Pieces are gathered up to this many characters before a write: one write per piece would be thousands of calls. */
const WRITE_CHUNK_CHARS = 1 << 20;

/** Writes a text given in pieces without ever holding all of it (a store of 10,000 files' facts is 25 MB of JSON). */
function writePieces(file: string, pieces: Iterable<string>): void {
  const fd = fs.openSync(file, 'wx', 0o600);
  try {
    let pending: string[] = [];
    let size = 0;
    const flush = () => {
      fs.writeSync(fd, pending.join(''));
      pending = [];
      size = 0;
    };
    for (const piece of pieces) {
      pending.push(piece);
      size += piece.length;
      if (size >= WRITE_CHUNK_CHARS) {
        flush();
      }
    }
    flush();
  } finally {
    fs.closeSync(fd);
  }
}

/** At most `max` names of a folder, read one by one: a folder of a million files is not listed whole first. */
function firstNames(dir: string, max: number): string[] {
  const names: string[] = [];
  const listing = fs.opendirSync(dir);
  try {
    for (let entry = listing.readSync(); entry !== null && names.length < max; entry = listing.readSync()) {
      names.push(entry.name);
    }
  } finally {
    listing.closeSync();
  }
  return names;
}

/** A cache of another build written this long ago is dropped (a build still in use writes its own again). */
const UNUSED_MS = 7 * 24 * 3600 * 1000;

/**
 * Removes the files beside `kept` that belong to other builds (the same
 * name up to its last `-<hex>` part) or are temporaries of crashed writes,
 * when nothing wrote them for a week: builds long replaced. Regular files
 * only, the first thousand names of the folder at most.
 */
export function dropOtherBuilds(kept: string): void {
  const dir = path.dirname(kept);
  const prefix = path.basename(kept).replace(/-[0-9a-f]+\.[a-z]+$/, '-');
  const ext = path.extname(kept);
  try {
    const now = Date.now();
    for (const name of firstNames(dir, 1000)) {
      const file = path.join(dir, name);
      if (file !== kept && name.startsWith(prefix) && (name.endsWith(ext) || name.endsWith('.tmp'))) {
        const st = fs.lstatSync(file);
        if (st.isFile() && now - st.mtimeMs > UNUSED_MS) {
          fs.rmSync(file, { force: true });
        }
      }
    }
  } catch {
    // tidied another time
  }
}

export interface FolderBound {
  /** Files of the kind not written for this long are dropped. */
  unusedMs: number;
  /** Of the rest, only this many of the most recently written are kept. */
  maxFiles: number;
  /** How often the folder is looked through at most (a marker file's mtime says when it last was). */
  everyMs: number;
}

/** The names a folder is looked through for at most: a folder of a million files is not listed in full. */
const MAX_LISTED = 20_000;

/**
 * Bounds a cache folder where each file belongs to something that may be
 * gone (the stored facts of a folder since deleted, one store per set of
 * folders `check` was run on): the files whose names start with `prefix`
 * and end with `ext` are dropped when unused for `unusedMs`, and beyond the
 * `maxFiles` newest. At most once per `everyMs`, so a run usually pays
 * only one stat. Regular files only; `kept` is never dropped.
 */
export function boundFolder(kept: string, prefix: string, ext: string, bound: FolderBound): void {
  const dir = path.dirname(kept);
  const marker = path.join(dir, '.tidied');
  try {
    const now = Date.now();
    const last = fs.lstatSync(marker, { throwIfNoEntry: false });
    if (last && now - last.mtimeMs < bound.everyMs && last.mtimeMs <= now) {
      return;
    }
    writeCacheFile(marker, '');
    const files: { file: string; mtimeMs: number }[] = [];
    for (const name of firstNames(dir, MAX_LISTED)) {
      const file = path.join(dir, name);
      if (file === kept || !name.startsWith(prefix) || !name.endsWith(ext)) {
        continue;
      }
      const st = fs.lstatSync(file, { throwIfNoEntry: false });
      if (!st?.isFile()) {
        continue;
      }
      if (now - st.mtimeMs > bound.unusedMs) {
        fs.rmSync(file, { force: true });
      } else {
        files.push({ file, mtimeMs: st.mtimeMs });
      }
    }
    // `kept` counts as the newest: it was just written.
    files.sort((a, b) => b.mtimeMs - a.mtimeMs);
    for (const { file } of files.slice(Math.max(0, bound.maxFiles - 1))) {
      fs.rmSync(file, { force: true });
    }
  } catch {
    // tidied another time
  }
}
