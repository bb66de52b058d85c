import * as luaparse from 'luaparse';
import { shebangLength, Token, tokenize } from './luaLexer';
import { FfiLoadSite, findFfiLoads, findRequires, RequireSite } from './requires';
import { comparePositions, LineIndex, Range } from './types';

export interface SyntaxProblem {
  message: string;
  range: Range;
}

/**
 * Above this many characters (about 5 MB of Lua) a file is not parsed by
 * luaparse: its syntax is not judged (`file-too-large`), but the lexer still
 * finds its requires, so resolution and the embed closure keep working. A
 * 20 MB generated file would otherwise hold the server for seconds per edit.
 */
export const PARSE_SIZE_LIMIT = 5 * 1024 * 1024;

/** Why part of the analysis of a file was skipped; reported as an info or warning, never an error. */
export interface SkippedAnalysis {
  code: 'too-complex' | 'file-too-large';
  message: string;
  range: Range;
}

/** Everything the core knows about one Lua text; computed once per content. */
export interface LuaFileFacts {
  requires: RequireSite[];
  ffiLoads: FfiLoadSite[];
  syntaxError?: SyntaxProblem;
  /** Lua 5.3/5.4 syntax that LuaJIT rejects, at the exact token. */
  luajitSyntax: SyntaxProblem[];
  /** Set when the syntax check (or another pass) was skipped: too large or too deeply nested. */
  skipped?: SkippedAnalysis;
  lines: LineIndex;
}

const NEWER_LUA: Record<string, string> = {
  '//': "Integer division '//' is Lua 5.3 syntax that LuaJIT rejects; use math.floor(a / b).",
  '<<': "The shift operator '<<' is Lua 5.3 syntax that LuaJIT rejects; use bit.lshift(a, n).",
  '>>': "The shift operator '>>' is Lua 5.3 syntax that LuaJIT rejects; use bit.rshift(a, n).",
  '&': "The bitwise operator '&' is Lua 5.3 syntax that LuaJIT rejects; use bit.band(a, b).",
  '|': "The bitwise operator '|' is Lua 5.3 syntax that LuaJIT rejects; use bit.bor(a, b).",
  '~': "The bitwise operator '~' is Lua 5.3 syntax that LuaJIT rejects; use bit.bxor(a, b) or bit.bnot(a).",
};

/** Finds Lua 5.3/5.4 syntax by token, so the message can name the construct and its LuaJIT spelling. */
export function findNewerLuaSyntax(tokens: Token[], lines: LineIndex): SyntaxProblem[] {
  const out: SyntaxProblem[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind !== 'punct') {
      continue;
    }
    const message = NEWER_LUA[t.value];
    if (message) {
      out.push({ message, range: lines.range(t.start, t.end) });
    } else if (t.value === '<' && tokens[i - 1]?.kind === 'name' && tokens[i + 1]?.kind === 'name' && tokens[i + 2]?.value === '>') {
      const attr = tokens[i + 1].value;
      // `local x <const> = …`: a name right after `local` (or after a comma in its name list).
      const before = tokens[i - 2];
      if ((attr === 'const' || attr === 'close') && (before?.value === 'local' || before?.value === ',')) {
        out.push({
          message: `The attribute <${attr}> is Lua 5.4 syntax that LuaJIT rejects; remove it.`,
          range: lines.range(t.start, tokens[i + 2].end),
        });
      }
    }
  }
  return out;
}

/**
 * luaparse (LuaJIT dialect) is the judge of syntax, with two corrections so
 * it agrees with LuaJIT itself: a leading UTF-8 BOM is skipped (luaparse
 * throws a TypeError on it) and binary literals (`0b101`, accepted by
 * OpenResty's LuaJIT) are rewritten to hex literals of the same length so
 * every offset stays put.
 */
export function prepareForLuaparse(text: string, tokens: Token[]): string {
  let out = text;
  // LuaJIT skips a BOM and then a `#` first line; luaparse only a `#` at offset 0.
  const skipped = Math.max(shebangLength(text), out.charCodeAt(0) === 0xfeff ? 1 : 0);
  if (skipped > 0) {
    out = ' '.repeat(skipped) + out.slice(skipped);
  }
  // Pieces joined once: rewriting in place would copy the text per literal.
  const pieces: string[] = [];
  let at = 0;
  for (const tok of tokens) {
    if (tok.kind === 'number' && /^0[bB][01]/.test(tok.value)) {
      const digits = /^0[bB]([01]+)/.exec(tok.value)![1];
      const hex = BigInt('0b' + digits).toString(16).padStart(digits.length, '0');
      pieces.push(out.slice(at, tok.start), '0x', hex);
      at = tok.start + 2 + digits.length;
    }
  }
  return pieces.length === 0 ? out : pieces.join('') + out.slice(at);
}

