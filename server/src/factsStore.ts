import * as crypto from 'node:crypto';
import * as path from 'node:path';
import { SyntaxVerdict } from './core/lua/luaFile';
import { LuaScan } from './core/lua/luaScan';
import { boundFolder, dropOtherBuilds, FolderBound, readCacheFile, userCacheDir, writeCacheFile } from './userCache';

/** Bumped whenever what is stored (or how it is computed) changes: an old file is then ignored. */
const FORMAT = 2;

/** A store larger than this is not read (the real tree's is 2.4 MB, 10,000 files' some 25 MB). */
const MAX_STORE_BYTES = 256 * 1024 * 1024;

/**
 * The stores of one folder (the user's cache holds one per set of folders
 * `check` ran on, many of them gone since): a store not written for 30 days
 * is dropped, and only the 200 most recently written are kept. Looked
 * through at most once a day.
 */
const STORE_FOLDER_BOUND: FolderBound = { unusedMs: 30 * 24 * 3600 * 1000, maxFiles: 200, everyMs: 24 * 3600 * 1000 };

export interface StoredFacts {
  stamp: string;
  scan: LuaScan;
  syntax: SyntaxVerdict | null;
  syntax52?: SyntaxVerdict | null;
  lines: { starts: Int32Array; length: number };
}

interface StoredEntry {
  stamp: string;
  scan: LuaScan;
  syntax: SyntaxVerdict | null;
  syntax52?: SyntaxVerdict | null;
  /** Line starts as base64 of an Int32Array. */
  starts: string;
  length: number;
}

interface StoreFile {
  format: number;
  version: string;
  entries: Record<string, StoredEntry>;
}

/**
 * Per-file facts kept across restarts, keyed by path and trusted only while
 * the file's stamp (size, mtime, inode) is the same. One JSON file per set
 * of workspace folders and build, under the editor's storage folder (or the
 * user's cache folder); written to a temporary name and renamed, so a crash
 * never leaves half a file, and anything unreadable is simply ignored.
 */
export class FactsStore {
  private entries = new Map<string, StoredEntry>();
  /** Something was added or dropped since the file was read: only then is it written again. */
  private changed = false;

  constructor(
    readonly file: string,
    private readonly version: string,
  ) {}

  /**
   * The store of a set of folders for one build: two builds used on the
   * same folders (an editor's server and a CLI of another version) each keep
   * their own file instead of overwriting each other's.
   */
  static forRoots(roots: readonly string[], version: string, storageDir?: string): FactsStore {
    const base = storageDir ?? userFactsDir(process.env);
    const key = crypto.createHash('sha256').update(roots.join('\n')).digest('hex').slice(0, 16);
    const build = crypto.createHash('sha256').update(version).digest('hex').slice(0, 8);
    return new FactsStore(path.join(base, `facts-${key}-${build}.json`), version);
  }

  private loaded = false;

  /** Reads the file, once: the walk may ask before the analysis does. */
  load(): void {
    if (this.loaded) {
      return;
    }
    this.loaded = true;
    this.changed = false;
    try {
      const data = JSON.parse(readCacheFile(this.file, MAX_STORE_BYTES)?.toString('utf8') ?? 'null') as StoreFile | null;
      if (!data) {
        return;
      }
      if (data.format === FORMAT && data.version === this.version && data.entries && typeof data.entries === 'object') {
        this.entries = new Map(Object.entries(data.entries));
      }
    } catch {
      this.entries = new Map();
    }
  }

  get size(): number {
    return this.entries.size;
  }

  /** `get` for a workspace's walk, which may ask before the analysis read the file: reads it first. */
  readonly lookup = (file: string, stamp: string): StoredFacts | undefined => {
    this.load();
    return this.get(file, stamp);
  };

  get(file: string, stamp: string): StoredFacts | undefined {
    const e = this.entries.get(file);
    if (!e || e.stamp !== stamp) {
      return undefined;
    }
    const buffer = Buffer.from(e.starts, 'base64');
    const starts = new Int32Array(buffer.buffer, buffer.byteOffset, buffer.byteLength >> 2);
    return { stamp: e.stamp, scan: e.scan, syntax: e.syntax, syntax52: e.syntax52, lines: { starts, length: e.length } };
  }

  set(file: string, facts: StoredFacts): void {
    const bytes = Buffer.from(facts.lines.starts.buffer, facts.lines.starts.byteOffset, facts.lines.starts.byteLength);
    this.changed = true;
    this.entries.set(file, { stamp: facts.stamp, scan: facts.scan, syntax: facts.syntax, syntax52: facts.syntax52, starts: bytes.toString('base64'), length: facts.lines.length });
  }

  /** Keeps only these files (the workspace as it is now). */
  retain(files: Iterable<string>): void {
    const keep = new Set(files);
    for (const f of this.entries.keys()) {
      if (!keep.has(f)) {
        this.entries.delete(f);
        this.changed = true;
      }
    }
  }

  /**
   * The store's JSON (a StoreFile), entry by entry: the whole text of a
   * large workspace, and the object it would be made from, are never held
   * at once (at 10,000 files they raised the server's peak memory by 60 MB).
   */
  private *pieces(): Generator<string> {
    yield `{"format":${FORMAT},"version":${JSON.stringify(this.version)},"entries":{`;
    let first = true;
    for (const [file, entry] of this.entries) {
      yield `${first ? '' : ','}${JSON.stringify(file)}:${JSON.stringify(entry)}`;
      first = false;
    }
    yield '}}';
  }

  /** Writes the facts, unless they are exactly what was read. */
  save(): void {
    if (!this.changed) {
      return;
    }
    this.changed = false;
    if (writeCacheFile(this.file, this.pieces())) {
      dropOtherBuilds(this.file);
      boundFolder(this.file, 'facts-', '.json', STORE_FOLDER_BOUND);
    }
  }

}

/** Where clients without a storage folder of their own (the CLI, editors other than VS Code) keep stored facts. */
export function userFactsDir(env: Record<string, string | undefined>): string {
  return path.join(userCacheDir(env), 'facts');
}
