import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readBounded } from '../core/nodeFileSystem';
import { Manifest } from '../core/manifest/manifest';
import { outDirProblem, SourceFolder } from '../core/manifest/manifestPaths';
import { displayPath, isInside, isStrictlyInside } from '../core/paths';
import { BuildEnvironmentError } from './tool';

/** Prefix of in-progress files in outDir: renamed into place only once complete and checked. */
export const TEMP_PREFIX = '.resty-build-tmp-';
/** Held by the build writing outDir; holds its process id. */
export const LOCK_FILE = '.resty-build.lock';

/**
 * The real path of `p` (symbolic links resolved) when the tail of it does
 * not exist yet: the longest existing prefix is resolved and the rest
 * appended. A dangling link on the way is refused: creating folders
 * through it would create them wherever it points.
 */
export function realPathAllowingMissing(p: string): string {
  const missing: string[] = [];
  let existing = path.resolve(p);
  for (;;) {
    try {
      return path.join(fs.realpathSync(existing), ...missing);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // ENOTDIR: a file where a folder should be; creating the folder reports it.
      if (code !== 'ENOTDIR' && (code !== 'ENOENT' || lstatOrUndefined(existing) !== undefined)) {
        throw new BuildEnvironmentError(`cannot resolve ${existing}: ${code === 'ENOENT' ? 'a symbolic link pointing nowhere' : (code ?? String(e))}. Remove it or change "outDir" in resty-build.json.`);
      }
      const parent = path.dirname(existing);
      if (parent === existing) {
        return path.resolve(p);
      }
      missing.unshift(path.basename(existing));
      existing = parent;
    }
  }
}

