import * as path from 'node:path';
import { Token, tokenize } from '../lua/luaLexer';
import { FileSystem } from '../fs';

/** A rockspec's `build.modules`: module name -> Lua file (relative), and the names of its C modules. */
export interface RockspecModules {
  /** The rockspec, absolute. */
  file: string;
  lua: Map<string, string>;
  native: string[];
}

/** A value of a Lua table constructor made of strings and tables only; anything else is `undefined`. */
type LuaValue = string | LuaTable | undefined;
interface LuaTable {
  fields: Map<string, LuaValue>;
  items: LuaValue[];
}

/** Reads the table constructor starting at tokens[i] ('{'); returns it and the index after its '}'. */
function readTable(tokens: Token[], i: number): [LuaTable, number] {
  const table: LuaTable = { fields: new Map(), items: [] };
  i++;
  while (i < tokens.length && !(tokens[i].kind === 'punct' && tokens[i].value === '}') && tokens[i].kind !== 'eof') {
    let key: string | undefined;
    if (tokens[i].kind === 'punct' && tokens[i].value === '[' && tokens[i + 1]?.kind === 'string' && tokens[i + 2]?.value === ']' && tokens[i + 3]?.value === '=') {
      key = tokens[i + 1].value;
      i += 4;
    } else if (tokens[i].kind === 'name' && tokens[i + 1]?.kind === 'punct' && tokens[i + 1].value === '=') {
      key = tokens[i].value;
      i += 2;
    }
    let value: LuaValue;
    [value, i] = readValue(tokens, i);
    if (key !== undefined) {
      table.fields.set(key, value);
    } else {
      table.items.push(value);
    }
    if (tokens[i]?.kind === 'punct' && (tokens[i].value === ',' || tokens[i].value === ';')) {
      i++;
    }
  }
  return [table, i + 1];
}

/** A string or table value at tokens[i]; any other expression is skipped to the next `,`/`;`/`}` at its level. */
function readValue(tokens: Token[], i: number): [LuaValue, number] {
  const t = tokens[i];
  const next = tokens[i + 1];
  const ends = (tok: Token | undefined) => !tok || tok.kind === 'eof' || (tok.kind === 'punct' && [',', ';', '}'].includes(tok.value));
  if (t?.kind === 'string' && ends(next)) {
    return [t.value, i + 1];
  }
  if (t?.kind === 'punct' && t.value === '{') {
    return readTable(tokens, i);
  }
  let depth = 0;
  while (i < tokens.length && tokens[i].kind !== 'eof') {
    const v = tokens[i].kind === 'punct' ? tokens[i].value : '';
    if (depth === 0 && [',', ';', '}'].includes(v)) {
      break;
    }
    depth += v === '{' || v === '(' || v === '[' ? 1 : v === '}' || v === ')' || v === ']' ? -1 : 0;
    i++;
  }
  return [undefined, i];
}

/** The table assigned to `name` at the rockspec's top (`name = { … }`, not a field `x.name`). */
function assignedTable(tokens: Token[], name: string): LuaTable | undefined {
  for (let i = 0; i + 2 < tokens.length; i++) {
    if (tokens[i].kind === 'name' && tokens[i].value === name && tokens[i + 1].value === '=' && tokens[i + 2].value === '{' && (i === 0 || tokens[i - 1].value !== '.')) {
      return readTable(tokens, i + 2)[0];
    }
  }
  return undefined;
}

/**
 * `build = { modules = { ["x.y"] = "lib/x/y.lua", ["x.c"] = { sources = … } } }`
 * of a rockspec (a Lua file of assignments), read without running it.
 * Undefined when it has no such table.
 */
export function readRockspecModules(file: string, text: string): RockspecModules | undefined {
  const modules = assignedTable(tokenize(text), 'build')?.fields.get('modules');
  if (typeof modules !== 'object' || modules === undefined) {
    return undefined;
  }
  const lua = new Map<string, string>();
  const native: string[] = [];
  for (const [name, value] of modules.fields) {
    if (typeof value === 'string' && value.endsWith('.lua')) {
      lua.set(name, value);
    } else {
      native.push(name);
    }
  }
  return { file, lua, native };
}

/**
 * The rocks of a rockspec's `dependencies = { "penlight >= 1.5", … }`, by
 * name, lowercase (LuaRocks compares names case-insensitively); `lua` and
 * `luajit` are the interpreter, not rocks.
 */
export function readRockspecDependencies(text: string): string[] {
  const out: string[] = [];
  for (const item of assignedTable(tokenize(text), 'dependencies')?.items ?? []) {
    const name = typeof item === 'string' ? /^\s*([A-Za-z0-9_.-]+)/.exec(item)?.[1]?.toLowerCase() : undefined;
    if (name && name !== 'lua' && name !== 'luajit') {
      out.push(name);
    }
  }
  return out;
}

/** `x-1.2-1` -> [1, 2, 1]; scm and dev versions sort above every number. */
function versionKey(file: string): number[] {
  const base = path.basename(file, '.rockspec');
  if (/-(scm|dev)-\d+$/.test(base)) {
    return [Infinity];
  }
  return (/-([\d.]+)-(\d+)$/.exec(base)?.slice(1).join('.') ?? '').split('.').map(Number).filter((n) => !Number.isNaN(n));
}

function compareVersions(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? -1) - (b[i] ?? -1);
    if (d !== 0) {
      return d;
    }
  }
  return 0;
}

/**
 * The rockspec a project is built from: one in its folder, else in
 * `rockspec/` or `rockspecs/`; of several, the scm/dev one, else the newest
 * version. Undefined when there is none with a `build.modules` table.
 */
export function findRockspec(fs: FileSystem, root: string): RockspecModules | undefined {
  for (const dir of [root, path.join(root, 'rockspec'), path.join(root, 'rockspecs')]) {
    const files = fs
      .readDir(dir)
      .filter((e) => e.kind === 'file' && e.name.endsWith('.rockspec'))
      .map((e) => path.join(dir, e.name))
      .sort((a, b) => compareVersions(versionKey(b), versionKey(a)));
    for (const file of files) {
      const text = fs.readFile(file);
      const modules = text !== undefined ? readRockspecModules(file, text) : undefined;
      if (modules && modules.lua.size > 0) {
        return modules;
      }
    }
  }
  return undefined;
}
