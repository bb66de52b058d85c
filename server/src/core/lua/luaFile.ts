import * as luaparse from 'luaparse';
import { isName, isPunct, shebangLength, Token, tokenize } from './luaLexer';
import { LuaScan, scanLua } from './luaScan';
import { closingContext } from './closingContext';
import { firstLuaparseMiss, MissedError } from './luaparseMisses';
import { luaparseNumberEdits } from './numberLiteral';
import { isSurelyValid, scanAndCheck } from './syntaxCheck';
import { applyEdits, dialectEdits, Edit, LuaDialect } from './luaparseInput';
import { FfiLoadSite, ModuleRegistration, RequireSite } from './requires';
import { FfiFacts, NO_FFI } from './ffiFacts';
import { scanFfi } from './ffiScan';
import { SuppressionComment } from './suppressionComments';
import { LineIndex, Range } from '../types';

export interface SyntaxProblem {
  message: string;
  range: Range;
}

/**
 * Above this many characters (about 5 MB of Lua) a file is not parsed:
 * its syntax is not judged (`file-too-large`), but the scanner still finds
 * its requires, so resolution and the embed closure keep working. A 20 MB
 * generated file would otherwise hold the server for seconds per edit.
 */
export const PARSE_SIZE_LIMIT = 5 * 1024 * 1024;

/** Why part of the analysis of a file was skipped; reported as an info or warning, never an error. */
export interface SkippedAnalysis {
  code: 'too-complex' | 'file-too-large';
  message: string;
  range: Range;
}

const TOO_COMPLEX =
  'This file is nested too deeply to be parsed (the parser ran out of stack), so its syntax was not checked; its requires are still found. ' +
  "LuaJIT itself rejects more than 200 nested levels ('chunk has too many syntax levels').";

function sizeText(chars: number): string {
  return `${(chars / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MB`;
}

/** luaparse is recursive: nesting a few thousand levels deep exhausts the stack. */
function isStackOverflow(err: unknown): boolean {
  return err instanceof RangeError && /call stack/i.test(err.message);
}

/** Everything the core knows about one Lua text; computed once per content. */
export interface LuaFileFacts {
  requires: RequireSite[];
  ffiLoads: FfiLoadSite[];
  /** Modules this text puts into package.loaded or package.preload. */
  registrations: ModuleRegistration[];
  /** It calls luakit's `bk` API: a luakit build script. */
  luakitApi: boolean;
  syntaxError?: SyntaxProblem;
  /** Lua 5.3/5.4 syntax that LuaJIT rejects, at the exact token. */
  luajitSyntax: SyntaxProblem[];
  /** Set when the syntax check (or another pass) was skipped: too large or too deeply nested. */
  skipped?: SkippedAnalysis;
  /** `-- resty-build: ignore …` comments, as offsets. */
  suppressions: SuppressionComment[];
  /**
   * The syntax error as a given LuaJIT sees it: `syntaxError` for a plain
   * one; for a 5.2-compatible one judged again (once, on first use) only
   * when the verdicts can differ (an error, or the name `goto`).
   */
  syntaxErrorFor(dialect: LuaDialect): SyntaxProblem | undefined;
  /** False when the plain LuaJIT's syntax error is surely one a 5.2-compatible LuaJIT makes too (see SyntaxVerdict). */
  lua52MayAccept: boolean;
  /** Set when requires past MAX_REQUIRES_PER_FILE were left out: how many there are, and where the first one left out is. */
  requiresCut?: { total: number; range: Range };
  /** Offsets to positions; built on first use (most files never need it). */
  readonly lines: LineIndex;
  /** `ffi.C` reads and `ffi.cdef` declarations; parsed on first use (only the embed closure asks). */
  readonly ffi: FfiFacts;
}

/**
 * luaparse is the judge of syntax, with corrections so it agrees with
 * LuaJIT itself: a leading UTF-8 BOM (and a `#` line after it) is skipped
 * (luaparse throws a TypeError on it), binary literals (`0b101`, accepted by
 * OpenResty's LuaJIT) are rewritten to hex literals of the same length, and
 * the dialect's own corrections (luaparseInput.ts: the optional `;` after
 * `break`, and for a 5.2-compatible LuaJIT its 5.2 rewrites) are applied; every
 * offset stays put.
 */
