import { FfiLoadSite, RequireForm, RequireSite } from './requires';
import { Kind, P, Scanner } from './scanner';

/** Lua 5.3/5.4 syntax that LuaJIT rejects, found by token. */
export interface NewerSyntax {
  message: string;
  start: number;
  end: number;
}

/** Everything the fast pass learns about a Lua text. */
export interface LuaScan {
  requires: RequireSite[];
  ffiLoads: FfiLoadSite[];
  newerSyntax: NewerSyntax[];
  /** Offsets of `0b101`-style literals: OpenResty's LuaJIT accepts them, luaparse does not. */
  binaryNumbers: number[];
}

/** The message for punctuation of Lua 5.3 that LuaJIT rejects; undefined for everything else (asked for every token). */
function newerSyntaxMessage(punct: number): string | undefined {
  switch (punct) {
    case P.IntDiv:
      return "Integer division '//' is Lua 5.3 syntax that LuaJIT rejects; use math.floor(a / b).";
    case P.ShiftL:
      return "The shift operator '<<' is Lua 5.3 syntax that LuaJIT rejects; use bit.lshift(a, n).";
    case P.ShiftR:
      return "The shift operator '>>' is Lua 5.3 syntax that LuaJIT rejects; use bit.rshift(a, n).";
    case 38:
      return "The bitwise operator '&' is Lua 5.3 syntax that LuaJIT rejects; use bit.band(a, b).";
    case 124:
      return "The bitwise operator '|' is Lua 5.3 syntax that LuaJIT rejects; use bit.bor(a, b).";
    case 126:
      return "The bitwise operator '~' is Lua 5.3 syntax that LuaJIT rejects; use bit.bxor(a, b) or bit.bnot(a).";
    default:
      return undefined;
  }
}

/**
 * What a name token is to the fast pass, when the caller already knows (the
 * syntax recogniser looks every keyword up anyway): an identifier, a
 * keyword that opens or closes a block, or another keyword. Unknown: the
 * pass looks for itself.
 */
export const enum NameRole {
  Unknown = -1,
  Name = 0,
  Function = 1,
  Opener = 2,
  Closer = 3,
  Keyword = 4,
}

/** Bit n set: some callee name (require or an alias of it) has n characters; 31 stands for 31 and more. */
function lengthBit(length: number): number {
  return 1 << Math.min(length, 31);
}

/** A power of two, so the ring index is a mask. */
const RING = 8;

/** The last few tokens, newest first: enough look-behind for `local ok, m = pcall(require, …)`. */
class History {
  private readonly kind = new Uint8Array(RING);
  private readonly start = new Int32Array(RING);
  private readonly end = new Int32Array(RING);
  private readonly punct = new Int32Array(RING);
  private head = 0;
  private count = 0;

  push(s: Scanner): void {
    const h = (this.head + 1) & (RING - 1);
    this.head = h;
    this.kind[h] = s.kind;
    this.start[h] = s.start;
    this.end[h] = s.end;
    this.punct[h] = s.punct;
    if (this.count < RING) {
      this.count++;
    }
  }

  private at(k: number): number {
    return (this.head - k) & (RING - 1);
  }

  /** k = 1: the token before the current one. */
  kindOf(k: number): Kind {
    return k <= this.count ? (this.kind[this.at(k - 1)] as Kind) : Kind.Eof;
  }

  isPunct(k: number, code: number): boolean {
    return this.kindOf(k) === Kind.Punct && this.punct[this.at(k - 1)] === code;
  }

  isName(k: number, text: string, word: string): boolean {
    if (this.kindOf(k) !== Kind.Name) {
      return false;
    }
    const i = this.at(k - 1);
    return this.end[i] - this.start[i] === word.length && text.startsWith(word, this.start[i]);
  }

  nameAt(k: number, text: string): string | undefined {
    if (this.kindOf(k) !== Kind.Name) {
      return undefined;
    }
    const i = this.at(k - 1);
    return text.slice(this.start[i], this.end[i]);
  }

  startOf(k: number): number {
    return this.start[this.at(k - 1)];
  }

  isMemberAccess(k: number): boolean {
    return this.isPunct(k, 46) || this.isPunct(k, 58);
  }
}

interface Paren {
  /** Tokens from the opening '(' (0) to the closing ')' — or the last token before the end of the text. */
  closeIndex: number;
  closeEnd: number;
  /** End of the token just before the closing one. */
  beforeCloseEnd: number;
}

/**
 * How far a call's closing ')' is looked for. Real calls close within a few
 * tokens; the bound keeps half-typed `require(require(require(…` linear.
 */
const PAREN_SEARCH_LIMIT = 512;

