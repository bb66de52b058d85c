import * as fs from 'node:fs';
import * as path from 'node:path';

/** A small, seeded PRNG (mulberry32): a failing case is reproduced from its seed. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(list: readonly T[]): T {
    return list[this.int(list.length)];
  }
}

export interface Corpus {
  lua: string[];
  conf: string[];
  manifests: string[];
}

function collect(dir: string, out: string[], test: (name: string) => boolean): void {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const full = path.join(dir, e.name);
    if (e.isDirectory() && e.name !== 'node_modules' && !e.name.startsWith('.')) {
      collect(full, out, test);
    } else if (e.isFile() && test(e.name)) {
      out.push(fs.readFileSync(full, 'utf8'));
    }
  }
}

/** Seeds: the repo's fixtures and examples, plus Debian's lua-resty-core when installed (real, larger Lua). */
export function loadCorpus(repo: string): Corpus {
  const lua: string[] = [];
  const conf: string[] = [];
  const manifests: string[] = [];
  for (const dir of [path.join(repo, 'test', 'fixtures'), path.join(repo, 'examples')]) {
    collect(dir, lua, (n) => n.endsWith('.lua'));
    collect(dir, conf, (n) => n.endsWith('.conf') || n.endsWith('.nginx'));
    collect(dir, manifests, (n) => n === 'resty-build.json');
  }
  collect('/usr/share/lua/5.1/resty', lua, (n) => n.endsWith('.lua'));
  return { lua, conf, manifests };
}

const TOKENS = [
  'require', 'require "', 'require(', '("', '")', 'pcall(require, ', 'local', 'function', 'end', 'if', 'then', 'do', 'repeat', 'until',
  '(', ')', '{', '}', '[', ']', '[[', ']]', '[==[', ']==]', '--[[', '--', '"', "'", '\\', '\\z', '\\u{', '\\x', '..', '...', '//', '<<',
  '&', '~', '<const>', '::lbl::', 'goto', '0b101', '0x1p4', '1ULL', '12i', '\n', '\r\n', '\r', '\t', '\0', '\uFEFF', '\uD800', '\uFFFD',
  'ffi.load("x")', 'bk.image(', 'ngx.say(', '=', ',', ';', ':', '#', '#!', '$prefix', 'lua_package_path "', 'content_by_lua_block {',
];

const NEST = [
  ['(', ')'],
  ['{', '}'],
  ['function() ', ' end'],
  ['do ', ' end'],
  ['if x then ', ' end'],
  ['[', ']'],
  ['f(', ')'],
  ['-(', ')'],
];

function randomChars(rng: Rng, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) {
    const r = rng.next();
    // Mostly ASCII; some control bytes, lone surrogates, non-BMP and U+FFFD (what invalid UTF-8 decodes to).
    s += r < 0.7 ? String.fromCharCode(32 + rng.int(95)) : r < 0.8 ? String.fromCharCode(rng.int(32)) : r < 0.9 ? String.fromCharCode(0xd800 + rng.int(0x800)) : r < 0.95 ? '\u{1F600}' : '\uFFFD';
  }
  return s;
}

/** Bytes decoded as UTF-8 the way the server reads files: invalid sequences become U+FFFD. */
function binary(rng: Rng, n: number): string {
  const bytes = Buffer.alloc(n);
  for (let i = 0; i < n; i++) {
    bytes[i] = rng.int(256);
  }
  return bytes.toString('utf8');
}

export type MutationKind =
  | 'as-is' | 'truncate' | 'flip' | 'insert-token' | 'delete-range' | 'duplicate-range' | 'unbalanced' | 'huge-literal' | 'deep-nesting'
  | 'bom' | 'crlf' | 'shebang' | 'empty' | 'binary' | 'splice' | 'many-requires' | 'long-line';