export function prepareForLuaparse(text: string, binaryNumbers: readonly number[] | Token[], dialect: LuaDialect = PLAIN_LUAJIT): string {
  const edits: Edit[] = [];
  // LuaJIT skips a BOM and then a `#` first line; luaparse only a `#` at offset 0.
  const skipped = Math.max(shebangLength(text), text.charCodeAt(0) === 0xfeff ? 1 : 0);
  if (skipped > 0) {
    edits.push({ at: 0, length: skipped, text: ' '.repeat(skipped) });
  }
  // First, so that they win over the binary rewrite of the same number (`0b101LLU`).
  edits.push(...luaparseNumberEdits(text, skipped));
  for (const at of binaryNumbers) {
    const start = typeof at === 'number' ? at : at.kind === 'number' ? at.start : -1;
    const digits = start >= skipped ? /^0[bB]([01]+)/.exec(text.slice(start, start + 80))?.[1] : undefined;
    if (digits) {
      edits.push({ at: start, length: 2 + digits.length, text: '0x' + BigInt('0b' + digits).toString(16).padStart(digits.length, '0') });
    }
  }
  edits.push(...dialectEdits(text, dialect));
  return applyEdits(text, edits);
}

/** The LuaJIT Debian and most distributions ship: built without LUAJIT_ENABLE_LUA52COMPAT. */
export const PLAIN_LUAJIT: LuaDialect = { lua52compat: false };
/** OpenResty's LuaJIT: built with LUAJIT_ENABLE_LUA52COMPAT. */
export const LUA52_LUAJIT: LuaDialect = { lua52compat: true };

/** luaparse's options for a dialect: bytes 0x80-0xFF are identifier characters in LuaJIT (lj_char_isident). */
export function luaparseOptions(dialect: LuaDialect): Partial<luaparse.Options> {
  // @types/luaparse declares extendedIdentifiers as `false` only; luaparse 0.3.1 reads it as a boolean.
  return { luaVersion: dialect.lua52compat ? '5.2' : 'LuaJIT', extendedIdentifiers: true as unknown as false };
}

/** luaparse messages start with "[line:col] "; LuaJIT's do not, so drop it. */
function cleanMessage(message: string): string {
  return message.replace(/^\[\d+:\d+\]\s*/, '');
}

/**
 * luaparse's wording of an error put as LuaJIT words it (lj_parse.c), where
 * the two agree on the place: `'<name>' expected`, and `unexpected symbol
 * near` the token itself (`token`: its text) where luaparse says what kind
 * of token it is and which one came before, or that it expected an
 * expression there.
 */
function luajitWording(message: string, token: string | undefined): string {
  if (message.startsWith('<name> expected')) {
    return `'<name>'${message.slice('<name>'.length)}`;
  }
  if (message.startsWith('<expression> expected near ')) {
    return `unexpected symbol${message.slice('<expression> expected'.length)}`;
  }
  if (token !== undefined && /^unexpected (?:symbol|keyword|number|string|boolean|nil|undefined|vararg) /.test(message)) {
    return `unexpected symbol near '${token}'`;
  }
  return message;
}

/** Where a syntax error is, as offsets: [start, end); or why the check was skipped. */
export interface SyntaxVerdict {
  message: string;
  start: number;
  end: number;
  skipped?: SkippedAnalysis['code'];
  /**
   * A plain LuaJIT's error only: false when a 5.2-compatible LuaJIT rejects
   * the text too, as the error is none of the three things LJ_52 lets
   * through (an empty statement `;`, a statement after `break`, a call's
   * `(` on a new line); absent when that is not known.
   */
  lua52MayAccept?: boolean;
}

/** How much of the token an error quotes is kept: LuaJIT quotes it whole, and a number or a string can be megabytes. */
const MAX_QUOTED_CHARS = 80;

/** The message with the token after its `near` cut to MAX_QUOTED_CHARS (and `…`), whole surrogate pairs only. */
function boundedNear(message: string): string {
  const at = message.indexOf(" near '");
  const quoted = at < 0 ? '' : message.slice(at + 7, message.endsWith("'") ? -1 : undefined);
  if (quoted.length <= MAX_QUOTED_CHARS) {
    return message;
  }
  const cut = quoted.slice(0, MAX_QUOTED_CHARS);
  return `${message.slice(0, at)} near '${/[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut}…'`;
}

/** LuaJIT's error where luaparse has none or a later one; a 5.2-compatible LuaJIT makes the same. */
function missedVerdict(missed: MissedError, dialect: LuaDialect): SyntaxVerdict {
  const verdict: SyntaxVerdict = { message: boundedNear(missed.message), start: missed.start, end: missed.end };
  return dialect.lua52compat ? verdict : { ...verdict, lua52MayAccept: false };
}