/** From a scanner positioned on a '(' (depth 0 before it), finds its ')'. */
function matchParen(from: Scanner, depthBefore = 0): Paren {
  const s = from.clone();
  let depth = depthBefore;
  let index = 0;
  let prevEnd = s.start;
  let lastEnd = s.end;
  let beforeLastEnd = s.start;
  for (;;) {
    if (s.kind === Kind.Punct) {
      if (s.punct === 40) {
        depth++;
      } else if (s.punct === 41) {
        depth--;
        if (depth === 0) {
          return { closeIndex: index, closeEnd: s.end, beforeCloseEnd: prevEnd };
        }
      }
    }
    beforeLastEnd = prevEnd;
    prevEnd = s.end;
    lastEnd = s.end;
    if (s.next() === Kind.Eof || index >= PAREN_SEARCH_LIMIT) {
      return { closeIndex: Math.max(0, index), closeEnd: lastEnd, beforeCloseEnd: beforeLastEnd };
    }
    index++;
  }
}

function isStringArgEnd(s: Scanner): boolean {
  return s.kind === Kind.Punct && (s.punct === 41 || s.punct === 44);
}

/**
 * One pass over a Lua text that finds every require (`require "x"`,
 * `require("x")`, `require [[x]]`, `pcall(require, "x")`, aliases, dynamic
 * names), `ffi.load` calls, Lua 5.3/5.4 syntax and binary literals, with
 * exact offsets, without allocating per token. Works on broken text.
 */
export interface ScanCollector {
  /** Feeds the scanner's current token (each token once, in order); `role` when the caller knows what a name is. */
  observe(s: Scanner, role?: NameRole): void;
  result(): LuaScan;
}

/**
 * The fast pass, token by token, so another pass over the same tokens (the
 * syntax recogniser) can feed it instead of scanning the text twice.
 */
