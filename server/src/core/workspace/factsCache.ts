import { FileSystem } from '../fs';
import { analyzeLua, ComputedFacts, factsFromScan, LuaFileFacts } from '../lua/luaFile';
import { LineIndex } from '../types';
import { OverlayFileSystem } from './overlayFs';

/**
 * Facts of one file: from an open document (checked by its text) or from
 * disk (checked by its stamp, at most once per generation).
 */
interface CachedFacts {
  facts: LuaFileFacts;
  text?: string;
  stamp?: string;
  generation: number;
}

/**
 * The per-file facts of the workspace's Lua files, each computed once per
 * content: an open document by its text, a file on disk by its stamp (size,
 * mtime, inode), which is looked at again only after `nextGeneration`.
 */
export class FactsCache {
  private readonly byFile = new Map<string, CachedFacts>();
  /** Bumped whenever the disk may have changed: cached facts are re-checked against their stamp once. */
  private currentGeneration = 0;

  /** `fs` reads through the open documents (`overlays`), which are always checked by text. */
  constructor(
    private readonly fs: FileSystem,
    private readonly overlays: OverlayFileSystem,
  ) {}

  get generation(): number {
    return this.currentGeneration;
  }

  /** The disk may have changed: re-check each file's stamp on its next use. */
  nextGeneration(): void {
    this.currentGeneration++;
  }

  /** Whether facts of the file were computed or primed before (facts() then parses again only if it changed), or it is open. */
  isKnown(file: string): boolean {
    return this.byFile.has(file) || this.overlays.isOpen(file);
  }

  /** The facts last computed for a file, without looking at the file again. */
  cached(file: string): LuaFileFacts | undefined {
    return this.byFile.get(file)?.facts;
  }

  facts(file: string): LuaFileFacts | undefined {
    const overlay = this.overlays.openText(file);
    const cached = this.byFile.get(file);
    if (overlay !== undefined) {
      if (cached?.text === overlay) {
        return cached.facts;
      }
      const facts = analyzeLua(overlay);
      this.byFile.set(file, { facts, text: overlay, generation: this.currentGeneration });
      return facts;
    }
    const stamp = this.fs.stamp;
    if (cached?.stamp !== undefined && stamp) {
      if (cached.generation === this.currentGeneration) {
        return cached.facts;
      }
      if (stamp(file) === cached.stamp) {
        cached.generation = this.currentGeneration;
        return cached.facts;
      }
    }
    const current = stamp?.(file);
    const text = this.fs.readFile(file);
    if (text === undefined) {
      this.byFile.delete(file);
      return undefined;
    }
    if (cached?.text === text && !current) {
      return cached.facts;
    }
    const facts = analyzeLua(text);
    this.byFile.set(file, current ? { facts, stamp: current, generation: this.currentGeneration } : { facts, text, generation: this.currentGeneration });
    return facts;
  }

  /**
   * Facts computed elsewhere (a worker thread read and parsed the file) for
   * the disk content identified by `stamp`. The text is read again only if a
   * finding needs line numbers.
   */
  prime(file: string, stamp: string, computed: ComputedFacts): void {
    if (this.overlays.isOpen(file)) {
      return;
    }
    const { scan, syntax, syntax52, lines } = computed;
    const facts = factsFromScan(scan, syntax, () => this.fs.readFile(file) ?? '', lines ? new LineIndex(lines) : undefined, syntax52);
    this.byFile.set(file, { facts, stamp, generation: this.currentGeneration });
  }

  /** Forgets the files that are gone (neither on disk nor open). */
  prune(isFile: (file: string) => boolean): void {
    for (const file of [...this.byFile.keys()]) {
      if (!isFile(file) && !this.overlays.isOpen(file)) {
        this.byFile.delete(file);
      }
    }
  }
}
