import * as luaparse from 'luaparse';
import type { Chunk, Expression, FunctionDeclaration, Statement, TableConstructorExpression } from 'luaparse';
import { isLuaKeyword } from '../lua/keywords';
import { bracketStep, isName, isPunct, Token } from '../lua/luaLexer';
import { luaparseOptions, PARSE_SIZE_LIMIT, PLAIN_LUAJIT, prepareForLuaparse } from '../lua/luaFile';

/** One member of what a module returns: `M.f`, `function M:m()`, a key of the returned table. */
export interface ExportedMember {
  name: string;
  kind: 'function' | 'field';
  /** Offsets of the member's name where it is defined. */
  nameStart: number;
  nameEnd: number;
  /** Offset of the statement (or table field) that defines it: doc comments sit right above it. */
  declStart: number;
  /** Functions: parameter names as written (`...` included); a method's implicit `self` is not listed. */
  params?: string[];
  /** Defined with `:`, so callers write `m:name()`. */
  method?: boolean;
  /**
   * Where the assigned expression is, when it may be a reference to follow
   * (`json = require "m.json"`, `_M.load = import.load`, `x = x`): `end` when
   * known (a parsed file), and the offset its names are looked up before.
   */
  value?: { start: number; end?: number; lookup: number };
  /** Assigned again at top level: which definition holds depends on the order, so the value is not followed. */
  redefined?: boolean;
}

export interface ModuleExports {
  /** The local that holds the module table (`M`, `_M`), when there is one. */
  tableName?: string;
  members: ExportedMember[];
  /** 'ast' when luaparse parsed the file; 'tokens' for the fallback scan of a broken file. */
  source: 'ast' | 'tokens';
}

/** The member named `name`, or undefined. */
export function findMember(exports: ModuleExports, name: string): ExportedMember | undefined {
  return exports.members.find((m) => m.name === name);
}

/** `name(a, b)` / `:name(a)`, prefixed with the qualifier the caller uses (`go.build(a, b)`). */
export function memberSignature(member: ExportedMember, qualifier?: string): string {
  const head = qualifier ? `${qualifier}${member.method ? ':' : '.'}${member.name}` : member.name;
  return member.kind === 'function' ? `${head}(${(member.params ?? []).join(', ')})` : head;
}

type Ranged = { range?: [number, number] };
const rangeOf = (node: object): [number, number] => (node as Ranged).range ?? [0, 0];

function paramNames(fn: FunctionDeclaration): string[] {
  return fn.parameters.map((p) => (p.type === 'Identifier' ? p.name : '...'));
}

/**
 * What a module returns, from luaparse's AST when the text parses and from
 * tokens when it does not (half-typed code still navigates). Understands
 * `local M = {} … function M.f() … return M`, `M.x = …`, `function M:m()`,
 * `return { f = function() end, g = g }`, `return setmetatable(M, …)` and
 * `local _M = { _VERSION = … }`.
 */
export function analyzeExports(text: string, tokens: Token[]): ModuleExports {
  let chunk: Chunk | undefined;
  // A file over the parse limit is scanned by tokens only, as analyzeLua does. Valid for either
  // LuaJIT (plain or 5.2-compatible) is good enough to read the exports.
  for (const dialect of text.length > PARSE_SIZE_LIMIT ? [] : [PLAIN_LUAJIT, { lua52compat: true }]) {
    try {
      chunk = luaparse.parse(prepareForLuaparse(text, tokens, dialect), { ...luaparseOptions(dialect), locations: false, ranges: true, comments: false, scope: false });
      break;
    } catch {
      chunk = undefined;
    }
  }
  return chunk ? exportsFromAst(chunk) : exportsFromTokens(tokens);
}

/** Members in order of definition; the first definition of a name wins and is marked when another follows. */
function memberList(): { members: ExportedMember[]; add: (m: ExportedMember) => void } {
  const members: ExportedMember[] = [];
  const seen = new Map<string, ExportedMember>();
  return {
    members,
    add: (m) => {
      const first = seen.get(m.name);
      if (first) {
        first.redefined = true;
      } else {
        seen.set(m.name, m);
        members.push(m);
      }
    },
  };
}

/** Expressions that may read another module's value: a name, a field, an index, a call (`require "m"`). */
const REFERENCE_TYPES = new Set(['Identifier', 'MemberExpression', 'IndexExpression', 'CallExpression', 'StringCallExpression']);

