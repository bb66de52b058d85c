import { bracketStep, isPunct, Token } from '../lua/luaLexer';
import { RequireSite } from '../lua/requires';
import { isLuaKeyword } from '../lua/keywords';

/**
 * Expressions navigation can follow from one module into another, read from
 * tokens so that half-typed code works: a `require` call or a name, then
 * field names (`require("m").a`, `core.json.encode`, `t["k"]`). Anything
 * else (a call, an operator, a computed key) is not a reference.
 */

/** Where a reference starts: a literal require, or a name looked up as it is visible just before `offset`. */
export type RefRoot = { kind: 'require'; name: string } | { kind: 'name'; name: string; offset: number };

export interface ValueRef {
  root: RefRoot;
  /** Field names read from the root, in order. */
  path: string[];
}

/** A statement `name.a.b = …` (or `name[k] = …`): the fields of `name` it may change. */
export interface FieldWrite {
  name: string;
  /** The fields written; empty for a computed key (`name[k] = …`), which may be any field. */
  path: string[];
  offset: number;
}

/** The require calls of a text by where they start and end, for the two directions of parsing. */
export interface RequireCalls {
  byStart: Map<number, RequireSite>;
  byEnd: Map<number, RequireSite>;
}

const isIdentifier = (t: Token | undefined): boolean => t !== undefined && t.kind === 'name' && !isLuaKeyword(t.value);

/** Literal requires whose value is the module (`pcall(require, …)` gives a status first, so it is not one). */
export function requireCalls(requires: readonly RequireSite[]): RequireCalls {
  const byStart = new Map<number, RequireSite>();
  const byEnd = new Map<number, RequireSite>();
  for (const site of requires) {
    if (!site.dynamic && site.name !== undefined && site.form !== 'pcall') {
      byStart.set(site.callStart, site);
      byEnd.set(site.callEnd, site);
    }
  }
  return { byStart, byEnd };
}

/** Reads the field names from token `j` on (`.name`, `["key"]`) into `path`; returns the index of the token after them. */
function readFields(tokens: readonly Token[], j: number, path: string[]): number {
  for (;;) {
    if (isPunct(tokens[j], '.') && isIdentifier(tokens[j + 1])) {
      path.push(tokens[j + 1].value);
      j += 2;
    } else if (isPunct(tokens[j], '[') && tokens[j + 1]?.kind === 'string' && isPunct(tokens[j + 2], ']')) {
      path.push(tokens[j + 1].value);
      j += 3;
    } else {
      return j;
    }
  }
}

/** Whether the token can follow a complete expression that is the whole value (no operator, call or index goes on). */
function endsValue(t: Token | undefined): boolean {
  if (!t || t.kind === 'eof') {
    return true;
  }
  if (t.kind === 'punct') {
    return t.value === ',' || t.value === ';' || t.value === ')' || t.value === '}' || t.value === ']';
  }
  // A name starts the next statement; `and` / `or` continue this expression.
  return t.kind === 'name' && t.value !== 'and' && t.value !== 'or';
}

/**
 * The reference that is the whole expression starting at token `i`, and the
 * index of the token after it. A name root is looked up as visible just
 * before `lookupOffset` (the statement's start: in `local x = x.y` and in
 * `x = x.y` the right-hand `x` is the one visible before the statement).
 */
export function refStartingAt(tokens: readonly Token[], i: number, calls: RequireCalls, lookupOffset: number): { ref: ValueRef; next: number } | undefined {
  const first = tokens[i];
  if (!first) {
    return undefined;
  }
  let root: RefRoot;
  let j: number;
  const site = calls.byStart.get(first.start);
  if (site?.name !== undefined) {
    root = { kind: 'require', name: site.name };
    j = i;
    while (j < tokens.length - 1 && tokens[j].end < site.callEnd) {
      j++;
    }
    j++;
  } else if (isIdentifier(first)) {
    root = { kind: 'name', name: first.value, offset: lookupOffset };
    j = i + 1;
  } else {
    return undefined;
  }
  const path: string[] = [];
  j = readFields(tokens, j, path);
  return endsValue(tokens[j]) ? { ref: { root, path }, next: j } : undefined;
}

/**
 * The reference whose last token is `tokens[k]`: a name (`encode` of
 * `core.json.encode`, `m` of `obj:m`), the `]` of a string key, or the end
 * of a require call. `start` is the index of its first token.
 */
export function refEndingAt(tokens: readonly Token[], k: number, calls: RequireCalls): { ref: ValueRef; start: number } | undefined {
  const path: string[] = [];
  // Each step moves left by at least two tokens; the bound keeps a pathological line cheap.
  for (let steps = 0; steps < 256 && k >= 0; steps++) {
    const t = tokens[k];
    if (t && isIdentifier(t)) {
      const sep = tokens[k - 1];
      if (isPunct(sep, '.') || (isPunct(sep, ':') && path.length === 0)) {
        path.unshift(t.value);
        k -= 2;
        continue;
      }
      if (isPunct(sep, ':')) {
        return undefined;
      }
      return { ref: { root: { kind: 'name', name: t.value, offset: t.start }, path }, start: k };
    }
    if (isPunct(t, ']')) {
      const key = tokens[k - 1];
      const receiver = tokens[k - 3];
      // `{ ["k"] = v }` is a table field, not an index: an index follows a prefix expression.
      if (key?.kind !== 'string' || !isPunct(tokens[k - 2], '[') || !(isIdentifier(receiver) || isPunct(receiver, ']') || isPunct(receiver, ')') || receiver?.kind === 'string')) {
        return undefined;
      }
      path.unshift(key.value);
      k -= 3;
      continue;
    }
    if (t && (isPunct(t, ')') || t.kind === 'string')) {
      const site = calls.byEnd.get(t.end);
      if (site?.name === undefined) {
        return undefined;
      }
      let start = k;
      while (start > 0 && tokens[start].start > site.callStart) {
        start--;
      }
      return tokens[start].start === site.callStart ? { ref: { root: { kind: 'require', name: site.name }, path }, start } : undefined;
    }
    return undefined;
  }
  return undefined;
}

/**
 * Statements that assign a field of a name (`core.json = …`, `t[k] = …`),
 * outside brackets. Navigation does not trust a field read from a module
 * alias that the same file also writes.
 */
export function findFieldWrites(tokens: readonly Token[]): FieldWrite[] {
  const out: FieldWrite[] = [];
  let nesting = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind === 'punct') {
      nesting = Math.max(0, nesting + bracketStep(t));
      continue;
    }
    if (nesting > 0 || !isIdentifier(t) || isPunct(tokens[i - 1], '.') || isPunct(tokens[i - 1], ':')) {
      continue;
    }
    const path: string[] = [];
    let computed = false;
    let j = i + 1;
    for (;;) {
      j = readFields(tokens, j, path);
      if (isPunct(tokens[j], '[')) {
        // A computed key: skip to its `]`; the write may reach any field.
        let depth = 0;
        for (; j < tokens.length; j++) {
          if (isPunct(tokens[j], '[')) {
            depth++;
          } else if (isPunct(tokens[j], ']') && --depth === 0) {
            break;
          }
        }
        j++;
        computed = true;
      } else {
        break;
      }
    }
    if ((path.length > 0 || computed) && isPunct(tokens[j], '=')) {
      out.push({ name: t.value, path: computed ? [] : path, offset: t.start });
    }
  }
  return out;
}