/** The mutation for a case; rare expensive ones (deep nesting, huge literals) keep the bulk fast. */
export function chooseKind(rng: Rng): MutationKind {
  const r = rng.next();
  if (r < 0.003) {
    return 'deep-nesting';
  }
  if (r < 0.005) {
    return 'huge-literal';
  }
  if (r < 0.006) {
    return 'many-requires';
  }
  if (r < 0.007) {
    return 'long-line';
  }
  return rng.pick<MutationKind>(['as-is', 'truncate', 'flip', 'flip', 'insert-token', 'insert-token', 'delete-range', 'duplicate-range', 'unbalanced', 'bom', 'crlf', 'shebang', 'empty', 'binary', 'splice']);
}

export function mutate(rng: Rng, text: string, kind: MutationKind, other: string): string {
  const at = () => rng.int(text.length + 1);
  switch (kind) {
    case 'as-is':
      return text;
    case 'truncate':
      return text.slice(0, at());
    case 'flip': {
      let out = text;
      for (let k = 1 + rng.int(8); k > 0 && out.length > 0; k--) {
        const i = rng.int(out.length);
        out = out.slice(0, i) + randomChars(rng, 1) + out.slice(i + 1);
      }
      return out;
    }
    case 'insert-token': {
      let out = text;
      for (let k = 1 + rng.int(6); k > 0; k--) {
        const i = rng.int(out.length + 1);
        out = out.slice(0, i) + rng.pick(TOKENS) + out.slice(i);
      }
      return out;
    }
    case 'delete-range': {
      const i = at();
      return text.slice(0, i) + text.slice(i + rng.int(200));
    }
    case 'duplicate-range': {
      const i = at();
      const piece = text.slice(i, i + rng.int(400));
      return text.slice(0, i) + piece.repeat(1 + rng.int(20)) + text.slice(i);
    }
    case 'unbalanced': {
      const i = at();
      const open = rng.pick(['(', '{', '[', '[[', '--[[', '"', 'function', 'do', ')', '}', ']', ']]', 'end']);
      return text.slice(0, i) + open.repeat(1 + rng.int(50)) + text.slice(i);
    }
    case 'huge-literal': {
      const size = 10_000 + rng.int(200_000);
      const body = rng.next() < 0.5 ? 'x'.repeat(size) : randomChars(rng, Math.min(size, 20_000));
      const lit = rng.pick([`"${body}"`, `[[${body}]]`, `--[[${body}]]`, `${'9'.repeat(size)}`, `"${body}`, `0x${'f'.repeat(size)}`]);
      const i = at();
      return text.slice(0, i) + ` local s = ${lit} ` + text.slice(i);
    }
    case 'deep-nesting': {
      const depth = rng.pick([150, 250, 1000, 3000, 10_000, 30_000]);
      const [open, close] = rng.pick(NEST);
      const inner = `${open.repeat(depth)}1${rng.next() < 0.8 ? close.repeat(depth) : ''}`;
      return `local x = ${inner}\n` + text;
    }
    case 'bom':
      return '\uFEFF' + text;
    case 'crlf':
      return text.replace(/\n/g, rng.next() < 0.5 ? '\r\n' : '\r');
    case 'shebang':
      return rng.pick(['#!/usr/bin/env luajit\n', '#!', '\uFEFF#!/usr/bin/luajit\r\n', '# comment line\n']) + text;
    case 'empty':
      return rng.pick(['', '\n', ' ', '\uFEFF', '\r\n\r\n', '--', '#!']);
    case 'binary':
      return rng.next() < 0.5 ? binary(rng, 1 + rng.int(4000)) : text.slice(0, at()) + binary(rng, 1 + rng.int(200)) + text.slice(at());
    case 'splice': {
      const i = at();
      return text.slice(0, i) + other.slice(rng.int(other.length + 1));
    }
    case 'many-requires': {
      const unit = rng.pick(['require(', 'require "a.b"\n', 'pcall(require, "x", ', 'local r = require; r "y"\n', 'require [[z]] ']);
      return unit.repeat(2_000 + rng.int(20_000));
    }
    case 'long-line':
      return text.replace(/\s*\n\s*/g, ' ').repeat(1 + rng.int(200));
  }
}
