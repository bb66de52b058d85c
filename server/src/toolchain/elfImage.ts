import * as fs from 'node:fs';
import { ElfSymbol, isElf, readElfSymbols } from './elf';

/**
 * A linked ELF image (an executable or a shared object) read as the
 * dynamic loader would see its data: exported symbols (.dynsym), and
 * words and strings at virtual addresses, relocations applied. That is
 * enough to read an nginx dynamic module's `ngx_modules` without loading
 * it: each module's version and signature, which `load_module` compares
 * with the binary's before anything runs.
 */

const PT_LOAD = 1;
const SHT_RELA = 4;
const SHT_REL = 9;

/** e_machine values, named as `jit.arch` names them. */
const MACHINES: Record<number, string> = { 3: 'x86', 62: 'x64', 40: 'arm', 183: 'arm64', 8: 'mips', 20: 'ppc', 21: 'ppc64', 243: 'riscv64', 22: 's390x' };

interface Segment {
  vaddr: number;
  offset: number;
  filesz: number;
}

export class ElfImage {
  readonly is64: boolean;
  readonly little: boolean;
  /** `jit.arch`'s name for the machine ("x64", "arm64"), or `machine <n>`. */
  readonly arch: string;
  private readonly view: DataView;
  private readonly segments: Segment[] = [];
  /** Relocated words by address: the value the loader stores there; read on first use. */
  private relocatedCache: Map<number, number> | undefined;
  private dynsymCache: ElfSymbol[] | undefined;

  constructor(readonly data: Uint8Array) {
    if (!isElf(data)) {
      throw new Error('not an ELF file');
    }
    this.is64 = data[4] === 2;
    this.little = data[5] === 1;
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    const machine = this.u16(0x12);
    this.arch = MACHINES[machine] ?? `machine ${machine}`;
    this.readSegments();
  }

  private check(offset: number, size: number): void {
    if (offset < 0 || offset + size > this.data.length) {
      throw new Error('truncated ELF file');
    }
  }

  private u16(o: number): number {
    this.check(o, 2);
    return this.view.getUint16(o, this.little);
  }

  private u32(o: number): number {
    this.check(o, 4);
    return this.view.getUint32(o, this.little);
  }

  private word(o: number): number {
    if (!this.is64) {
      return this.u32(o);
    }
    this.check(o, 8);
    return Number(this.view.getBigUint64(o, this.little));
  }

  private signedWord(o: number): number {
    if (!this.is64) {
      this.check(o, 4);
      return this.view.getInt32(o, this.little);
    }
    this.check(o, 8);
    return Number(this.view.getBigInt64(o, this.little));
  }

  get pointerSize(): number {
    return this.is64 ? 8 : 4;
  }

  private readSegments(): void {
    const phoff = this.word(this.is64 ? 0x20 : 0x1c);
    const phentsize = this.u16(this.is64 ? 0x36 : 0x2a);
    const phnum = this.u16(this.is64 ? 0x38 : 0x2c);
    for (let i = 0; i < phnum; i++) {
      const base = phoff + i * phentsize;
      if (this.u32(base) !== PT_LOAD) {
        continue;
      }
      this.segments.push(
        this.is64
          ? { offset: this.word(base + 8), vaddr: this.word(base + 16), filesz: this.word(base + 32) }
          : { offset: this.u32(base + 4), vaddr: this.u32(base + 8), filesz: this.u32(base + 16) },
      );
    }
  }

  private get relocated(): Map<number, number> {
    return (this.relocatedCache ??= this.readRelocations());
  }

