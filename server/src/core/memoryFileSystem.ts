import * as path from 'node:path';
import { DirEntry, FileSystem } from './fs';

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
