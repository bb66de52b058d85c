import * as nodeFs from 'node:fs';
import * as path from 'node:path';

/**
 * All file access of the core goes through this interface, so tests can run
 * the same code on an in-memory tree and the server can overlay open editors.
 * Paths are absolute and use the platform separator.
 */
export interface FileSystem {
  /** The file's text, or undefined when it is not a readable file. */
  readFile(file: string): string | undefined;
  isFile(file: string): boolean;
  isDirectory(dir: string): boolean;
  /** Entry names of a folder (empty when it is not one). */
  readDir(dir: string): DirEntry[];
  /**
   * A cheap identity of a file's current content (size, mtime, inode), so
   * cached facts can be trusted without reading the file again; undefined
   * when the file is gone. File systems without it are compared by text.
   */
  stamp?(file: string): string | undefined;
  /**
   * The folder's canonical path (symlinks resolved), so a walk can tell a
   * folder it has already seen through a link loop; undefined when unknown.
   */
  realPath?(dir: string): string | undefined;
  /**
   * Why a file that exists cannot be read as input (a FIFO, a device, a
   * socket, a file over MAX_INPUT_BYTES), in words; undefined when it can,
   * or when it does not exist.
   */
  inputProblem?(file: string): string | undefined;
  /**
   * The names in a folder, without their types (one system call, no stat
   * per entry); undefined when it cannot be listed or is too large to be
   * worth keeping. Lets a cache answer "no such file" without a stat.
   */
  listNames?(dir: string): ReadonlySet<string> | undefined;
}

/** Folders with more entries than this are not kept as listings (a stat per candidate is cheaper than the memory). */
const MAX_LISTING = 50_000;

export interface DirEntry {
  name: string;
  kind: 'file' | 'directory' | 'other';
}

/** No input file (Lua source, manifest, nginx.conf, build cache) is read past this size. */
export const MAX_INPUT_BYTES = 64 * 1024 * 1024;

export type BoundedRead = { data: Buffer } | { problem: 'missing' } | { problem: 'not-a-file' | 'too-large' | 'unreadable'; why: string };

function kindWords(st: nodeFs.Stats): string {
  if (st.isFIFO()) {
    return 'a FIFO (named pipe)';
  }
  if (st.isCharacterDevice() || st.isBlockDevice()) {
    return 'a device';
  }
  if (st.isSocket()) {
    return 'a socket';
  }
  return st.isDirectory() ? 'a folder' : 'not a regular file';
}

function tooLarge(size: number, maxBytes: number): string {
  return `larger than ${Math.round(maxBytes / 1024 / 1024)} MB (${size} bytes)`;
}

/**
 * Reads a regular file, at most `maxBytes`. The type is checked before the
 * open (stat, which never blocks), and the open itself is non-blocking and
 * re-checked on the descriptor, so a FIFO swapped in meanwhile cannot hang
 * the caller; a device is never read (it would never end).
 */
