import { isLuaKeyword } from '../lua/keywords';
import { Token } from '../lua/luaLexer';
import { RequireSite } from '../lua/requires';
import { refStartingAt, requireCalls, ValueRef } from './valueRefs';

/**
 * A name declared or assigned in part of a file: `local go = require "libs.go"`,
 * `local ok, m = pcall(require, "m")`, `local encode = core.json.encode`,
 * `local g = go`, a re-assignment, a parameter. Its value is kept when it is
 * a reference navigation can follow; a declaration with any other value (or
 * none: a parameter, a loop variable) is recorded too, so that a shadowing
 * `local go = 1` hides the module.
 */
export interface ModuleBinding {
  name: string;
  value?: ValueRef;
  /** Offsets of the name where it is declared or assigned; visible from declStart to scopeEnd. */
  declStart: number;
  declEnd: number;
  scopeEnd: number;
  /** Declared in the file's outermost block (or a global's assignment there). */
  topLevel?: boolean;
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

/** The binding of `name` visible just before `offset`: the one a use at `offset` reads, never one declared there. */
export function visibleBefore(bindings: readonly ModuleBinding[], name: string, offset: number): ModuleBinding | undefined {
  let best: ModuleBinding | undefined;
  for (let i = bindings.length - 1; i >= 0; i--) {
    const b = bindings[i];
    if (b.name === name && b.declStart < offset && offset < b.scopeEnd && (!best || b.declStart > best.declStart)) {
      best = b;
    }
  }
  return best;
}

/**
 * Follows Lua's block structure over tokens (never throws, works on broken
 * code) to find which names are declared where, and which of them hold a
 * reference (a required module, a member of one, another such name).
 */
export function findModuleBindings(tokens: Token[], requires: readonly RequireSite[], textLength: number): ModuleBinding[] {
  const all: ModuleBinding[] = [];
  const calls = requireCalls(requires);
  const pcalls = new Map<number, RequireSite>();
  for (const s of requires) {
    if (!s.dynamic && s.name !== undefined && s.form === 'pcall') {
      pcalls.set(s.callStart, s);
    }
  }
  const root: Block = { kind: 'root', bindings: [] };
  const stack: Block[] = [root];
  const reassigned: { binding: ModuleBinding; parent?: ModuleBinding }[] = [];
  let pendingLoopNames: ModuleBinding[] = [];
  let nesting = 0; // ( [ { depth: `x = …` inside them is not an assignment statement

  const declare = (block: Block, tok: Token, value?: ValueRef): ModuleBinding => {
    const b: ModuleBinding = { name: tok.value, value, declStart: tok.start, declEnd: tok.end, scopeEnd: OPEN, topLevel: block.kind === 'root' || undefined };
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
  /**
   * The references the expression list at token `i` gives `count` names, in
   * order: `local a, b = x.y, require "m"`, and the module (second value) of
   * `pcall(require, "m")`. The list stops at the first value that is not one.
   */
  const valuesOf = (count: number, i: number, statementStart: number): (ValueRef | undefined)[] => {
    const pcall = tokens[i] ? pcalls.get(tokens[i].start) : undefined;
    if (pcall?.name !== undefined) {
      return count >= 2 ? [undefined, { root: { kind: 'require', name: pcall.name }, path: [] }] : [];
    }
    const out: ValueRef[] = [];
    for (let k = i; out.length < count; ) {
      const r = refStartingAt(tokens, k, calls, statementStart);
      if (!r) {
        break;
      }
      out.push(r.ref);
      if (!isPunct(tokens[r.next], ',')) {
        break;
      }
      k = r.next + 1;
    }
    return out;
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
        const values = isPunct(tokens[j], '=') ? valuesOf(names.length, j + 1, t.start) : [];
        names.forEach((n, k) => declare(top, n, values[k]));
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
      const value = refStartingAt(tokens, i + 2, calls, t.start)?.ref;
      const parent = visibleNow(t.value, t.start);
      const b: ModuleBinding = { name: t.value, value, declStart: t.start, declEnd: t.end, scopeEnd: OPEN, topLevel: (stack.length === 1 && (!parent || parent.topLevel)) || undefined };
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
  // tokens[lo] is the first token ending at or after offset. Between two tokens (`.|name`), the name.
  const next = tokens[lo + 1];
  if (tokens[lo]?.end === offset && next?.start === offset && tokens[lo].kind === 'punct' && next.kind !== 'punct') {
    return lo + 1;
  }
  if (tokens[lo] && tokens[lo].start <= offset) {
    return lo;
  }
  if (lo > 0 && tokens[lo - 1].end === offset) {
    return lo - 1;
  }
  return -1;
}
