import { Token } from './luaLexer';
import { LineIndex } from '../types';

/** An open construct: what LuaJIT names it by in "(to close 'who' at line N)", or undefined where it says nothing. */
interface Open {
  closer: string;
  who: string | undefined;
  line: number;
  /** A `while` or `for` whose `do` is still to come: that `do` opens nothing of its own. */
  awaitsDo?: boolean;
}

const OPENERS: Record<string, string> = { '(': ')', '{': '}', '[': ']' };

/** The keywords that open a block, with the keyword that closes it; `while` and `for` take their `do` in. */
const BLOCKS: Record<string, { closer: string; awaitsDo?: boolean }> = {
  function: { closer: 'end' },
  if: { closer: 'end' },
  while: { closer: 'end', awaitsDo: true },
  for: { closer: 'end', awaitsDo: true },
  repeat: { closer: 'until' },
};

/**
 * LuaJIT's "'X' expected (to close 'Y' at line N)" for an error where the
 * parser expects the closer `expected` at token `at` (an index into
 * `tokens`): the innermost construct open there, found by matching
 * brackets and block keywords as lj_parse.c does (lex_match). Undefined
 * when LuaJIT adds nothing: the opener is on the error's line, the closer
 * is checked without one (`]`, a parameter list's `)`), or the innermost
 * open construct is not one `expected` closes.
 */
export function closingContext(tokens: readonly Token[], at: number, expected: string, lines: LineIndex): string | undefined {
  const stack: Open[] = [];
  let functionHeader = false;
  for (let i = 0; i < at && i < tokens.length; i++) {
    const t = tokens[i];
    const line = () => lines.position(t.start).line;
    if (t.kind === 'punct') {
      const closer = OPENERS[t.value];
      if (closer) {
        // Index brackets and a function's parameter list are checked with lex_check: no context.
        const who = t.value === '[' || (t.value === '(' && functionHeader) ? undefined : t.value;
        stack.push({ closer, who, line: line() });
        functionHeader = false;
      } else if (t.value === ')' || t.value === '}' || t.value === ']') {
        stack.pop();
      }
      continue;
    }
    if (t.kind !== 'name') {
      continue;
    }
    const block = BLOCKS[t.value];
    if (block && Object.hasOwn(BLOCKS, t.value)) {
      stack.push({ closer: block.closer, who: t.value, line: line(), ...(block.awaitsDo ? { awaitsDo: true } : {}) });
      functionHeader = t.value === 'function';
    } else if (t.value === 'do') {
      const top = stack.at(-1);
      if (top?.awaitsDo) {
        top.awaitsDo = false;
      } else {
        stack.push({ closer: 'end', who: 'do', line: line() });
      }
    } else if (t.value === 'end' || t.value === 'until') {
      stack.pop();
    }
  }
  const open = stack.at(-1);
  const here = tokens[at] ? lines.position(tokens[at].start).line : undefined;
  if (!open || open.closer !== expected || open.who === undefined || open.line === here) {
    return undefined;
  }
  return `(to close '${open.who}' at line ${open.line + 1})`;
}
