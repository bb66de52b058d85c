import { isPunct, Token } from '../lua/luaLexer';

/**
 * What the text around a cursor looks like, from tokens (so half-typed code
 * works): the call the cursor is inside, or the `receiver.` being completed.
 */


/** The last token that starts before `offset` (index), or -1. */
function lastTokenBefore(tokens: Token[], offset: number): number {
  let lo = 0;
  let hi = tokens.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (tokens[mid].start < offset && tokens[mid].kind !== 'eof') {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

export interface MemberContext {
  /** The token before the separator: a name (`go`, `bk`), the `)` of a call or the `]` of an index. */
  receiver: Token;
  separator: '.' | ':';
  /** Offsets of the part of the member name already typed (empty when nothing is typed yet). */
  start: number;
  end: number;
}

/** `receiver.|` or `receiver.pa|`: the member being completed at `offset`. */
export function memberContextAt(tokens: Token[], offset: number): MemberContext | undefined {
  let i = lastTokenBefore(tokens, offset);
  if (i < 0) {
    return undefined;
  }
  let start = offset;
  let end = offset;
  const t = tokens[i];
  if (t.kind === 'name' && t.end >= offset) {
    start = t.start;
    end = t.end;
    i--;
  } else if (t.end < offset && t.kind !== 'punct') {
    return undefined;
  }
  const sep = tokens[i];
  const receiver = tokens[i - 1];
  if ((isPunct(sep, '.') || isPunct(sep, ':')) && sep.end <= start && receiver && (receiver.kind === 'name' || isPunct(receiver, ')') || isPunct(receiver, ']'))) {
    return { receiver, separator: sep.value as '.' | ':', start, end };
  }
  return undefined;
}

export interface CallContext {
  /** The called name (`build` in `go.build(`, the string `"f"` in `m["f"](`), its receiver and separator when it has one. */
  callee: Token;
  /** The last token of the called expression: the name, or the `]` of a string key. */
  calleeEnd: Token;
  receiver?: Token;
  separator?: '.' | ':';
  /** Zero-based index of the argument the cursor is in. */
  activeParameter: number;
}

/** The innermost call whose parentheses contain `offset`. */
export function callContextAt(tokens: Token[], offset: number): CallContext | undefined {
  let depth = 0;
  let commas = 0;
  for (let i = lastTokenBefore(tokens, offset); i >= 0; i--) {
    const t = tokens[i];
    if (t.kind !== 'punct') {
      // A statement keyword between us and an opening parenthesis means we are not in a call's arguments.
      if (t.kind === 'name' && depth === 0 && ['local', 'end', 'then', 'do'].includes(t.value)) {
        return undefined;
      }
      continue;
    }
    if (t.value === ')' || t.value === ']' || t.value === '}') {
      depth++;
    } else if (t.value === '(' || t.value === '[' || t.value === '{') {
      if (depth > 0) {
        depth--;
        continue;
      }
      if (t.value !== '(') {
        return undefined;
      }
      const callee = tokens[i - 1];
      // `m["f"](`: the key names the function, as `m.f(` would.
      if (isPunct(callee, ']') && tokens[i - 2]?.kind === 'string' && isPunct(tokens[i - 3], '[')) {
        return { callee: tokens[i - 2], calleeEnd: callee, activeParameter: commas };
      }
      if (!callee || callee.kind !== 'name') {
        return undefined;
      }
      const sep = tokens[i - 2];
      const receiver = tokens[i - 3];
      if ((isPunct(sep, '.') || isPunct(sep, ':')) && receiver && (receiver.kind === 'name' || isPunct(receiver, ')'))) {
        return { callee, calleeEnd: callee, receiver, separator: sep.value as '.' | ':', activeParameter: commas };
      }
      return { callee, calleeEnd: callee, activeParameter: commas };
    } else if (t.value === ',' && depth === 0) {
      commas++;
    }
  }
  return undefined;
}
