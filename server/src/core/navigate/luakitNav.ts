import { isPunct } from '../lua/luaLexer';
import { declaredAt, tokenIndexAt } from './aliases';
import { bkFunction, LuakitFunction, stateMethod } from './luakitApi';
import { bindingsOf, LuaView, tokensOf } from './luaViews';

/** A luakit API name under the cursor: the `bk` global, `bk.fn`, or a state method `:run`. */
export type LuakitTarget =
  | { kind: 'bk'; start: number; end: number }
  | { kind: 'function'; head: string; fn: LuakitFunction; start: number; end: number };

/** Whether `bk` at `offset` is luakit's global (not a local of the same name). */
export function isBkGlobal(view: LuaView, name: string, offset: number): boolean {
  return name === 'bk' && !declaredAt(bindingsOf(view), 'bk', offset);
}

export function luakitTargetAt(view: LuaView, offset: number): LuakitTarget | undefined {
  const tokens = tokensOf(view);
  const i = tokenIndexAt(tokens, offset);
  const t = tokens[i];
  if (!t || t.kind !== 'name') {
    return undefined;
  }
  const sep = tokens[i - 1];
  const receiver = tokens[i - 2];
  if (isPunct(sep, '.') && receiver?.kind === 'name' && isBkGlobal(view, receiver.value, receiver.start) && !isPunct(tokens[i - 3], '.')) {
    const fn = bkFunction(t.value);
    return fn ? { kind: 'function', head: `bk.${t.value}`, fn, start: t.start, end: t.end } : undefined;
  }
  if (isPunct(sep, ':')) {
    const fn = stateMethod(t.value);
    return fn ? { kind: 'function', head: `state:${t.value}`, fn, start: t.start, end: t.end } : undefined;
  }
  if (!isPunct(sep, '.') && isBkGlobal(view, t.value, t.start)) {
    return { kind: 'bk', start: t.start, end: t.end };
  }
  return undefined;
}
