import * as nodeFs from 'node:fs';
import * as path from 'node:path';
import { DirEntry, FileSystem, MAX_INPUT_BYTES, MAX_LISTING } from './fs';
import { escapedFileName } from './paths';

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
    // A name that is not valid UTF-8 comes back with U+FFFD for its bad bytes: the folder is listed again as
    // bytes, to tell those names and say what they really are (a name may hold U+FFFD itself, rarely).
    const lossy = entries.some((e) => e.name.includes('\uFFFD'));
    return lossy ? this.readDirAsBytes(dir) : entries.map((e) => ({ name: e.name, kind: this.kindOf(dir, e, e.name) }));
  }

  private readDirAsBytes(dir: string): DirEntry[] {
    let entries: nodeFs.Dirent<Buffer>[];
    try {
      entries = nodeFs.readdirSync(dir, { withFileTypes: true, encoding: 'buffer' });
    } catch {
      return [];
    }
    return entries.map((e) => {
      const name = e.name.toString('utf8');
      if (Buffer.from(name, 'utf8').equals(e.name)) {
        return { name, kind: this.kindOf(dir, e, name) };
      }
      // Only the bytes open it: `name` names another file, or none.
      return { name, kind: this.kindOf(dir, e, Buffer.concat([Buffer.from(dir + path.sep), e.name])), undecodable: escapedFileName(e.name) };
    });
  }

  private kindOf(dir: string, e: nodeFs.Dirent | nodeFs.Dirent<Buffer>, name: string | Buffer): DirEntry['kind'] {
    if (e.isSymbolicLink()) {
      // Follow links the way the loaders do (fopen follows them); a dangling link is 'other'.
      try {
        const st = nodeFs.statSync(typeof name === 'string' ? path.join(dir, name) : name);
        return st.isFile() ? 'file' : st.isDirectory() ? 'directory' : 'other';
      } catch {
        return 'other';
      }
    }
    return e.isFile() ? 'file' : e.isDirectory() ? 'directory' : 'other';
  }
}