/**
 * Whether a 5.2-compatible LuaJIT might accept what a plain one stops at:
 * the error token (`i`: the first token ending after the error, -1 at the
 * end) and the one before it.
 */
function lua52MayAccept(message: string, tokens: readonly Token[], i: number): boolean {
  const tok = i >= 0 ? tokens[i] : undefined;
  const before = i >= 0 ? i - 1 : tokens.length - 1;
  // A plain LuaJIT ends the block at `break` and at the `;` it may take after it (parse_chunk's lex_opt): the error stands after either.
  const afterBreak = isName(tokens[before], 'break') || (isPunct(tokens[before], ';') && isName(tokens[before - 1], 'break'));
  return message.includes('ambiguous syntax') || isPunct(tok, ';') || afterBreak;
}

/**
 * Parses with luaparse and returns undefined for valid text, else the
 * error at the token LuaJIT would name. Only the error path tokenizes.
 */
export function parseSyntax(text: string, binaryNumbers: readonly number[], surelyValid?: boolean, dialect: LuaDialect = PLAIN_LUAJIT): SyntaxVerdict | undefined {
  if (text.length > PARSE_SIZE_LIMIT) {
    const message = `This file has ${sizeText(text.length)}, more than the ${sizeText(PARSE_SIZE_LIMIT)} resty-build parses: its syntax was not checked. Its requires are still found and resolved.`;
    return { message, start: 0, end: 0, skipped: 'file-too-large' };
  }
  // Most files are valid: the tree-less recogniser says so several times faster than luaparse.
  if (surelyValid ?? isSurelyValid(text)) {
    return undefined;
  }
  try {
    luaparse.parse(prepareForLuaparse(text, binaryNumbers, dialect), {
      ...luaparseOptions(dialect),
      locations: false,
      ranges: false,
      comments: false,
      scope: false,
    });
    // `x = 3y = 4` and `f(, x)` parse, where LuaJIT stops at the number `3y` and at the `,`.
    const missed = firstLuaparseMiss(text);
    return missed ? missedVerdict(missed, dialect) : undefined;
  } catch (err) {
    if (isStackOverflow(err)) {
      return { message: TOO_COMPLEX, start: 0, end: 0, skipped: 'too-complex' };
    }
    const e = err as { index?: number; message?: string };
    if (typeof e.index === 'number') {
      const tokens = tokenize(text);
      let start = Math.min(e.index, text.length);
      // luaparse points past the line end of an unfinished string; LuaJIT names the string's line.
      const unfinished = /^(\[\d+:\d+\]\s*)?unfinished/.test(String(e.message))
        ? tokens.filter((t) => t.unterminated && t.start <= start).at(-1)
        : undefined;
      if (unfinished) {
        start = unfinished.start;
      }
      // The first token ending after the error, found once for every use below; `tok` when it holds the error.
      const next = tokens.findIndex((t) => t.end > start);
      const tok = next >= 0 && tokens[next].start <= start ? tokens[next] : undefined;
      // What LuaJIT stops at and luaparse passes, up to the token luaparse stopped at, comes first.
      const missed = firstLuaparseMiss(text, tok?.start ?? start);
      if (missed) {
        return missedVerdict(missed, dialect);
      }
      const end = tok ? tok.end : Math.min(text.length, start + 1);
      let message = luajitWording(cleanMessage(String(e.message)), tok ? text.slice(tok.start, tok.end) : undefined);
      const closer = /^'(\)|\}|end|until)' expected near /.exec(message);
      const context = closer ? closingContext(tokens, tok ? next : tokens.length - 1, closer[1], new LineIndex(text)) : undefined;
      if (context) {
        message = message.replace(' near ', ` ${context} near `);
      }
      const verdict: SyntaxVerdict = { message: boundedNear(message), start, end: Math.max(end, start) };
      return dialect.lua52compat ? verdict : { ...verdict, lua52MayAccept: lua52MayAccept(message, tokens, next) };
    }
    // Not a parse error (a parser bug on odd input): report at the start rather than crash.
    return { message: `the parser failed: ${String(e.message ?? err)}`, start: 0, end: 0 };
  }
}

/**
 * The facts of one Lua text. `syntax` may come from elsewhere (a worker
 * thread that already parsed the same text); else luaparse runs here.
 */