export function readBounded(file: string, maxBytes = MAX_INPUT_BYTES): BoundedRead {
  let st: nodeFs.Stats | undefined;
  try {
    st = nodeFs.statSync(file, { throwIfNoEntry: false });
  } catch {
    return { problem: 'missing' };
  }
  if (!st) {
    return { problem: 'missing' };
  }
  if (!st.isFile()) {
    return { problem: 'not-a-file', why: kindWords(st) };
  }
  if (st.size > maxBytes) {
    return { problem: 'too-large', why: tooLarge(st.size, maxBytes) };
  }
  let fd: number;
  try {
    fd = nodeFs.openSync(file, nodeFs.constants.O_RDONLY | nodeFs.constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? { problem: 'missing' } : { problem: 'unreadable', why: `unreadable (${code ?? String(e)})` };
  }
  try {
    const now = nodeFs.fstatSync(fd);
    if (!now.isFile()) {
      return { problem: 'not-a-file', why: kindWords(now) };
    }
    // One byte more than allowed tells a file that grew since the stat.
    const buffer = Buffer.allocUnsafe(Math.min(now.size, maxBytes) + 1);
    let read = 0;
    for (;;) {
      if (read === buffer.length) {
        return { problem: 'too-large', why: tooLarge(read, maxBytes) };
      }
      const n = nodeFs.readSync(fd, buffer, read, buffer.length - read, read);
      if (n === 0) {
        break;
      }
      read += n;
    }
    if (read > maxBytes) {
      return { problem: 'too-large', why: tooLarge(read, maxBytes) };
    }
    return { data: buffer.subarray(0, read) };
  } catch (e) {
    return { problem: 'unreadable', why: `unreadable (${(e as NodeJS.ErrnoException).code ?? String(e)})` };
  } finally {
    nodeFs.closeSync(fd);
  }
}

const uid = process.getuid?.();
const groups = new Set(process.getgroups?.() ?? []);

/** Whether the permission bits alone let this process read the file (root reads everything). */
function readableByMode(st: nodeFs.Stats): boolean {
  if (uid === undefined || uid === 0) {
    return true;
  }
  if (st.uid === uid) {
    return (st.mode & 0o400) !== 0;
  }
  if (groups.has(st.gid)) {
    return (st.mode & 0o040) !== 0;
  }
  return (st.mode & 0o004) !== 0;
}

/** The real disk, read synchronously: the loaders we imitate are synchronous too. */
export class NodeFileSystem implements FileSystem {
  stamp(file: string): string | undefined {
    try {
      // throwIfNoEntry: a missing file is the common answer, and exceptions are slow.
      const st = nodeFs.statSync(file, { throwIfNoEntry: false });
      return st?.isFile() ? `${st.size}:${st.mtimeMs}:${st.ino}` : undefined;
    } catch {
      return undefined;
    }
  }

  readFile(file: string): string | undefined {
    try {
      const read = readBounded(file);
      return 'data' in read ? read.data.toString('utf8') : undefined;
    } catch {
      return undefined;
    }
  }

  listNames(dir: string): ReadonlySet<string> | undefined {
    try {
      const names = nodeFs.readdirSync(dir);
      return names.length <= MAX_LISTING ? new Set(names) : undefined;
    } catch {
      return undefined;
    }
  }

  inputProblem(file: string): string | undefined {
    try {
      const st = nodeFs.statSync(file, { throwIfNoEntry: false });
      if (!st) {
        return undefined;
      }
      return !st.isFile() ? kindWords(st) : st.size > MAX_INPUT_BYTES ? tooLarge(st.size, MAX_INPUT_BYTES) : undefined;
    } catch {
      return undefined;
    }
  }

  isFile(file: string): boolean {
    try {
      // A require search probes mostly missing candidates: no exception for those (they are slow).
      const st = nodeFs.statSync(file, { throwIfNoEntry: false });
      if (!st?.isFile()) {
        return false;
      }
      // Lua's loaders test a candidate with fopen(file, "r"): a file it cannot read is "no file".
      // The mode bits answer without a second system call; access() decides the doubtful case.
      if (readableByMode(st)) {
        return true;
      }
      nodeFs.accessSync(file, nodeFs.constants.R_OK);
      return true;
    } catch {
      return false;
    }
  }

  isDirectory(dir: string): boolean {
    try {
      return nodeFs.statSync(dir, { throwIfNoEntry: false })?.isDirectory() === true;
    } catch {
      return false;
    }
  }

  realPath(dir: string): string | undefined {
    try {
      // One realpath(3) call; the JavaScript realpathSync lstats every component of every folder walked.
      return nodeFs.realpathSync.native(dir);
    } catch {
      return undefined;
    }
  }

  readDir(dir: string): DirEntry[] {
    let entries: nodeFs.Dirent[];
    try {
      entries = nodeFs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return [];
    }
    return entries.map((e) => {
      let kind: DirEntry['kind'] = e.isFile() ? 'file' : e.isDirectory() ? 'directory' : 'other';
      if (e.isSymbolicLink()) {
        // Follow links the way the loaders do (fopen follows them); a dangling link is 'other'.
        try {
          const st = nodeFs.statSync(path.join(dir, e.name));
          kind = st.isFile() ? 'file' : st.isDirectory() ? 'directory' : 'other';
        } catch {
          kind = 'other';
        }
      }
      return { name: e.name, kind };
    });
  }
}

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

/** An in-memory tree for tests: keys are absolute file paths, values their text. */
export class MemoryFileSystem implements FileSystem {
  private readonly files = new Map<string, string>();

  constructor(files: Record<string, string> = {}) {
    for (const [name, text] of Object.entries(files)) {
      this.files.set(path.resolve(name), text);
    }
  }

  write(file: string, text: string): void {
    this.files.set(path.resolve(file), text);
  }

  delete(file: string): void {
    this.files.delete(path.resolve(file));
  }

  readFile(file: string): string | undefined {
    return this.files.get(path.resolve(file));
  }

  isFile(file: string): boolean {
    return this.files.has(path.resolve(file));
  }

  isDirectory(dir: string): boolean {
    const prefix = path.resolve(dir) + path.sep;
    for (const name of this.files.keys()) {
      if (name.startsWith(prefix)) {
        return true;
      }
    }
    return dir === path.parse(dir).root;
  }

  readDir(dir: string): DirEntry[] {
    const prefix = path.resolve(dir) + path.sep;
    const seen = new Map<string, DirEntry['kind']>();
    for (const name of this.files.keys()) {
      if (name.startsWith(prefix)) {
        const rest = name.slice(prefix.length);
        const slash = rest.indexOf(path.sep);
        if (slash < 0) {
          seen.set(rest, 'file');
        } else {
          seen.set(rest.slice(0, slash), 'directory');
        }
      }
    }
    return [...seen].map(([name, kind]) => ({ name, kind })).sort((a, b) => a.name.localeCompare(b.name));
  }
}
