import { isLuaKeyword } from '../lua/keywords';
import { Token } from '../lua/luaLexer';
import { RequireSite } from '../lua/requires';

/**
 * A name that holds a module in part of a file: `local go = require "libs.go"`,
 * `local ok, m = pcall(require, "m")`, `local g = go`, or a re-assignment.
 * Declarations that hold something else are recorded too (module undefined),
 * so a shadowing `local go = 1` or parameter `go` hides the module.
 */
export interface ModuleBinding {
  name: string;
  module?: string;
  /** Offsets of the name where it is declared or assigned; visible from declStart to scopeEnd. */
  declStart: number;
  declEnd: number;
  scopeEnd: number;
  /** Reached through `pcall(require, …)`. */
  optional?: boolean;
}

interface Block {
  kind: 'root' | 'function' | 'do' | 'if' | 'repeat';
  bindings: ModuleBinding[];
}

const OPEN = Number.POSITIVE_INFINITY;
const isPunct = (t: Token | undefined, value: string) => t !== undefined && t.kind === 'punct' && t.value === value;
const isName = (t: Token | undefined, value?: string) => t !== undefined && t.kind === 'name' && (value === undefined || t.value === value);

/** The local (or assigned global) `name` visible at `offset`, the innermost and latest one, holding a module or not. */
export function declaredAt(bindings: readonly ModuleBinding[], name: string, offset: number): ModuleBinding | undefined {
  return visible(bindings, name, offset);
}

function visible(bindings: readonly ModuleBinding[], name: string, offset: number): ModuleBinding | undefined {
  let best: ModuleBinding | undefined;
  // Backwards: bindings are (almost always) in text order, so the latest visible one is usually found at once.
  for (let i = bindings.length - 1; i >= 0; i--) {
    const b = bindings[i];
    if (b.name === name && b.declStart <= offset && offset < b.scopeEnd && (!best || b.declStart > best.declStart)) {
      best = b;
    }
  }
  return best;
}

/** The module `name` holds at `offset`, if it holds one there. */
export function bindingAt(bindings: readonly ModuleBinding[], name: string, offset: number): ModuleBinding | undefined {
  const b = visible(bindings, name, offset);
  return b?.module !== undefined ? b : undefined;
}

/**
 * Follows Lua's block structure over tokens (never throws, works on broken
 * code) to find which names hold which required module where.
 */
