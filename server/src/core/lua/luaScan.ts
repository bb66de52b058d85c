import { Constants, declareConstant, namedArgument, onAssign, readRegistration, shadowLoopNames, shadowParameters } from './constantNames';
import { FfiLoadSite, ModuleRegistration, RequireForm, RequireSite } from './requires';
import { blockKeyword, matchParen, skipArgument } from './scanLookahead';
import { Kind, P, Scanner } from './scanner';
import { findSuppressionComments, SuppressionComment } from './suppressionComments';
import { History } from './tokenHistory';

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
  const nameArgument = (arg: Scanner) => namedArgument(arg, constants);
  const pushNamed = (site: RequireSite, used: string[] | undefined) => {
    pushSite(site);
    if (site.constant && used) {
      fromConstants.push({ site, names: used });
    }
  };

  const handle = (s: Scanner, role: NameRole): void => {
    if (s.kind === Kind.Punct) {
      const newer = newerSyntaxMessage(s.punct);
      if (newer) {
        newerSyntax.push({ message: newer, start: s.start, end: s.end });
      } else if (s.punct === 61) {
        onAssign(constants, s, history, text);
      } else if (s.punct === 44 && constants.size > 0 && history.kindOf(1) === Kind.Name && history.isName(2, text, 'local')) {
        // `local a, b = …`: no single constant value.
        declareConstant(constants, history.nameAt(1, text)!, null);
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
          shadowParameters(constants, s);
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
        shadowLoopNames(constants, s);
        return;
      }
    }
    if ((length === 6 || length === 7) && history.isPunct(1, 46) && history.isName(2, text, 'package') && !history.isMemberAccess(3)) {
      if (s.isName('loaded') || s.isName('preload')) {
        const registration = readRegistration(constants, s, length === 6 ? 'loaded' : 'preload');
        if (registration) {
          registrations.push(registration);
        }
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
          namedSite(named, form, false, s.start, paren.closeEnd, alias),
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
          namedSite(named, guard, true, history.startOf(2), paren.closeEnd, resultName),
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

/**
 * A site whose module name is known, written out field by field in one
 * order: one object shape for every such site (spreading the range into a
 * literal cost more than the rest of the file's require handling).
 */
function namedSite(
  named: { start: number; end: number; nameStart: number; nameEnd: number; name: string; constant?: boolean },
  form: RequireForm,
  optional: boolean,
  callStart: number,
  callEnd: number,
  alias: string | undefined,
): RequireSite {
  return {
    start: named.start,
    end: named.end,
    nameStart: named.nameStart,
    nameEnd: named.nameEnd,
    name: named.name,
    constant: named.constant,
    form,
    optional,
    dynamic: false,
    callStart,
    callEnd,
    alias,
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