/** luaparse messages start with "[line:col] "; LuaJIT's do not, so drop it. */
function cleanMessage(message: string): string {
  return message.replace(/^\[\d+:\d+\]\s*/, '');
}

/** luaparse is recursive: nesting a few thousand levels deep exhausts the stack. */
function isStackOverflow(err: unknown): boolean {
  return err instanceof RangeError && /call stack/i.test(err.message);
}

const TOO_COMPLEX =
  'This file is nested too deeply to be parsed (the parser ran out of stack), so its syntax was not checked; its requires are still found. ' +
  "LuaJIT itself rejects more than 200 nested levels ('chunk has too many syntax levels').";

export function checkSyntax(text: string, tokens: Token[], lines: LineIndex): SyntaxProblem | undefined {
  const result = parseSyntax(text, tokens, lines);
  return 'problem' in result ? result.problem : undefined;
}

function parseSyntax(text: string, tokens: Token[], lines: LineIndex): { problem?: SyntaxProblem } | { skipped: SkippedAnalysis } {
  try {
    luaparse.parse(prepareForLuaparse(text, tokens), {
      luaVersion: 'LuaJIT',
      locations: false,
      ranges: false,
      comments: false,
      scope: false,
    });
    return {};
  } catch (err) {
    if (isStackOverflow(err)) {
      return { skipped: { code: 'too-complex', message: TOO_COMPLEX, range: lines.range(0, 0) } };
    }
    const e = err as { index?: number; message?: string };
    if (typeof e.index === 'number') {
      let start = Math.min(e.index, text.length);
      // luaparse points past the line end of an unfinished string; LuaJIT names the string's line.
      const unfinished = /^(\[\d+:\d+\]\s*)?unfinished/.test(String(e.message))
        ? tokens.filter((t) => t.unterminated && t.start <= start).at(-1)
        : undefined;
      if (unfinished) {
        start = unfinished.start;
      }
      const tok = tokens.find((t) => t.start <= start && start < t.end);
      const end = tok ? tok.end : Math.min(text.length, start + 1);
      return { problem: { message: cleanMessage(String(e.message)), range: lines.range(start, Math.max(end, start)) } };
    }
    // Not a parse error (a parser bug on odd input): report at the start rather than crash.
    return { problem: { message: `the parser failed: ${String(e.message ?? err)}`, range: lines.range(0, 0) } };
  }
}

/** Runs a lexer-based pass; a failure (a stack overflow on absurd input) skips the pass instead of failing the file. */
function guard<T>(fallback: T, pass: () => T, onFailure: () => void): T {
  try {
    return pass();
  } catch {
    onFailure();
    return fallback;
  }
}

function sizeText(chars: number): string {
  return `${(chars / (1024 * 1024)).toFixed(1).replace(/\.0$/, "")} MB`;
}

/** Everything about one Lua text. Never throws, whatever the text. */
export function analyzeLua(text: string): LuaFileFacts {
  const lines = new LineIndex(text);
  let skipped: SkippedAnalysis | undefined;
  const tooComplex = () => (skipped ??= { code: 'too-complex', message: TOO_COMPLEX, range: lines.range(0, 0) });
  const tokens = guard<Token[]>([], () => tokenize(text), tooComplex);
  const luajitSyntax = guard([], () => findNewerLuaSyntax(tokens, lines), tooComplex);
  let syntaxError: SyntaxProblem | undefined;
  if (text.length > PARSE_SIZE_LIMIT) {
    skipped = {
      code: 'file-too-large',
      message: `This file has ${sizeText(text.length)}, more than the ${sizeText(PARSE_SIZE_LIMIT)} resty-build parses: its syntax was not checked. Its requires are still found and resolved.`,
      range: lines.range(0, 0),
    };
  } else {
    const parsed = guard<ReturnType<typeof parseSyntax>>({}, () => parseSyntax(text, tokens, lines), tooComplex);
    if ('skipped' in parsed) {
      skipped = parsed.skipped;
    } else {
      syntaxError = parsed.problem;
    }
  }
  // The parser stops at the first newer-Lua token; that finding says more than "unexpected symbol".
  if (syntaxError && luajitSyntax.length > 0 && comparePositions(luajitSyntax[0].range.start, syntaxError.range.start) <= 0) {
    syntaxError = undefined;
  }
  return {
    requires: guard([], () => findRequires(text, tokens), tooComplex),
    ffiLoads: guard([], () => findFfiLoads(tokens), tooComplex),
    syntaxError,
    luajitSyntax,
    skipped,
    lines,
  };
}