export function findModuleBindings(tokens: Token[], requires: readonly RequireSite[], textLength: number): ModuleBinding[] {
  const all: ModuleBinding[] = [];
  const siteByCall = new Map<number, RequireSite>();
  for (const s of requires) {
    if (!s.dynamic && s.name !== undefined && s.alias !== undefined) {
      siteByCall.set(s.callStart, s);
    }
  }
  const root: Block = { kind: 'root', bindings: [] };
  const stack: Block[] = [root];
  const reassigned: { binding: ModuleBinding; parent?: ModuleBinding }[] = [];
  let pendingLoopNames: ModuleBinding[] = [];
  let nesting = 0; // ( [ { depth: `x = …` inside them is not an assignment statement

  const declare = (block: Block, tok: Token, module?: string, optional?: boolean): ModuleBinding => {
    const b: ModuleBinding = { name: tok.value, module, declStart: tok.start, declEnd: tok.end, scopeEnd: OPEN, optional };
    block.bindings.push(b);
    record(b);
    return b;
  };
  const record = (b: ModuleBinding) => {
    all.push(b);
    const same = byName.get(b.name);
    if (same) {
      inOrder &&= same[same.length - 1].declStart <= b.declStart;
      same.push(b);
    } else {
      byName.set(b.name, [b]);
    }
  };
  // Lookups while scanning go through same-name lists in text order, latest first:
  // scanning every binding made a file of many locals quadratic.
  const byName = new Map<string, ModuleBinding[]>();
  let inOrder = true;
  const visibleNow = (name: string, offset: number): ModuleBinding | undefined => {
    const same = byName.get(name) ?? [];
    if (!inOrder) {
      return visible(same, name, offset);
    }
    for (let k = same.length - 1; k >= 0; k--) {
      const b = same[k];
      if (b.declStart <= offset && offset < b.scopeEnd) {
        return b;
      }
    }
    return undefined;
  };
  const close = (block: Block, at: number) => {
    for (const b of block.bindings) {
      b.scopeEnd = Math.min(b.scopeEnd, at);
    }
    block.bindings = [];
  };
  /** What the expression starting at token index `i` gives `name`: a module (via require or another alias) or nothing. */
  const valueOf = (name: string, i: number, single: boolean): { module?: string; optional?: boolean } => {
    const site = tokens[i] ? siteByCall.get(tokens[i].start) : undefined;
    if (site && site.alias === name) {
      return { module: site.name, optional: site.optional || undefined };
    }
    const first = tokens[i];
    const after = tokens[i + 1];
    if (single && isName(first) && !isLuaKeyword(first.value) && !(after && after.kind === 'punct' && ['.', ':', '(', '[', '{'].includes(after.value)) && after?.kind !== 'string') {
      const from = visibleNow(first.value, first.start);
      const held = from?.module !== undefined ? from : undefined;
      return held ? { module: held.module, optional: held.optional } : {};
    }
    return {};
  };

  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    const top = stack[stack.length - 1];
    if (t.kind === 'punct') {
      if (t.value === '(' || t.value === '[' || t.value === '{') {
        nesting++;
      } else if (t.value === ')' || t.value === ']' || t.value === '}') {
        nesting = Math.max(0, nesting - 1);
      }
      continue;
    }
    if (t.kind !== 'name') {
      continue;
    }
    switch (t.value) {
      case 'function': {
        const block: Block = { kind: 'function', bindings: [] };
        stack.push(block);
        let j = i + 1;
        while (isName(tokens[j]) || isPunct(tokens[j], '.') || isPunct(tokens[j], ':')) {
          j++;
        }
        if (isPunct(tokens[j], '(')) {
          for (j++; j < tokens.length && !isPunct(tokens[j], ')') && tokens[j].kind !== 'eof'; j++) {
            if (isName(tokens[j])) {
              declare(block, tokens[j]);
            }
          }
          // The parameter list's parentheses do not count as expression nesting.
          i = j;
        }
        continue;
      }
      case 'for': {
        pendingLoopNames = [];
        let j = i + 1;
        const names: Token[] = [];
        while (isName(tokens[j]) || isPunct(tokens[j], ',')) {
          if (isName(tokens[j]) && !isLuaKeyword(tokens[j].value)) {
            names.push(tokens[j]);
          }
          j++;
        }
        pendingLoopNames = names.map((n) => ({ name: n.value, declStart: n.start, declEnd: n.end, scopeEnd: OPEN }));
        i = j - 1;
        continue;
      }
      case 'do': {
        const block: Block = { kind: 'do', bindings: [...pendingLoopNames] };
        pendingLoopNames.forEach(record);
        pendingLoopNames = [];
        stack.push(block);
        continue;
      }
      case 'if':
        stack.push({ kind: 'if', bindings: [] });
        continue;
      case 'repeat':
        stack.push({ kind: 'repeat', bindings: [] });
        continue;
      case 'elseif':
      case 'else':
        if (top.kind === 'if') {
          close(top, t.start);
        }
        continue;
      case 'end':
      case 'until':
        if (stack.length > 1) {
          close(stack.pop()!, t.start);
        }
        continue;
      case 'local': {
        if (isName(tokens[i + 1], 'function') && isName(tokens[i + 2])) {
          declare(top, tokens[i + 2]);
          continue;
        }
        const names: Token[] = [];
        let j = i + 1;
        while (isName(tokens[j]) && !isLuaKeyword(tokens[j].value)) {
          names.push(tokens[j]);
          j++;
          // Lua 5.4 attributes (`<const>`) are not LuaJIT, but skip them rather than lose the names.
          if (isPunct(tokens[j], '<') && isName(tokens[j + 1]) && isPunct(tokens[j + 2], '>')) {
            j += 3;
          }
          if (!isPunct(tokens[j], ',')) {
            break;
          }
          j++;
        }
        const values = isPunct(tokens[j], '=') ? names.map((n) => valueOf(n.value, j + 1, names.length === 1)) : [];
        names.forEach((n, k) => declare(top, n, values[k]?.module, values[k]?.optional));
        i = j - 1;
        continue;
      }
      default:
        break;
    }
    // `name = value` as a statement: a re-assignment (or a global's first assignment).
    const prev = tokens[i - 1];
    if (
      nesting === 0 &&
      !isLuaKeyword(t.value) &&
      isPunct(tokens[i + 1], '=') &&
      !isPunct(prev, '.') &&
      !isPunct(prev, ':') &&
      !isPunct(prev, ',')
    ) {
      const value = valueOf(t.value, i + 2, true);
      const parent = visibleNow(t.value, t.start);
      const b: ModuleBinding = { name: t.value, module: value.module, declStart: t.start, declEnd: t.end, scopeEnd: OPEN, optional: value.optional };
      record(b);
      reassigned.push({ binding: b, parent });
    }
  }
  for (const block of stack) {
    close(block, textLength);
  }
  for (const { binding, parent } of reassigned) {
    binding.scopeEnd = parent ? parent.scopeEnd : textLength;
  }
  for (const b of all) {
    if (b.scopeEnd === OPEN) {
      b.scopeEnd = textLength;
    }
  }
  return all;
}

/** A use `alias.member` / `alias:member` at token index i (the member's token). */
export interface MemberUse {
  alias: Token;
  member: Token;
  separator: '.' | ':';
}

/** The `alias.member` whose alias or member token is at index i, if the tokens have that shape. */
export function memberUseAt(tokens: Token[], i: number): MemberUse | undefined {
  const t = tokens[i];
  if (!t || t.kind !== 'name') {
    return undefined;
  }
  const sep = tokens[i - 1];
  const alias = tokens[i - 2];
  if ((isPunct(sep, '.') || isPunct(sep, ':')) && isName(alias) && !isPunct(tokens[i - 3], '.') && !isPunct(tokens[i - 3], ':')) {
    return { alias, member: t, separator: sep.value as '.' | ':' };
  }
  return undefined;
}

/** The index of the token that contains (or ends at) `offset`, preferring a name. */
export function tokenIndexAt(tokens: Token[], offset: number): number {
  let lo = 0;
  let hi = tokens.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (tokens[mid].end < offset) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  // tokens[lo] is the first token ending at or after offset.
  if (tokens[lo] && tokens[lo].start <= offset) {
    return lo;
  }
  if (lo > 0 && tokens[lo - 1].end === offset) {
    return lo - 1;
  }
  return -1;
}
