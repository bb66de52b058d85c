import { FfiLoadSite, ModuleRegistration, RequireForm, RequireSite } from './requires';
import { Kind, P, Scanner } from './scanner';
import { findSuppressionComments, SuppressionComment } from './suppressionComments';

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
  /** `package.loaded["x"] = …` / `package.preload["x"] = …`. */
  registrations: ModuleRegistration[];
  newerSyntax: NewerSyntax[];
  /** Offsets of `0b101`-style literals: OpenResty's LuaJIT accepts them, luaparse does not. */
  binaryNumbers: number[];
  /** `-- resty-build: ignore …` comments. */
  suppressions: SuppressionComment[];
  /** The text has the name `goto`: a statement, or a plain name that a 5.2-compatible LuaJIT rejects. */
  usesGoto?: boolean;
  /** The text uses luakit's `bk` API (`bk.image`, `bk.local_`, …): a luakit build script, whatever its name. */
  luakitApi?: boolean;
  /** Set when the text has more than MAX_REQUIRES_PER_FILE requires: how many, and where the first one left out is. */
  requiresCut?: { total: number; start: number; end: number };
}

/**
 * Requires kept per file. A real module has dozens; a generated or hostile
 * one can have millions, each a resolution, a judgement and a finding.
 */
export const MAX_REQUIRES_PER_FILE = 10_000;

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

/** luakit's `bk` entry points (DOMAIN 1). */
const BK_API = new Set(['image', 'scratch', 'local_', 'git', 'http', 'https', 'export', 'cache', 'secret', 'ssh', 'tmpfs', 'bind', 'merge', 'diff', 'platform']);

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

/** Kinds of open blocks: a require inside a function body runs later; inside a guarded one, under pcall. */
const enum Block {
  Plain = 0,
  Function = 1,
  GuardedFunction = 2,
}

/** A name whose value is known: a local declared once with a constant string, and never assigned again. */
type Constants = Map<string, string | null>;

/** A call argument that names a module: a literal, or built from constants (`used` lists the constants). */
interface NamedArgument {
  name: string;
  constant?: boolean;
  used?: string[];
  start: number;
  end: number;
  nameStart: number;
  nameEnd: number;
}

/**
 * Reads a constant string expression from the token `s` is on: string
 * literals and constant locals joined by `..`. Returns its value and the
 * scanner on the token after it, or undefined when any part is not constant.
 */
function constantExpression(s: Scanner, constants: Constants, used?: string[]): { value: string; end: number; after: Scanner } | undefined {
  const look = s.clone();
  let value = '';
  for (;;) {
    if (look.kind === Kind.String) {
      value += look.stringValue();
    } else if (look.kind === Kind.Name) {
      const known = constants.get(look.slice());
      if (known === undefined || known === null) {
        return undefined;
      }
      used?.push(look.slice());
      value += known;
    } else {
      return undefined;
    }
    const end = look.end;
    look.next();
    if (!look.isPunct(P.Concat)) {
      return { value, end, after: look };
    }
    look.next();
  }
}

/**
 * Whether the value after `=` at `at` can start a constant expression, by a
 * look at its first character (cheap: most assignments are not constants):
 * a string, a name when constants are known, or a comment in between.
 */
