import * as path from 'node:path';
import { Kind, Scanner } from '../lua/scanner';

/** nginx configurations resty-build reads Lua from even when no manifest names them. */
export function isNginxConfFile(file: string): boolean {
  const base = path.basename(file);
  return base === 'nginx.conf' || base.endsWith('.nginx') || (base.endsWith('.conf') && path.basename(path.dirname(file)) === 'conf');
}

export interface ConfArg {
  value: string;
  start: number;
  end: number;
}

export interface ConfDirective {
  name: string;
  args: ConfArg[];
  start: number;
  end: number;
}

/** Lua code inside an nginx configuration, located by offsets into the conf text. */
export interface ConfLuaChunk {
  directive: string;
  kind: 'block' | 'inline';
  /** The Lua text; offsets inside it plus `offset` are offsets in the conf. */
  text: string;
  offset: number;
}

export interface ConfLuaFile {
  directive: string;
  path: ConfArg;
}

export interface NginxConf {
  directives: ConfDirective[];
  chunks: ConfLuaChunk[];
  files: ConfLuaFile[];
}

function isSpace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r';
}

/** The offset of the `}` closing a `*_by_lua_block {`, skipping Lua strings and comments. */
function luaBlockEnd(text: string, bodyStart: number): number {
  // Scans from the body on and stops at its brace: no copy of the rest of the conf, no tokens kept.
  const s = new Scanner(text, bodyStart);
  let depth = 0;
  while (s.next() !== Kind.Eof) {
    if (s.isPunct(123)) {
      depth++;
    } else if (s.isPunct(125)) {
      if (depth === 0) {
        return s.start;
      }
      depth--;
    }
  }
  return text.length;
}

/**
 * Reads the parts of an nginx configuration resty-build needs: every
 * directive with its arguments, and the Lua inside `*_by_lua_block { }`,
 * `*_by_lua '…'` and `*_by_lua_file`. Never throws on broken input.
 */
export function parseNginxConf(text: string): NginxConf {
  const directives: ConfDirective[] = [];
  const chunks: ConfLuaChunk[] = [];
  const files: ConfLuaFile[] = [];
  let i = 0;
  const n = text.length;
  let words: ConfArg[] = [];

  const finish = (end: number) => {
    if (words.length > 0) {
      const [name, ...args] = words;
      directives.push({ name: name.value, args, start: name.start, end });
      if (/_by_lua$/.test(name.value) && args.length > 0) {
        const code = args[args.length - 1];
        const quoted = text[code.start] === '"' || text[code.start] === "'";
        chunks.push({ directive: name.value, kind: 'inline', text: text.slice(code.start + (quoted ? 1 : 0), code.end - (quoted ? 1 : 0)), offset: code.start + (quoted ? 1 : 0) });
      } else if (/_by_lua_file$/.test(name.value) && args.length > 0) {
        files.push({ directive: name.value, path: args[args.length - 1] });
      }
    }
    words = [];
  };

  while (i < n) {
    const c = text[i];
    if (isSpace(c)) {
      i++;
    } else if (c === '#') {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? n : nl + 1;
    } else if (c === ';') {
      finish(i + 1);
      i++;
    } else if (c === '{') {
      const name = words[0]?.value ?? '';
      if (/_by_lua_block$/.test(name)) {
        const end = luaBlockEnd(text, i + 1);
        chunks.push({ directive: name, kind: 'block', text: text.slice(i + 1, end), offset: i + 1 });
        finish(Math.min(end + 1, n));
        i = end + 1;
      } else {
        finish(i + 1);
        i++;
      }
    } else if (c === '}') {
      finish(i);
      i++;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      let value = '';
      while (j < n && text[j] !== c) {
        if (text[j] === '\\' && j + 1 < n) {
          value += text[j + 1];
          j += 2;
        } else {
          value += text[j++];
        }
      }
      words.push({ value, start: i, end: Math.min(j + 1, n) });
      i = j + 1;
    } else {
      let j = i;
      while (j < n && !isSpace(text[j]) && text[j] !== ';' && text[j] !== '{' && text[j] !== '}') {
        j++;
      }
      words.push({ value: text.slice(i, j), start: i, end: j });
      i = j;
    }
  }
  finish(n);
  return { directives, chunks, files };
}