function lstatOrUndefined(p: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(p, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}

/** A name of a file directly inside a folder: no separator, not `.`/`..`, not empty. */
export function isPlainFileName(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !name.includes('/') && !name.includes('\\') && !name.includes('\0') && Buffer.byteLength(name) <= 255;
}

const FIX = 'Choose a folder of its own inside the project, e.g. "build/bytecode", that is not a symbolic link out of it.';

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The folder the build writes: checked by real path to lie inside the real
 * project folder and apart from every real source folder, created, and
 * then written only through `file(name)`, one plain name directly inside
 * it. Every write, rename and delete of the build goes through here.
 */
export class OutputFolder {
  private constructor(
    /** outDir as the manifest names it (absolute). */
    readonly outDir: string,
    /** outDir as shown in messages: relative to the project. */
    readonly shown: string,
    /** Its real path: every file the build touches is joined to this. */
    readonly real: string,
  ) {}

  /**
   * Checks outDir as written and by real path, before anything is run or
   * written. Throws BuildEnvironmentError when it is unsafe. `create()`
   * makes the folder.
   */
  static check(manifest: Manifest, sources: readonly SourceFolder[]): OutputFolder {
    const textual = outDirProblem(manifest, sources);
    if (textual) {
      throw new BuildEnvironmentError(`${manifest.file}: ${textual.message}`);
    }
    const shown = displayPath(manifest.dir, manifest.outDir);
    const realProject = realPathAllowingMissing(manifest.dir);
    const real = realPathAllowingMissing(manifest.outDir);
    if (!isStrictlyInside(realProject, real)) {
      throw new BuildEnvironmentError(`"outDir" (${shown}) resolves through a symbolic link to ${real}, ${real === realProject ? 'the project folder itself' : `outside the project folder ${realProject}`}: the build would write and delete files there. ${FIX}`);
    }
    for (const src of sources) {
      let realSrc: string;
      try {
        realSrc = realPathAllowingMissing(src.dir);
      } catch {
        continue;
      }
      if (realSrc === realProject) {
        continue;
      }
      const overlap = real === realSrc ? 'is' : isInside(realSrc, real) ? 'lies inside' : isInside(real, realSrc) ? 'contains' : undefined;
      if (overlap) {
        throw new BuildEnvironmentError(
          `"outDir" (${shown}, really ${real}) ${overlap} the source folder ${displayPath(manifest.dir, src.dir)} (really ${realSrc}, from ${src.key.startsWith('the ') ? src.key : `"${src.key}"`}): the build would write and delete files among the Lua sources. ${FIX}`,
        );
      }
    }
    return new OutputFolder(manifest.outDir, shown, real);
  }

  /** check(), then create(). */
  static prepare(manifest: Manifest, sources: readonly SourceFolder[]): OutputFolder {
    return OutputFolder.check(manifest, sources).create();
  }

  /** Creates the checked folder (and its parents); throws BuildEnvironmentError when it cannot be written. */
  create(): this {
    try {
      fs.mkdirSync(this.real, { recursive: true });
      fs.accessSync(this.real, fs.constants.W_OK);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // mkdir -p over a file (or through one) says EEXIST or ENOTDIR: say what is in the way instead.
      if (code === 'EEXIST' || code === 'ENOTDIR') {
        const what = code === 'EEXIST' ? `${this.real} is a file` : `a folder on the way to ${this.real} is a file`;
        throw new BuildEnvironmentError(`outDir '${this.outDir}' cannot be made: ${what}, not a folder. Change "outDir" in resty-build.json or move the file.`);
      }
      throw new BuildEnvironmentError(`outDir '${this.outDir}' cannot be written: ${code ?? String(e)}. Change "outDir" in resty-build.json or its permissions.`);
    }
    // Created by us just now, or there before: either way it must still be where it was checked to be.
    const now = fs.realpathSync(this.outDir);
    if (now !== this.real) {
      throw new BuildEnvironmentError(`"outDir" (${this.shown}) changed while it was being created (it now resolves to ${now}). ${FIX}`);
    }
    return this;
  }

  /** The path of a file directly inside outDir; throws on a name that would leave it. */
  file(name: string): string {
    if (!isPlainFileName(name)) {
      throw new Error(`not a plain file name inside outDir: ${JSON.stringify(name)}`);
    }
    return path.join(this.real, name);
  }

  /** A fresh temp name for this run; other runs never delete it while this process lives. */
  tempFile(suffix = ''): string {
    return this.file(`${TEMP_PREFIX}${process.pid}-${randomBytes(6).toString('hex')}${suffix}`);
  }

  /** A regular file (not a link, not a folder) directly inside outDir, else nothing. */
  isRegularFile(name: string): boolean {
    return isPlainFileName(name) && lstatOrUndefined(this.file(name))?.isFile() === true;
  }

  /** Deletes a regular file directly inside outDir; true when one was deleted. Links and folders are left alone. */
  removeFile(name: string): boolean {
    if (!this.isRegularFile(name)) {
      return false;
    }
    fs.rmSync(this.file(name), { force: true });
    return true;
  }

  /**
   * Deletes temp files left by runs that were killed outright: their
   * process is gone. A temp file of a live process belongs to a run in
   * progress and is kept.
   */
  removeStaleTemps(): void {
    for (const name of fs.readdirSync(this.real)) {
      const m = name.startsWith(TEMP_PREFIX) ? /^(\d+)-/.exec(name.slice(TEMP_PREFIX.length)) : null;
      if (m && !processAlive(Number(m[1]))) {
        this.removeFile(name);
      }
    }
  }

  /**
   * Takes outDir for this build: one build at a time writes it. The lock
   * file is created complete (written under a temp name, then linked), so
   * another run never reads a half-written one; a lock whose process is
   * gone (killed outright) is taken over. Returns the release function.
   */
  lock(): () => void {
    const lockFile = this.file(LOCK_FILE);
    const tmp = this.tempFile('.lock');
    fs.writeFileSync(tmp, `${process.pid}\n`);
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          fs.linkSync(tmp, lockFile);
          break;
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) {
            throw new BuildEnvironmentError(`cannot lock ${this.shown} (${lockFile}): ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
          }
          const holder = this.lockHolder(lockFile);
          if (holder !== undefined && processAlive(holder)) {
            throw new BuildEnvironmentError(
              `another build (process ${holder}${holder === process.pid ? ', this one' : ''}) is writing ${this.shown}: wait for it to finish and run again (if no build is running, delete ${lockFile}).`,
            );
          }
          fs.rmSync(lockFile, { force: true });
        }
      }
    } finally {
      fs.rmSync(tmp, { force: true });
    }
    return () => {
      if (this.lockHolder(lockFile) === process.pid) {
        fs.rmSync(lockFile, { force: true });
      }
    };
  }

  private lockHolder(lockFile: string): number | undefined {
    try {
      if (lstatOrUndefined(lockFile)?.isFile() !== true) {
        return undefined;
      }
      const read = readBounded(lockFile, 64);
      const pid = 'data' in read ? Number(read.data.toString('utf8').trim()) : NaN;
      return Number.isInteger(pid) && pid > 0 ? pid : undefined;
    } catch {
      return undefined;
    }
  }
}

/** The writes the build makes itself (luajit writes the objects): injectable, so a full disk can be tested. */
export interface BuildWriter {
  writeFileSync(file: string, data: string | Buffer): void;
  renameSync(from: string, to: string): void;
}

/** The disk itself, for every build but the tests'. */
export const nodeWriter: BuildWriter = { writeFileSync: (f, d) => fs.writeFileSync(f, d), renameSync: (a, b) => fs.renameSync(a, b) };

const ERRNO_WORDS: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EIO: 'input/output error',
};

/** Writes through a temp file and a rename: a failed or interrupted write never leaves a partial file in place. */
export function writeAtomically(file: string, data: string | Buffer, writer: BuildWriter = nodeWriter): void {
  const tmp = path.join(path.dirname(file), `${TEMP_PREFIX}${process.pid}-${randomBytes(6).toString('hex')}`);
  try {
    writer.writeFileSync(tmp, data);
    writer.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw writeError(file, e);
  }
}

/** A write in outDir that failed, with the errno in words and what to do about it. */
export function writeError(file: string, e: unknown): BuildEnvironmentError {
  const code = (e as NodeJS.ErrnoException).code ?? String(e);
  return new BuildEnvironmentError(`cannot write ${file}: ${code}${ERRNO_WORDS[code] ? ` (${ERRNO_WORDS[code]})` : ''}. Free space or fix the permissions there, or change "outDir" in resty-build.json.`);
}