function mayStartConstant(text: string, at: number, constants: Constants): boolean {
  let i = at;
  let c = text.charCodeAt(i);
  while (c === 32 || c === 9 || c === 10 || c === 13) {
    c = text.charCodeAt(++i);
  }
  if (c === 34 || c === 39 || c === 91 || c === 45) {
    return true;
  }
  return constants.size > 0 && ((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95);
}

/** After a constant operand: does the expression go on (an operator, a call, an index)? */
function continuesExpression(s: Scanner): boolean {
  if (s.kind === Kind.String) {
    return true;
  }
  if (s.kind === Kind.Name) {
    return s.isName('and') || s.isName('or');
  }
  if (s.kind !== Kind.Punct) {
    return false;
  }
  switch (s.punct) {
    case 59: // ;
    case 41: // )
    case 93: // ]
    case 125: // }
      return false;
    case 61: // = (`==` is its own token)
      return false;
    default:
      // `,` `+` `(` `.` `:` `[` `{` …: the expression goes on, or there are several values.
      return true;
  }
}

/** Skips one argument expression at depth 0: up to the `,` or `)` that ends it; the scanner is left on that token. */
function skipArgument(s: Scanner, text: string): boolean {
  let depth = 0;
  for (let steps = 0; steps < PAREN_SEARCH_LIMIT; steps++) {
    if (s.kind === Kind.Eof) {
      return false;
    }
    if (s.kind === Kind.Punct) {
      if (s.punct === 40 || s.punct === 123 || s.punct === 91) {
        depth++;
      } else if (s.punct === 41 || s.punct === 125 || s.punct === 93) {
        if (depth === 0) {
          return s.punct === 41;
        }
        depth--;
      } else if (s.punct === 44 && depth === 0) {
        return true;
      }
    } else if (s.kind === Kind.Name) {
      const block = blockKeyword(text, s.start, s.end - s.start);
      depth += block === 1 || block === 2 ? 1 : block === 3 ? -1 : 0;
    }
    s.next();
  }
  return false;
}

/**
 * The fast pass, token by token, so another pass over the same tokens (the
 * syntax recogniser) can feed it instead of scanning the text twice.
 */
export function createScanCollector(text: string): ScanCollector {
  const requires: RequireSite[] = [];
  const ffiLoads: FfiLoadSite[] = [];
  const registrations: ModuleRegistration[] = [];
  const newerSyntax: NewerSyntax[] = [];
  const binaryNumbers: number[] = [];
  let usesGoto = false;
  let luakitApi = false;
  const callees = new Set(['require']);
  let calleeLengths = lengthBit(7);
  const history = new History();
  const blocks: Block[] = [];
  let functionDepth = 0;
  let guardedDepth = 0;
  const constants: Constants = new Map();
  /** Sites whose name came from constants, with the names used: undone if one of them turns out not constant. */
  const fromConstants: { site: RequireSite; names: string[] }[] = [];

  const declare = (name: string, value: string | null) => {
    // A second declaration (or any assignment) makes the name unknowable to a single pass.
    constants.set(name, constants.has(name) ? null : value);
  };
  let requiresCut: LuaScan['requiresCut'];
  const pushSite = (site: RequireSite) => {
    if (requires.length >= MAX_REQUIRES_PER_FILE) {
      requiresCut ??= { total: MAX_REQUIRES_PER_FILE, start: site.start, end: site.end };
      requiresCut.total++;
      return;
    }
    if (functionDepth > 0) {
      site.deferred = true;
    }
    if (guardedDepth > 0) {
      site.optional = true;
    }
    requires.push(site);
  };
  /** The module name of a call's argument at `arg`, when the argument is a literal or constant and ends at `)` or `,`. */
  const nameArgument = (arg: Scanner): NamedArgument | undefined => {
    const after = arg.clone();
    after.next();
    if (arg.kind === Kind.String && isStringArgEnd(after)) {
      const [ns, ne] = arg.contentRange();
      return { name: arg.stringValue(), start: arg.start, end: arg.end, nameStart: ns, nameEnd: ne };
    }
    if (constants.size > 0) {
      const used: string[] = [];
      const value = constantExpression(arg, constants, used);
      if (value && isStringArgEnd(value.after)) {
        return { name: value.value, constant: true, start: arg.start, end: value.end, nameStart: arg.start, nameEnd: value.end, used };
      }
    }
    return undefined;
  };
  const pushNamed = (site: RequireSite, used: string[] | undefined) => {
    pushSite(site);
    if (site.constant && used) {
      fromConstants.push({ site, names: used });
    }
  };

  const onAssign = (s: Scanner) => {
    // `local NAME = <expr>`: a constant when <expr> is literals and constants joined by `..`.
    if (history.kindOf(1) !== Kind.Name || history.isMemberAccess(2)) {
      return;
    }
    const name = history.nameAt(1, text)!;
    if (!history.isName(2, text, 'local') || !mayStartConstant(text, s.end, constants)) {
      // An assignment, or a declaration whose value is surely not constant: a known constant is no longer one.
      if (constants.has(name)) {
        constants.set(name, null);
      }
      return;
    }
    const first = s.clone();
    first.next();
    const value = constantExpression(first, constants);
    if (value && !continuesExpression(value.after)) {
      declare(name, value.value);
    } else if (constants.has(name)) {
      constants.set(name, null);
    }
  };

  const onFunction = (s: Scanner) => {
    // Parameters shadow constants of the same name.
    const look = s.clone();
    for (let steps = 0; steps < 64 && look.next() !== Kind.Eof; steps++) {
      if (look.kind === Kind.Name && constants.has(look.slice())) {
        constants.set(look.slice(), null);
      } else if (look.isPunct(41)) {
        return;
      }
    }
  };

  const onRegistration = (s: Scanner, table: 'loaded' | 'preload') => {
    // package.loaded["x"] = v, package.loaded.x = v (v not nil); likewise package.preload.
    let look = s.clone();
    look.next();
    let key: { value: string; start: number; end: number };
    if (look.isPunct(91)) {
      look.next();
      const start = look.start;
      const value = constantExpression(look, constants);
      if (!value || !value.after.isPunct(93)) {
        return;
      }
      key = { value: value.value, start, end: value.end };
      look = value.after;
    } else if (look.isPunct(46)) {
      look.next();
      if (look.kind !== Kind.Name) {
        return;
      }
      key = { value: look.slice(), start: look.start, end: look.end };
    } else {
      return;
    }
    look.next();
    if (!look.isPunct(61)) {
      return;
    }
    look.next();
    if (!look.isName('nil')) {
      registrations.push({ name: key.value, table, start: key.start, end: key.end });
    }
  };

  const handle = (s: Scanner, role: NameRole): void => {
    if (s.kind === Kind.Punct) {
      const newer = newerSyntaxMessage(s.punct);
      if (newer) {
        newerSyntax.push({ message: newer, start: s.start, end: s.end });
      } else if (s.punct === 61) {
        onAssign(s);
      } else if (s.punct === 44 && constants.size > 0 && history.kindOf(1) === Kind.Name && history.isName(2, text, 'local')) {
        // `local a, b = …`: no single constant value.
        declare(history.nameAt(1, text)!, null);
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
    if (length === 4 && s.isName('goto')) {
      usesGoto = true;
    }
    if (!luakitApi && history.isMemberAccess(1) && history.isName(2, text, 'bk') && BK_API.has(s.slice())) {
      luakitApi = true;
    }
    // Keywords mean nothing more to this pass, but for `for`, whose loop variables shadow constants.
    if (role === NameRole.Keyword && !(constants.size > 0 && length === 3 && s.isName('for'))) {
      return;
    }
    if (role !== NameRole.Name && !history.isMemberAccess(1)) {
      const block = role === NameRole.Unknown || role === NameRole.Keyword ? blockKeyword(text, s.start, length) : role;
      if (block === 1) {
        // pcall(function() … end) / xpcall(function() … end, handler): what fails inside is caught.
        const guarded = history.isPunct(1, 40) && (history.isName(2, text, 'pcall') || history.isName(2, text, 'xpcall')) && !history.isMemberAccess(3);
        blocks.push(guarded ? Block.GuardedFunction : Block.Function);
        functionDepth++;
        if (guarded) {
          guardedDepth++;
        }
        if (constants.size > 0) {
          onFunction(s);
        }
        return;
      } else if (block === 2) {
        blocks.push(Block.Plain);
        return;
      } else if (block === 3) {
        const closed = blocks.pop();
        if (closed === Block.Function || closed === Block.GuardedFunction) {
          functionDepth--;
        }
        if (closed === Block.GuardedFunction) {
          guardedDepth--;
        }
        return;
      }
      if (constants.size > 0 && length === 3 && s.isName('for')) {
        // Loop variables shadow constants of the same name.
        const look = s.clone();
        while (look.next() === Kind.Name || look.isPunct(44)) {
          if (look.kind === Kind.Name && constants.has(look.slice())) {
            constants.set(look.slice(), null);
          }
        }
        return;
      }
    }
    if ((length === 6 || length === 7) && history.isPunct(1, 46) && history.isName(2, text, 'package') && !history.isMemberAccess(3)) {
      if (s.isName('loaded') || s.isName('preload')) {
        onRegistration(s, length === 6 ? 'loaded' : 'preload');
      }
      return;
    }
    if (length === 4 && s.isName('load') && history.isPunct(1, 46) && history.isName(2, text, 'ffi')) {
      const look = s.clone();
      look.next();
      if (look.kind === Kind.String) {
        ffiLoads.push({ library: look.stringValue(), start: look.start, end: look.end });
      } else if (look.isPunct(40)) {
        const paren = matchParen(look);
        look.next();
        const arg = nameArgument(look);
        if (arg) {
          ffiLoads.push({ library: arg.name, start: arg.start, end: arg.end });
        } else if (paren.closeIndex > 1) {
          ffiLoads.push({ start: look.start, end: paren.beforeCloseEnd });
        }
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
      const named = nameArgument(arg);
      if (named) {
        pushNamed(
          { ...siteRange(named), name: named.name, constant: named.constant, form, optional: false, dynamic: false, callStart: s.start, callEnd: paren.closeEnd, alias },
          named.used,
        );
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
    // `require` used as a value: pcall(require, name), xpcall(require, handler, name), or an alias.
    const guard = history.isPunct(1, 40) && !history.isMemberAccess(3) ? (history.isName(2, text, 'pcall') ? 'pcall' : history.isName(2, text, 'xpcall') ? 'xpcall' : undefined) : undefined;
    if (guard) {
      if (!next.isPunct(44)) {
        return;
      }
      // The guard's own parenthesis is open: depth 1 from `require` on.
      const paren = matchParen(s, 1);
      const arg = next.clone();
      arg.next();
      if (guard === 'xpcall') {
        // xpcall(require, handler, name): LuaJIT passes the arguments after the handler on.
        if (!skipArgument(arg, text) || !arg.isPunct(44)) {
          return;
        }
        arg.next();
      }
      const resultName = history.isPunct(3, 61) && history.isPunct(5, 44) ? history.nameAt(4, text) : undefined;
      const named = nameArgument(arg);
      if (named) {
        pushNamed(
          { ...siteRange(named), name: named.name, constant: named.constant, form: guard, optional: true, dynamic: false, callStart: history.startOf(2), callEnd: paren.closeEnd, alias: resultName },
          named.used,
        );
      } else if (paren.closeIndex > 2 && arg.kind !== Kind.Eof) {
        pushSite({
          form: guard,
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
    result: () => {
      for (const { site, names } of fromConstants) {
        if (names.some((n) => constants.get(n) === null)) {
          // Assigned again somewhere: the value at the require is not known after all.
          site.dynamic = true;
          site.name = undefined;
          site.constant = undefined;
        }
      }
      return {
        requires,
        ffiLoads,
        registrations,
        newerSyntax,
        binaryNumbers,
        suppressions: findSuppressionComments(text, 'lua'),
        usesGoto: usesGoto || undefined,
        luakitApi: luakitApi || undefined,
        ...(requiresCut ? { requiresCut } : {}),
      };
    },
  };
}

function siteRange(named: { start: number; end: number; nameStart: number; nameEnd: number }): Pick<RequireSite, 'start' | 'end' | 'nameStart' | 'nameEnd'> {
  return { start: named.start, end: named.end, nameStart: named.nameStart, nameEnd: named.nameEnd };
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