export function analyzeLua(text: string, syntax?: SyntaxVerdict | null): LuaFileFacts {
  let scan: LuaScan;
  let surelyValid: boolean | undefined;
  try {
    ({ scan, surelyValid } = text.length > PARSE_SIZE_LIMIT ? { scan: scanLua(text), surelyValid: undefined } : scanAndCheck(text));
  } catch {
    // The scanner is iterative; should a pass still fail on absurd input, skip it rather than the file.
    scan = { requires: [], ffiLoads: [], registrations: [], newerSyntax: [], binaryNumbers: [], suppressions: [] };
    syntax = { message: TOO_COMPLEX, start: 0, end: 0, skipped: 'too-complex' };
  }
  if (syntax === undefined) {
    try {
      syntax = parseSyntax(text, scan.binaryNumbers, surelyValid) ?? null;
    } catch {
      syntax = { message: TOO_COMPLEX, start: 0, end: 0, skipped: 'too-complex' };
    }
  }
  return factsFromScan(scan, syntax, () => text);
}

/** What a worker thread (or the store) hands over for one file: its facts are built from these. */
export interface ComputedFacts {
  scan: LuaScan;
  /** The plain LuaJIT's verdict; null: valid. */
  syntax: SyntaxVerdict | null;
  /** A 5.2-compatible LuaJIT's verdict when computed (null: valid); undefined: parsed again when asked. */
  syntax52?: SyntaxVerdict | null;
  lines?: { starts: Int32Array; length: number };
}

/**
 * Facts from a scan and a syntax verdict (null: valid); `text` is asked for
 * only when positions are needed, unless the line index comes ready-made.
 * `syntax52`, when given, is the 5.2-compatible verdict, so that one is not
 * parsed again.
 */
export function factsFromScan(scan: LuaScan, syntax: SyntaxVerdict | null, text: () => string, ready?: LineIndex, syntax52?: SyntaxVerdict | null): LuaFileFacts {
  let lineIndex: LineIndex | undefined = ready;
  const lines = () => (lineIndex ??= new LineIndex(text()));
  const skippedBy = syntax?.skipped;
  const verdict = skippedBy ? undefined : (syntax ?? undefined);
  const luajitSyntax = scan.newerSyntax.map((n) => ({ message: n.message, range: lines().range(n.start, n.end) }));
  const problem = (v: SyntaxVerdict | undefined): SyntaxProblem | undefined => {
    // The parser stops at the first newer-Lua token; that finding says more than "unexpected symbol".
    const shadowed = v !== undefined && scan.newerSyntax.length > 0 && scan.newerSyntax[0].start <= v.start;
    return v && !shadowed ? { message: v.message, range: lines().range(v.start, v.end) } : undefined;
  };
  const syntaxError = problem(verdict);
  const skipped = skippedBy && syntax ? { code: skippedBy, message: syntax.message, range: lines().range(0, 0) } : undefined;
  let ffi: FfiFacts | undefined;
  let lua52: { error: SyntaxProblem | undefined } | undefined;
  return {
    requires: scan.requires,
    ffiLoads: scan.ffiLoads,
    registrations: scan.registrations,
    luakitApi: scan.luakitApi === true,
    syntaxError,
    luajitSyntax,
    skipped,
    suppressions: scan.suppressions,
    lua52MayAccept: verdict?.lua52MayAccept !== false,
    syntaxErrorFor(dialect: LuaDialect): SyntaxProblem | undefined {
      if (!dialect.lua52compat || skippedBy || (verdict === undefined && !scan.usesGoto)) {
        return syntaxError;
      }
      if (!lua52) {
        const v = syntax52 !== undefined ? (syntax52 ?? undefined) : parseSyntax(text(), scan.binaryNumbers, false, dialect);
        lua52 = { error: v?.skipped ? undefined : problem(v) };
      }
      return lua52.error;
    },
    ...(scan.requiresCut ? { requiresCut: { total: scan.requiresCut.total, range: lines().range(scan.requiresCut.start, scan.requiresCut.end) } } : {}),
    get lines() {
      return lines();
    },
    get ffi() {
      if (!ffi) {
        // Only a file that requires "ffi" can reach ffi.C: the others are never read again for it.
        const usesFfi = syntax === null && scan.requires.some((r) => r.name === 'ffi');
        const source = usesFfi ? text() : '';
        ffi = usesFfi ? scanFfi(source, () => prepareForLuaparse(source, scan.binaryNumbers)) : NO_FFI;
      }
      return ffi;
    },
  };
}
