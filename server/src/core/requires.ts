import { Token, tokenize } from './luaLexer';

/** How a require was written; kept so messages and code actions can speak of it. */
export type RequireForm = 'call' | 'string' | 'long-string' | 'pcall' | 'alias';

export interface RequireSite {
  /** The literal module name; undefined for a dynamic require. */
  name?: string;
  form: RequireForm;
  /** `pcall(require, "x")`: a failure is handled by the caller. */
  optional: boolean;
  /** The name is not a literal (`require(var)`, `require("a" .. b)`). */
  dynamic: boolean;
  /** Offsets of the string literal including its quotes, or of the dynamic argument. */
  start: number;
  end: number;
  /** Offsets of the module name inside the quotes (equal to start/end when dynamic). */
  nameStart: number;
  nameEnd: number;
  /** Offsets of the whole call expression, from `require`/`pcall` to its end. */
  callStart: number;
  callEnd: number;
  /** For `local x = require "m"`, the local's name (a module alias for navigation). */
  alias?: string;
  /**
   * Inside a function body: runs when the function is called, not when the
   * module loads, so it cannot be part of a load-time require cycle (the
   * usual way to break one).
   */
  deferred?: boolean;
  /**
   * `return orig_require(name)`: a require wrapper passing its parameter on
   * (lua-resty-core's base.lua does this). Not a dependency of its own.
   */
  forwarding?: boolean;
}