export function createScanCollector(text: string): ScanCollector {
  const requires: RequireSite[] = [];
  const ffiLoads: FfiLoadSite[] = [];
  const newerSyntax: NewerSyntax[] = [];
  const binaryNumbers: number[] = [];
  const callees = new Set(['require']);
  let calleeLengths = lengthBit(7);
  const history = new History();
  // Open blocks, true for a function body: a require inside one runs later, not at load time.
  const blocks: boolean[] = [];
  let functionDepth = 0;
  const pushSite = (site: RequireSite) => {
    if (functionDepth > 0) {
      site.deferred = true;
    }
    requires.push(site);
  };
  const handle = (s: Scanner, role: NameRole): void => {
    if (s.kind === Kind.Punct) {
      const newer = newerSyntaxMessage(s.punct);
      if (newer) {
        newerSyntax.push({ message: newer, start: s.start, end: s.end });
      } else if (s.punct === 60 && history.kindOf(1) === Kind.Name && (history.isName(2, text, 'local') || history.isPunct(2, 44))) {
        // `local x <const> = …`
        const look = s.clone();
        if (look.next() === Kind.Name && (look.isName('const') || look.isName('close'))) {
          const attr = look.slice();
          if (look.next() === Kind.Punct && look.punct === 62) {
            newerSyntax.push({ message: `The attribute <${attr}> is Lua 5.4 syntax that LuaJIT rejects; remove it.`, start: s.start, end: look.end });
          }
        }
      }
      return;
    }
    if (s.kind === Kind.Number) {
      const d = text.charCodeAt(s.start + 1);
      if (text.charCodeAt(s.start) === 48 && (d === 98 || d === 66)) {
        binaryNumbers.push(s.start);
      }
      return;
    }
    if (s.kind !== Kind.Name) {
      return;
    }
    const length = s.end - s.start;
    if (role === NameRole.Keyword) {
      return;
    }
    if (role !== NameRole.Name && !history.isMemberAccess(1)) {
      const block = role === NameRole.Unknown ? blockKeyword(text, s.start, length) : role;
      if (block === 1) {
        blocks.push(true);
        functionDepth++;
        return;
      } else if (block === 2) {
        blocks.push(false);
        return;
      } else if (block === 3) {
        if (blocks.length > 0 && blocks.pop()) {
          functionDepth--;
        }
        return;
      }
    }
    if (length === 4 && s.isName('load') && history.isPunct(1, 46) && history.isName(2, text, 'ffi')) {
      const look = s.clone();
      look.next();
      if (look.isPunct(40)) {
        look.next();
      }
      if (look.kind === Kind.String) {
        ffiLoads.push({ library: look.stringValue(), start: look.start, end: look.end });
      }
      return;
    }
    if ((calleeLengths & lengthBit(length)) === 0) {
      return;
    }
    const name = s.slice();
    if (!callees.has(name) || history.isMemberAccess(1)) {
      return;
    }
    if (history.isName(1, text, 'function') || history.isName(1, text, 'local')) {
      return;
    }
    const form: RequireForm = name === 'require' ? 'call' : 'alias';
    const alias = history.isPunct(1, 61) && !history.isMemberAccess(3) ? history.nameAt(2, text) : undefined;
    const next = s.clone();
    next.next();
    if (next.kind === Kind.String) {
      const [ns, ne] = next.contentRange();
      pushSite({
        name: next.stringValue(),
        form: form === 'alias' ? 'alias' : next.long ? 'long-string' : 'string',
        optional: false,
        dynamic: false,
        start: next.start,
        end: next.end,
        nameStart: ns,
        nameEnd: ne,
        callStart: s.start,
        callEnd: next.end,
        alias,
      });
      return;
    }
    if (next.isPunct(40)) {
      const paren = matchParen(next);
      const arg = next.clone();
      arg.next();
      const after = arg.clone();
      after.next();
      if (arg.kind === Kind.String && isStringArgEnd(after)) {
        const [ns, ne] = arg.contentRange();
        pushSite({
          name: arg.stringValue(),
          form,
          optional: false,
          dynamic: false,
          start: arg.start,
          end: arg.end,
          nameStart: ns,
          nameEnd: ne,
          callStart: s.start,
          callEnd: paren.closeEnd,
          alias,
        });
      } else if (paren.closeIndex > 1) {
        const forwarding = paren.closeIndex === 2 && arg.kind === Kind.Name && history.isName(1, text, 'return');
        pushSite({
          forwarding: forwarding || undefined,
          form,
          optional: false,
          dynamic: true,
          start: arg.start,
          end: paren.beforeCloseEnd,
          nameStart: arg.start,
          nameEnd: paren.beforeCloseEnd,
          callStart: s.start,
          callEnd: paren.closeEnd,
          alias,
        });
      }
      return;
    }
    // `require` used as a value: pcall(require, …) or an alias.
    if (history.isPunct(1, 40) && history.isName(2, text, 'pcall') && !history.isMemberAccess(3)) {
      if (!next.isPunct(44)) {
        return;
      }
      // The pcall's own parenthesis is open: depth 1 from `require` on.
      const paren = matchParen(s, 1);
      const arg = next.clone();
      arg.next();
      const after = arg.clone();
      after.next();
      const resultName = history.isPunct(3, 61) && history.isPunct(5, 44) ? history.nameAt(4, text) : undefined;
      if (arg.kind === Kind.String && isStringArgEnd(after)) {
        const [ns, ne] = arg.contentRange();
        pushSite({
          name: arg.stringValue(),
          form: 'pcall',
          optional: true,
          dynamic: false,
          start: arg.start,
          end: arg.end,
          nameStart: ns,
          nameEnd: ne,
          callStart: history.startOf(2),
          callEnd: paren.closeEnd,
          alias: resultName,
        });
      } else if (paren.closeIndex > 2) {
        pushSite({
          form: 'pcall',
          optional: true,
          dynamic: true,
          start: arg.start,
          end: paren.beforeCloseEnd,
          nameStart: arg.start,
          nameEnd: paren.beforeCloseEnd,
          callStart: history.startOf(2),
          callEnd: paren.closeEnd,
        });
      }
      return;
    }
    if (alias !== undefined && !next.isPunct(46)) {
      callees.add(alias);
      calleeLengths |= lengthBit(alias.length);
    }
  };
  return {
    observe(s: Scanner, role = NameRole.Unknown): void {
      handle(s, role);
      history.push(s);
    },
    result: () => ({ requires, ffiLoads, newerSyntax, binaryNumbers }),
  };
}

/**
 * One pass over a Lua text that finds every require (`require "x"`,
 * `require("x")`, `require [[x]]`, `pcall(require, "x")`, aliases, dynamic
 * names), `ffi.load` calls, Lua 5.3/5.4 syntax and binary literals, with
 * exact offsets, without allocating per token. Works on broken text.
 */
export function scanLua(text: string): LuaScan {
  const collector = createScanCollector(text);
  const s = new Scanner(text);
  for (s.next(); s.kind !== Kind.Eof; s.next()) {
    collector.observe(s);
  }
  return collector.result();
}

/** 1: `function`; 2: a block opener (`if`, `do`, `repeat`); 3: a closer (`end`, `until`); 0: other. */
function blockKeyword(text: string, start: number, length: number): number {
  switch (length) {
    case 8:
      return text.startsWith('function', start) ? 1 : 0;
    case 2:
      return text.startsWith('if', start) || text.startsWith('do', start) ? 2 : 0;
    case 6:
      return text.startsWith('repeat', start) ? 2 : 0;
    case 3:
      return text.startsWith('end', start) ? 3 : 0;
    case 5:
      return text.startsWith('until', start) ? 3 : 0;
    default:
      return 0;
  }
}