  private readRelocations(): Map<number, number> {
    const relocated = new Map<number, number>();
    // readElfSymbols skips the null symbol 0; put it back so relocation indexes line up.
    const symbols: ElfSymbol[] = [{ name: '', binding: 0, type: 0, defined: false, size: 0, value: 0 }, ...this.dynamicSymbols()];
    const shoff = this.word(this.is64 ? 0x28 : 0x20);
    const shentsize = this.u16(this.is64 ? 0x3a : 0x2e);
    const shnum = this.u16(this.is64 ? 0x3c : 0x30);
    if (shoff === 0) {
      return relocated;
    }
    for (let i = 0; i < shnum; i++) {
      const base = shoff + i * shentsize;
      const type = this.u32(base + 4);
      if (type !== SHT_RELA && type !== SHT_REL) {
        continue;
      }
      const offset = this.word(base + (this.is64 ? 0x18 : 0x10));
      const size = this.word(base + (this.is64 ? 0x20 : 0x14));
      const entsize = this.word(base + (this.is64 ? 0x38 : 0x24)) || (type === SHT_RELA ? 3 : 2) * this.pointerSize;
      for (let at = offset; at + entsize <= offset + size; at += entsize) {
        const where = this.word(at);
        const info = this.word(at + this.pointerSize);
        const symbolIndex = this.is64 ? Math.floor(info / 2 ** 32) : info >>> 8;
        const addend = type === SHT_RELA ? this.signedWord(at + 2 * this.pointerSize) : this.storedWord(where);
        const symbolValue = symbolIndex === 0 ? 0 : (symbols[symbolIndex]?.value ?? 0);
        if (addend !== undefined) {
          relocated.set(where, symbolValue + addend);
        }
      }
    }
    return relocated;
  }

  /** The dynamic symbol table: what `nm -D` lists and what dlsym can find. */
  dynamicSymbols(): ElfSymbol[] {
    return (this.dynsymCache ??= readElfSymbols(this.data, 'dynsym'));
  }

  /** Names of the defined global and weak dynamic symbols. */
  exportedNames(): Set<string> {
    return new Set(this.dynamicSymbols().filter((s) => s.defined && (s.binding === 1 || s.binding === 2)).map((s) => s.name));
  }

  private fileOffset(vaddr: number, size: number): number | undefined {
    const seg = this.segments.find((s) => vaddr >= s.vaddr && vaddr + size <= s.vaddr + s.filesz);
    return seg ? seg.offset + (vaddr - seg.vaddr) : undefined;
  }

  private storedWord(vaddr: number): number | undefined {
    const at = this.fileOffset(vaddr, this.pointerSize);
    return at === undefined ? undefined : this.word(at);
  }

  /** The word at an address after relocation (a pointer in a shared object is 0 until relocated). */
  readWord(vaddr: number): number | undefined {
    return this.relocated.get(vaddr) ?? this.storedWord(vaddr);
  }

  /** A NUL-terminated string at an address (at most 4 KiB). */
  readString(vaddr: number): string | undefined {
    const at = this.fileOffset(vaddr, 1);
    if (at === undefined) {
      return undefined;
    }
    let end = at;
    while (end < this.data.length && end - at < 4096 && this.data[end] !== 0) {
      end++;
    }
    return Buffer.from(this.data.buffer, this.data.byteOffset + at, end - at).toString('latin1');
  }

  /** Printable strings of the whole file matching a pattern (what `strings -a | grep` finds). */
  findStrings(pattern: RegExp, minLength = 8): string[] {
    const found: string[] = [];
    let start = -1;
    for (let i = 0; i <= this.data.length; i++) {
      const c = i < this.data.length ? this.data[i] : 0;
      const printable = c >= 0x20 && c < 0x7f;
      if (printable && start < 0) {
        start = i;
      } else if (!printable && start >= 0) {
        if (i - start >= minLength) {
          const s = Buffer.from(this.data.buffer, this.data.byteOffset + start, i - start).toString('latin1');
          if (pattern.test(s)) {
            found.push(s);
          }
        }
        start = -1;
      }
    }
    return found;
  }
}

/** Nothing nginx links is this large; a bigger file is not read into memory. */
const MAX_IMAGE_BYTES = 512 * 1024 * 1024;

/** The ELF image of a regular file, or undefined when it is missing, too large or not ELF. */
export function readImage(file: string): ElfImage | undefined {
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile() || stat.size > MAX_IMAGE_BYTES) {
      return undefined;
    }
    return new ElfImage(fs.readFileSync(file));
  } catch {
    return undefined;
  }
}
