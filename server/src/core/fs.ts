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
export const MAX_LISTING = 50_000;

export interface DirEntry {
  name: string;
  kind: 'file' | 'directory' | 'other';
  /**
   * Set when the name's bytes are not valid UTF-8: the name written with
   * `\xNN` for those bytes. `name` then holds replacement characters and
   * opens nothing (paths are strings here, as in VS Code's URIs).
   */
  undecodable?: string;
}

/** No input file (Lua source, manifest, nginx.conf, build cache) is read past this size. */
export const MAX_INPUT_BYTES = 64 * 1024 * 1024;