function exportsFromAst(chunk: Chunk): ModuleExports {
  const { members, add } = memberList();
  // Local functions by name, so `return { g = g }` and `M.g = g` can point at `local function g`.
  const localFunctions = new Map<string, { fn: FunctionDeclaration; nameRange: [number, number]; declStart: number }>();
  const statements = flattenTopLevel(chunk.body);
  for (const s of statements) {
    if (s.type === 'FunctionDeclaration' && s.isLocal && s.identifier?.type === 'Identifier') {
      localFunctions.set(s.identifier.name, { fn: s, nameRange: rangeOf(s.identifier), declStart: rangeOf(s)[0] });
    } else if (s.type === 'LocalStatement') {
      s.variables.forEach((v, i) => {
        const init = s.init[i];
        if (init?.type === 'FunctionDeclaration') {
          localFunctions.set(v.name, { fn: init, nameRange: rangeOf(v), declStart: rangeOf(s)[0] });
        }
      });
    }
  }

  const fromValue = (name: string, nameRange: [number, number], declStart: number, value: Expression | undefined): ExportedMember => {
    if (value?.type === 'FunctionDeclaration') {
      return { name, kind: 'function', nameStart: nameRange[0], nameEnd: nameRange[1], declStart, params: paramNames(value) };
    }
    if (value?.type === 'Identifier') {
      const local = localFunctions.get(value.name);
      if (local) {
        // `g = g`: the definition (and its doc comment) is the local function's.
        return { name, kind: 'function', nameStart: local.nameRange[0], nameEnd: local.nameRange[1], declStart: local.declStart, params: paramNames(local.fn) };
      }
    }
    const member: ExportedMember = { name, kind: 'field', nameStart: nameRange[0], nameEnd: nameRange[1], declStart };
    if (value && REFERENCE_TYPES.has(value.type)) {
      const [start, end] = rangeOf(value);
      member.value = { start, end, lookup: declStart };
    }
    return member;
  };
  const addTableFields = (table: TableConstructorExpression) => {
    for (const field of table.fields) {
      if (field.type === 'TableKeyString') {
        add(fromValue(field.key.name, rangeOf(field.key), rangeOf(field)[0], field.value));
      } else if (field.type === 'TableKey' && field.key.type === 'StringLiteral') {
        const key = field.key as { raw: string; value: string | null };
        const name = key.value ?? key.raw.slice(1, -1);
        add(fromValue(name, rangeOf(field.key), rangeOf(field)[0], field.value));
      }
    }
  };

  const last = chunk.body.at(-1);
  const returned = last?.type === 'ReturnStatement' ? last.arguments[0] : undefined;
  let tableName: string | undefined;
  let target = returned;
  if (target?.type === 'CallExpression' && target.base.type === 'Identifier' && target.base.name === 'setmetatable') {
    target = target.arguments[0];
  }
  if (target?.type === 'Identifier') {
    tableName = target.name;
  } else if (target?.type === 'TableConstructorExpression') {
    addTableFields(target);
  } else if (!returned) {
    tableName = guessTableName(statements);
  }

  if (tableName !== undefined) {
    for (const s of statements) {
      if (s.type === 'LocalStatement' || s.type === 'AssignmentStatement') {
        s.variables.forEach((v, i) => {
          const init = s.init[i];
          if (v.type === 'Identifier' && v.name === tableName) {
            if (init?.type === 'TableConstructorExpression') {
              addTableFields(init);
            } else if (init?.type === 'CallExpression' && init.base.type === 'Identifier' && init.base.name === 'setmetatable' && init.arguments[0]?.type === 'TableConstructorExpression') {
              addTableFields(init.arguments[0]);
            }
          } else if (v.type === 'MemberExpression' && v.base.type === 'Identifier' && v.base.name === tableName) {
            add(fromValue(v.identifier.name, rangeOf(v.identifier), rangeOf(s)[0], init));
          }
        });
      } else if (s.type === 'FunctionDeclaration' && s.identifier?.type === 'MemberExpression') {
        const id = s.identifier;
        if (id.base.type === 'Identifier' && id.base.name === tableName) {
          add({
            name: id.identifier.name,
            kind: 'function',
            nameStart: rangeOf(id.identifier)[0],
            nameEnd: rangeOf(id.identifier)[1],
            declStart: rangeOf(s)[0],
            params: paramNames(s),
            method: id.indexer === ':' || undefined,
          });
        }
      }
    }
  }
  return { tableName, members, source: 'ast' };
}

/** Top-level statements, plus those inside top-level `do … end` blocks (a common way to scope helpers). */
function flattenTopLevel(body: Statement[]): Statement[] {
  const out: Statement[] = [];
  for (const s of body) {
    out.push(s);
    if (s.type === 'DoStatement') {
      out.push(...flattenTopLevel(s.body));
    }
  }
  return out;
}

/** No `return` yet (a module being written): the table most `function X.f` declarations extend. */
function guessTableName(statements: Statement[]): string | undefined {
  const counts = new Map<string, number>();
  for (const s of statements) {
    if (s.type === 'FunctionDeclaration' && s.identifier?.type === 'MemberExpression' && s.identifier.base.type === 'Identifier') {
      const name = s.identifier.base.name;
      counts.set(name, (counts.get(name) ?? 0) + 1);
    }
  }
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
}


