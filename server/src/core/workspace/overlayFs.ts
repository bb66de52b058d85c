import { DirEntry, FileSystem } from '../fs';

/** Open documents shadow the disk's content (but not its existence checks for other files). */
export class OverlayFileSystem implements FileSystem {
  private readonly overlays = new Map<string, string>();

  constructor(private readonly disk: FileSystem) {
    if (disk.stamp) {
      this.stamp = (file) => disk.stamp!(file);
    }
  }

  /** The disk's stamp: open documents are compared by text before stamps are looked at. */
  stamp?: (file: string) => string | undefined;

  /** The open document's text, or undefined when the file is not open. */
  openText(file: string): string | undefined {
    return this.overlays.get(file);
  }

  isOpen(file: string): boolean {
    return this.overlays.has(file);
  }

  openFiles(): IterableIterator<string> {
    return this.overlays.keys();
  }

  setText(file: string, text: string): void {
    this.overlays.set(file, text);
  }

  close(file: string): void {
    this.overlays.delete(file);
  }

  readFile(file: string): string | undefined {
    return this.overlays.get(file) ?? this.disk.readFile(file);
  }

  isFile(file: string): boolean {
    return this.disk.isFile(file);
  }

  isDirectory(dir: string): boolean {
    return this.disk.isDirectory(dir);
  }

  readDir(dir: string): DirEntry[] {
    return this.disk.readDir(dir);
  }

  realPath(dir: string): string | undefined {
    return this.disk.realPath?.(dir);
  }

  listNames(dir: string): ReadonlySet<string> | undefined {
    return this.disk.listNames?.(dir);
  }

  inputProblem(file: string): string | undefined {
    return this.overlays.has(file) ? undefined : this.disk.inputProblem?.(file);
  }
}
