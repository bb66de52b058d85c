import * as path from 'node:path';
import { isName, isPunct, Token } from '../lua/luaLexer';
import { LuaFileFacts } from '../lua/luaFile';
import { exportsOf, tokensOf } from './luaViews';
import { moduleNameOf } from './moduleCatalog';
import { Range } from '../types';
import type { Workspace } from '../workspace/workspace';

export type OutlineKind = 'module' | 'function' | 'method' | 'field' | 'variable';

export interface OutlineSymbol {
  name: string;
  kind: OutlineKind;
  detail?: string;
  /** The whole definition (a function up to its `end`), and the name. */
  range: Range;
  selectionRange: Range;
  children?: OutlineSymbol[];
}

const OPENERS = new Set(['function', 'do', 'if', 'repeat']);

/** Parameters `(a, b)` after token index `open`, as written. */
function paramsAt(tokens: Token[], open: number): string {
  if (!isPunct(tokens[open], '(')) {
    return '';
  }
  const names: string[] = [];
  for (let i = open + 1; i < tokens.length && !isPunct(tokens[i], ')') && tokens[i].kind !== 'eof'; i++) {
    if (tokens[i].kind === 'name' || isPunct(tokens[i], '...')) {
      names.push(tokens[i].value);
    }
  }
  return `(${names.join(', ')})`;
}

/**
 * The outline of a Lua file: top-level locals and functions, with the
 * module table's members (what the file returns) nested under the table.
 * Token-based, so a file with a syntax error still has an outline.
 */
export function documentSymbols(text: string, facts: LuaFileFacts): OutlineSymbol[] {
  const tokens = tokensOf({ text, facts });
  const exports = exportsOf(text, facts);
  const r = (s: number, e: number) => facts.lines.range(s, e);
  const out: OutlineSymbol[] = [];
  const tableMembers: OutlineSymbol[] = [];
  let table: OutlineSymbol | undefined;
  const functionEnds: { symbol: OutlineSymbol; start: number; depth: number }[] = [];
  let depth = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind !== 'name') {
      continue;
    }
    if (t.value === 'end' || t.value === 'until') {
      depth = Math.max(0, depth - 1);
      const open = functionEnds.at(-1);
      if (open && open.depth === depth) {
        functionEnds.pop();
        open.symbol.range = r(open.start, t.end);
      }
      continue;
    }
    if (depth === 0 && t.value === 'local' && isName(tokens[i + 1], 'function') && isName(tokens[i + 2])) {
      const name = tokens[i + 2];
      const symbol: OutlineSymbol = { name: name.value, kind: 'function', detail: paramsAt(tokens, i + 3), range: r(t.start, name.end), selectionRange: r(name.start, name.end) };
      out.push(symbol);
      functionEnds.push({ symbol, start: t.start, depth: 0 });
      depth++;
      i += 2;
      continue;
    }
    if (depth === 0 && t.value === 'local') {
      for (let j = i + 1; isName(tokens[j]); j += 2) {
        const name = tokens[j];
        const symbol: OutlineSymbol = { name: name.value, kind: name.value === exports.tableName ? 'module' : 'variable', range: r(name.start, name.end), selectionRange: r(name.start, name.end) };
        if (name.value === exports.tableName && !table) {
          table = symbol;
        }
        out.push(symbol);
        if (!isPunct(tokens[j + 1], ',')) {
          break;
        }
      }
      continue;
    }
    if (t.value === 'function') {
      if (depth === 0 && isName(tokens[i + 1])) {
        // `function name(`, `function A.b(`, `function A:b(`
        let j = i + 1;
        const parts: Token[] = [tokens[j]];
        while ((isPunct(tokens[j + 1], '.') || isPunct(tokens[j + 1], ':')) && isName(tokens[j + 2])) {
          parts.push(tokens[j + 1], tokens[j + 2]);
          j += 2;
        }
        const last = parts[parts.length - 1];
        const member = parts.length === 3 && parts[0].value === exports.tableName;
        const method = parts.length > 1 && parts[parts.length - 2].value === ':';
        const symbol: OutlineSymbol = {
          name: member ? last.value : parts.map((p) => p.value).join(''),
          kind: method ? 'method' : 'function',
          detail: paramsAt(tokens, j + 1),
          range: r(t.start, last.end),
          selectionRange: r(last.start, last.end),
        };
        (member ? tableMembers : out).push(symbol);
        functionEnds.push({ symbol, start: t.start, depth: 0 });
      }
      depth++;
      continue;
    }
    if (OPENERS.has(t.value)) {
      depth++;
    }
  }
  // Members defined other ways (table fields, `M.x = …`) come from the exports.
  const listed = new Set(tableMembers.map((m) => m.name));
  for (const m of exports.members) {
    if (!listed.has(m.name)) {
      tableMembers.push({
        name: m.name,
        kind: m.kind === 'function' ? (m.method ? 'method' : 'function') : 'field',
        detail: m.params ? `(${m.params.join(', ')})` : undefined,
        range: r(m.nameStart, m.nameEnd),
        selectionRange: r(m.nameStart, m.nameEnd),
      });
    }
  }
  tableMembers.sort((a, b) => a.selectionRange.start.line - b.selectionRange.start.line || a.selectionRange.start.character - b.selectionRange.start.character);
  if (table) {
    table.children = tableMembers;
  } else {
    out.push(...tableMembers);
  }
  return out;
}

export interface WorkspaceSymbol {
  name: string;
  kind: 'module' | 'function' | 'method';
  /** The module a function belongs to. */
  container?: string;
  file: string;
  range: Range;
}

/** Case-insensitive subsequence match: `gob` matches `go.build`. */
export function fuzzyMatch(query: string, candidate: string): boolean {
  const q = query.toLowerCase();
  const c = candidate.toLowerCase();
  if (c.includes(q)) {
    return true;
  }
  let k = 0;
  for (let i = 0; i < c.length && k < q.length; i++) {
    if (c[i] === q[k]) {
      k++;
    }
  }
  return k === q.length;
}

/** Modules and their exported functions, matching `query`, at most `limit` of them (substring matches first). */
export function workspaceSymbols(workspace: Workspace, query: string, limit = 500): WorkspaceSymbol[] {
  const exact: WorkspaceSymbol[] = [];
  const fuzzy: WorkspaceSymbol[] = [];
  const q = query.trim().toLowerCase();
  const consider = (s: WorkspaceSymbol, text: string) => {
    if (q === '' || text.toLowerCase().includes(q)) {
      exact.push(s);
    } else if (fuzzyMatch(q, text)) {
      fuzzy.push(s);
    }
  };
  for (const file of workspace.files()) {
    if (exact.length >= limit) {
      break;
    }
    const project = workspace.projectFor(file);
    const moduleName = moduleNameOf(project, file)?.name ?? path.basename(file, '.lua');
    const text = workspace.readText(file);
    const facts = text !== undefined ? workspace.facts(file) : undefined;
    if (text === undefined || !facts) {
      continue;
    }
    consider({ name: moduleName, kind: 'module', file, range: facts.lines.range(0, 0) }, moduleName);
    for (const m of exportsOf(text, facts).members) {
      if (m.kind === 'function') {
        consider({ name: m.name, kind: m.method ? 'method' : 'function', container: moduleName, file, range: facts.lines.range(m.nameStart, m.nameEnd) }, `${moduleName}.${m.name}`);
      }
    }
  }
  return [...exact, ...fuzzy].slice(0, limit);
}
