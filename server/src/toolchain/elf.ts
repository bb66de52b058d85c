/**
 * A small ELF reader: just enough of the symbol tables to check that an
 * object file defines the `luaJIT_BC_<name>` symbol (.symtab), or that a
 * linked nginx exports it (.dynsym, what `nm -D` lists), without depending
 * on `nm` being installed. Handles ELF32 and ELF64, either byte order.
 */

export interface ElfSymbol {
  name: string;
  /** STB_LOCAL 0, STB_GLOBAL 1, STB_WEAK 2. */
  binding: number;
  /** STT_NOTYPE 0, STT_OBJECT 1, STT_FUNC 2, … */
  type: number;
  /** False for undefined references (section index 0). */
  defined: boolean;
  size: number;
  /** st_value: the address in a linked image. */
  value: number;
}

const SHT_SYMTAB = 2;
const SHT_DYNSYM = 11;

export function isElf(buf: Uint8Array): boolean {
  return buf.length >= 16 && buf[0] === 0x7f && buf[1] === 0x45 && buf[2] === 0x4c && buf[3] === 0x46;
}

/** Reads every symbol of the .symtab (or .dynsym) section; throws on a truncated or malformed file. */
export function readElfSymbols(buf: Uint8Array, table: 'symtab' | 'dynsym' = 'symtab'): ElfSymbol[] {
  const wanted = table === 'dynsym' ? SHT_DYNSYM : SHT_SYMTAB;
  if (!isElf(buf)) {
    throw new Error('not an ELF file');
  }
  const is64 = buf[4] === 2;
  const little = buf[5] === 1;
  if ((buf[4] !== 1 && buf[4] !== 2) || (buf[5] !== 1 && buf[5] !== 2)) {
    throw new Error('unknown ELF class or byte order');
  }
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const check = (offset: number, size: number) => {
    if (offset < 0 || offset + size > buf.length) {
      throw new Error('truncated ELF file');
    }
  };
  const u16 = (o: number) => (check(o, 2), view.getUint16(o, little));
  const u32 = (o: number) => (check(o, 4), view.getUint32(o, little));
  const addr = (o: number) => (is64 ? (check(o, 8), Number(view.getBigUint64(o, little))) : u32(o));

  const shoff = addr(is64 ? 0x28 : 0x20);
  const shentsize = u16(is64 ? 0x3a : 0x2e);
  let shnum = u16(is64 ? 0x3c : 0x30);
  if (shoff === 0) {
    return [];
  }
  if (shnum === 0) {
    // More than 0xff00 sections: the real count is in section 0's sh_size.
    shnum = addr(shoff + (is64 ? 0x20 : 0x14));
  }
  const section = (i: number) => {
    const base = shoff + i * shentsize;
    return {
      type: u32(base + 4),
      offset: addr(base + (is64 ? 0x18 : 0x10)),
      size: addr(base + (is64 ? 0x20 : 0x14)),
      link: u32(base + (is64 ? 0x28 : 0x18)),
      entsize: addr(base + (is64 ? 0x38 : 0x24)),
    };
  };
  const symbols: ElfSymbol[] = [];
  for (let i = 0; i < shnum; i++) {
    const symtab = section(i);
    if (symtab.type !== wanted) {
      continue;
    }
    const strtab = section(symtab.link);
    check(strtab.offset, strtab.size);
    const entsize = symtab.entsize || (is64 ? 24 : 16);
    const count = Math.floor(symtab.size / entsize);
    for (let j = 1; j < count; j++) {
      const base = symtab.offset + j * entsize;
      const nameOffset = u32(base);
      const info = buf[is64 ? base + 4 : base + 12];
      const shndx = u16(is64 ? base + 6 : base + 14);
      const size = is64 ? addr(base + 16) : u32(base + 8);
      const value = is64 ? addr(base + 8) : u32(base + 4);
      symbols.push({ name: cString(buf, strtab.offset + nameOffset, strtab.offset + strtab.size), binding: info >> 4, type: info & 0xf, defined: shndx !== 0, size, value });
    }
  }
  return symbols;
}

function cString(buf: Uint8Array, start: number, limit: number): string {
  let end = start;
  while (end < limit && buf[end] !== 0) {
    end++;
  }
  return Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('latin1');
}

/** Names of the global (or weak) symbols an object defines: what a linker can resolve against. */
export function exportedSymbols(buf: Uint8Array): string[] {
  return readElfSymbols(buf)
    .filter((s) => s.defined && (s.binding === 1 || s.binding === 2))
    .map((s) => s.name);
}