function contentRange(text: string, tok: Token): [number, number] {
  if (tok.long) {
    const open = /^\[=*\[/.exec(text.slice(tok.start, tok.end))?.[0].length ?? 2;
    return [tok.start + open, Math.max(tok.start + open, tok.end - (tok.unterminated ? 0 : open))];
  }
  return [tok.start + 1, Math.max(tok.start + 1, tok.end - (tok.unterminated ? 0 : 1))];
}

/**
 * For every `(` token, the index of its matching `)`, or the last token
 * before eof when it is never closed. Computed once per text with a stack:
 * scanning forward per call is quadratic on half-typed `require(require(…`.
 */
function matchingParens(tokens: Token[]): Int32Array {
  const match = new Int32Array(tokens.length).fill(-1);
  const open: number[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const v = tokens[i];
    if (v.kind !== 'punct') {
      continue;
    }
    if (v.value === '(') {
      open.push(i);
    } else if (v.value === ')' && open.length > 0) {
      match[open.pop()!] = i;
    }
  }
  const last = Math.max(0, tokens.length - 2);
  for (const i of open) {
    match[i] = Math.max(i, last);
  }
  return match;
}

/**
 * Per token, whether it is inside a function body, from the block keywords
 * (`function`/`if`/`do`/`repeat` open, `end`/`until` close). Forgiving: an
 * unbalanced half-typed file just ends with blocks left open.
 */
function functionDepths(tokens: Token[]): Uint8Array {
  const inFunction = new Uint8Array(tokens.length);
  const stack: boolean[] = [];
  let functions = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    inFunction[i] = functions > 0 ? 1 : 0;
    if (t.kind !== 'name' || isMemberAccess(tokens[i - 1])) {
      continue;
    }
    if (t.value === 'function') {
      stack.push(true);
      functions++;
    } else if (t.value === 'if' || t.value === 'do' || t.value === 'repeat') {
      stack.push(false);
    } else if ((t.value === 'end' || t.value === 'until') && stack.length > 0) {
      if (stack.pop()) {
        functions--;
      }
    }
  }
  return inFunction;
}

function isMemberAccess(prev: Token | undefined): boolean {
  return prev !== undefined && prev.kind === 'punct' && (prev.value === '.' || prev.value === ':');
}

/** The local name in `local x = <here>` or `x = <here>` before token index i, if any. */
function assignedName(tokens: Token[], i: number): string | undefined {
  const eq = tokens[i - 1];
  const target = tokens[i - 2];
  if (eq?.kind === 'punct' && eq.value === '=' && target?.kind === 'name' && !isMemberAccess(tokens[i - 3])) {
    return target.value;
  }
  return undefined;
}

/**
 * Finds every require in a Lua text, with exact ranges, without needing the
 * text to parse: `require "x"`, `require("x")`, `require [[x]]`,
 * `pcall(require, "x")`, aliases (`local req = require`), and dynamic names.
 */
export function findRequires(text: string, tokens: Token[] = tokenize(text)): RequireSite[] {
  const sites: RequireSite[] = [];
  const callees = new Set(['require']);
  let parens: Int32Array | undefined;
  const matchParen = (_tokens: Token[], open: number) => (parens ??= matchingParens(tokens))[open];
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i];
    if (tok.kind !== 'name' || !callees.has(tok.value) || isMemberAccess(tokens[i - 1])) {
      continue;
    }
    const prev = tokens[i - 1];
    if (prev?.kind === 'name' && (prev.value === 'function' || prev.value === 'local')) {
      continue;
    }
    const next = tokens[i + 1];
    const form: RequireForm = tok.value === 'require' ? 'call' : 'alias';
    const alias = assignedName(tokens, i);
    if (next.kind === 'string') {
      const [ns, ne] = contentRange(text, next);
      sites.push({
        name: next.value,
        form: form === 'alias' ? 'alias' : next.long ? 'long-string' : 'string',
        optional: false,
        dynamic: false,
        start: next.start,
        end: next.end,
        nameStart: ns,
        nameEnd: ne,
        callStart: tok.start,
        callEnd: next.end,
        alias,
      });
      continue;
    }
    if (next.kind === 'punct' && next.value === '(') {
      const close = matchParen(tokens, i + 1);
      const arg = tokens[i + 2];
      const after = tokens[i + 3];
      const callEnd = tokens[close].end;
      if (arg.kind === 'string' && after?.kind === 'punct' && (after.value === ')' || after.value === ',')) {
        const [ns, ne] = contentRange(text, arg);
        sites.push({
          name: arg.value,
          form,
          optional: false,
          dynamic: false,
          start: arg.start,
          end: arg.end,
          nameStart: ns,
          nameEnd: ne,
          callStart: tok.start,
          callEnd,
          alias,
        });
      } else if (close > i + 2) {
        const argStart = tokens[i + 2].start;
        const argEnd = tokens[close - 1].end;
        const before = tokens[i - 1];
        const forwarding = close === i + 3 && arg.kind === 'name' && before?.kind === 'name' && before.value === 'return';
        sites.push({
          forwarding: forwarding || undefined,
          form,
          optional: false,
          dynamic: true,
          start: argStart,
          end: argEnd,
          nameStart: argStart,
          nameEnd: argEnd,
          callStart: tok.start,
          callEnd,
          alias,
        });
      }
      continue;
    }
    // `require` used as a value: pcall(require, …) or an alias.
    const p1 = tokens[i - 1];
    const p2 = tokens[i - 2];
    if (p1?.kind === 'punct' && p1.value === '(' && p2?.kind === 'name' && p2.value === 'pcall' && !isMemberAccess(tokens[i - 3])) {
      if (!(next.kind === 'punct' && next.value === ',')) {
        continue;
      }
      const close = matchParen(tokens, i - 1);
      const arg = tokens[i + 2];
      const after = tokens[i + 3];
      const aliasOfResult = pcallResultName(tokens, i - 2);
      if (arg.kind === 'string' && after?.kind === 'punct' && (after.value === ')' || after.value === ',')) {
        const [ns, ne] = contentRange(text, arg);
        sites.push({
          name: arg.value,
          form: 'pcall',
          optional: true,
          dynamic: false,
          start: arg.start,
          end: arg.end,
          nameStart: ns,
          nameEnd: ne,
          callStart: p2.start,
          callEnd: tokens[close].end,
          alias: aliasOfResult,
        });
      } else if (close > i + 2) {
        sites.push({
          form: 'pcall',
          optional: true,
          dynamic: true,
          start: arg.start,
          end: tokens[close - 1].end,
          nameStart: arg.start,
          nameEnd: tokens[close - 1].end,
          callStart: p2.start,
          callEnd: tokens[close].end,
        });
      }
      continue;
    }
    if (alias !== undefined && (next.kind !== 'punct' || next.value !== '.')) {
      callees.add(alias);
    }
  }
  if (sites.length > 0) {
    const inFunction = functionDepths(tokens);
    // Sites are in text order, so one forward walk finds each call's token.
    let k = 0;
    for (const site of sites) {
      while (k < tokens.length - 1 && tokens[k].start < site.callStart) {
        k++;
      }
      if (inFunction[k]) {
        site.deferred = true;
      }
    }
  }
  return sites;
}

/** In `local ok, m = pcall(require, "x")`, the name that receives the module (`m`). */
function pcallResultName(tokens: Token[], pcallIndex: number): string | undefined {
  const eq = tokens[pcallIndex - 1];
  const second = tokens[pcallIndex - 2];
  const comma = tokens[pcallIndex - 3];
  if (eq?.kind === 'punct' && eq.value === '=' && second?.kind === 'name' && comma?.kind === 'punct' && comma.value === ',') {
    return second.value;
  }
  return undefined;
}

/** A call `ffi.load("name")`: the Lua side may embed, the library must ship. */
export interface FfiLoadSite {
  library: string;
  start: number;
  end: number;
}

export function findFfiLoads(tokens: Token[]): FfiLoadSite[] {
  const out: FfiLoadSite[] = [];
  for (let i = 2; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind !== 'name' || t.value !== 'load' || tokens[i - 1].value !== '.' || tokens[i - 2].kind !== 'name' || tokens[i - 2].value !== 'ffi') {
      continue;
    }
    const next = tokens[i + 1];
    const arg = next?.kind === 'punct' && next.value === '(' ? tokens[i + 2] : next;
    if (arg?.kind === 'string') {
      out.push({ library: arg.value, start: arg.start, end: arg.end });
    }
  }
  return out;
}