/** Parameter names of `( a, b, ... )` starting at token index `open`. */
function tokenParams(tokens: Token[], open: number): string[] {
  const out: string[] = [];
  if (!isPunct(tokens[open], '(')) {
    return out;
  }
  for (let i = open + 1; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind === 'name' && !isLuaKeyword(t.value)) {
      out.push(t.value);
    } else if (isPunct(t, '...')) {
      out.push('...');
    } else if (!isPunct(t, ',')) {
      break;
    }
  }
  return out;
}

/** The index of the token that closes the bracket opened at `open`, or the last token. */
function closing(tokens: Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    const step = bracketStep(tokens[i]);
    depth += step;
    if (step < 0 && depth === 0) {
      return i;
    }
  }
  return tokens.length - 1;
}

/** The fallback for text luaparse rejects: the same shapes, recognised by tokens. */
export function exportsFromTokens(tokens: Token[]): ModuleExports {
  const { members, add } = memberList();
  const tableFields = (open: number) => {
    const close = closing(tokens, open);
    let depth = 0;
    for (let i = open + 1; i < close; i++) {
      const t = tokens[i];
      const step = bracketStep(t);
      if (step !== 0) {
        depth += step;
      } else if (depth === 0 && t.kind === 'name' && isPunct(tokens[i + 1], '=') && (isPunct(tokens[i - 1], ',') || isPunct(tokens[i - 1], ';') || i === open + 1)) {
        const value = tokens[i + 2];
        if (isName(value, 'function')) {
          add({ name: t.value, kind: 'function', nameStart: t.start, nameEnd: t.end, declStart: t.start, params: tokenParams(tokens, i + 3) });
        } else {
          add({ name: t.value, kind: 'field', nameStart: t.start, nameEnd: t.end, declStart: t.start, value: value && { start: value.start, lookup: t.start } });
        }
      }
    }
  };

  // The returned value: the last `return` followed by a name, `setmetatable(name`, or a table.
  let tableName: string | undefined;
  for (let i = tokens.length - 1; i >= 0; i--) {
    if (!isName(tokens[i], 'return')) {
      continue;
    }
    let j = i + 1;
    if (isName(tokens[j], 'setmetatable') && isPunct(tokens[j + 1], '(')) {
      j += 2;
    }
    if (tokens[j]?.kind === 'name' && !isPunct(tokens[j + 1], '.') && !isPunct(tokens[j + 1], '(')) {
      tableName = tokens[j].value;
    } else if (isPunct(tokens[j], '{')) {
      tableFields(j);
      return { members, source: 'tokens' };
    }
    break;
  }
  if (tableName === undefined) {
    const counts = new Map<string, number>();
    for (let i = 0; i + 2 < tokens.length; i++) {
      if (isName(tokens[i], 'function') && tokens[i + 1].kind === 'name' && (isPunct(tokens[i + 2], '.') || isPunct(tokens[i + 2], ':'))) {
        counts.set(tokens[i + 1].value, (counts.get(tokens[i + 1].value) ?? 0) + 1);
      }
    }
    tableName = [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
  }
  if (tableName === undefined) {
    return { members, source: 'tokens' };
  }
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (!isName(t, tableName) || isPunct(tokens[i - 1], '.') || isPunct(tokens[i - 1], ':')) {
      continue;
    }
    const prev = tokens[i - 1];
    const sep = tokens[i + 1];
    const member = tokens[i + 2];
    if (isName(prev, 'function') && (isPunct(sep, '.') || isPunct(sep, ':')) && member?.kind === 'name') {
      add({
        name: member.value,
        kind: 'function',
        nameStart: member.start,
        nameEnd: member.end,
        declStart: prev.start,
        params: tokenParams(tokens, i + 3),
        method: sep.value === ':' || undefined,
      });
    } else if (isPunct(sep, '.') && member?.kind === 'name' && isPunct(tokens[i + 3], '=')) {
      const value = tokens[i + 4];
      const isFn = isName(value, 'function');
      add({
        name: member.value,
        kind: isFn ? 'function' : 'field',
        nameStart: member.start,
        nameEnd: member.end,
        declStart: t.start,
        params: isFn ? tokenParams(tokens, i + 5) : undefined,
        value: !isFn && value ? { start: value.start, lookup: t.start } : undefined,
      });
    } else if (isName(prev, 'local') && isPunct(sep, '=') && isPunct(member, '{')) {
      tableFields(i + 2);
    } else if (isName(prev, 'local') && isPunct(sep, '=') && isName(member, 'setmetatable') && isPunct(tokens[i + 3], '(') && isPunct(tokens[i + 4], '{')) {
      tableFields(i + 4);
    }
  }
  return { tableName, members, source: 'tokens' };
}
