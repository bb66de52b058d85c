import { createScanCollector, LuaScan, NameRole, scanLua } from './luaScan';
import { Kind, P, Scanner } from './scanner';

/**
 * A fast syntax check that builds no tree: a recursive-descent recogniser of
 * Lua 5.1 as LuaJIT extends it, over the allocation-free scanner. It only
 * ever answers "valid" when it is sure; anything unusual (goto and labels,
 * number suffixes, escapes it does not know, broken tokens, or any error
 * at all) is left to luaparse, the judge, so the verdicts and messages are
 * luaparse's. Non-ASCII names are names, as in LuaJIT. Most files of a workspace are valid,
 * and for those this is several times faster than building an AST.
 */
export function isSurelyValid(text: string): boolean {
  try {
    const v = new Recogniser(text);
    v.chunk();
    return true;
  } catch {
    // BAIL, or deep nesting overflowing the recursion as it does luaparse's: let luaparse decide.
    return false;
  }
}

/**
 * The fast pass and the recogniser over one tokenization: every token the
 * recogniser reads is fed to the scan collector, and where it stops (an
 * error, a doubt) the rest of the text is scanned on its own.
 */
export function scanAndCheck(text: string): { scan: LuaScan; surelyValid: boolean } {
  const collector = createScanCollector(text);
  let surelyValid = false;
  let v: Recogniser | undefined;
  try {
    v = new Recogniser(text, (s, role) => collector.observe(s, role));
    v.chunk();
    surelyValid = true;
  } catch {
    surelyValid = false;
  }
  if (v) {
    v.drain((s) => collector.observe(s));
  } else {
    return { scan: scanLua(text), surelyValid: false };
  }
  return { scan: collector.result(), surelyValid };
}

const BAIL = { bail: true };

function bail(): never {
  throw BAIL;
}

/** Keyword kinds, in the order of LUA_KEYWORDS (keywordAt relies on it). */
export const enum K {
  None = 0,
  And,
  Break,
  Do,
  Else,
  Elseif,
  End,
  False,
  For,
  Function,
  Goto,
  If,
  In,
  Local,
  Nil,
  Not,
  Or,
  Repeat,
  Return,
  Then,
  True,
  Until,
  While,
}

/**
 * The keyword a name is (K.None for an identifier), by its length and
 * letters: this runs for every name of every file, so no lookup table and
 * nothing allocated. K lists the keywords in LUA_KEYWORDS' order; a test
 * checks every keyword against it.
 */
export function keywordAt(t: string, i: number, length: number): K {
  const c = t.charCodeAt(i);
  switch (length) {
    case 2: {
      const d = t.charCodeAt(i + 1);
      return c === 100 && d === 111 ? K.Do : c === 105 && d === 102 ? K.If : c === 105 && d === 110 ? K.In : c === 111 && d === 114 ? K.Or : K.None;
    }
    case 3:
      return c === 97
        ? word(t, i, 'and', K.And)
        : c === 101
          ? word(t, i, 'end', K.End)
          : c === 102
            ? word(t, i, 'for', K.For)
            : c === 110
              ? word(t, i, 'nil', K.Nil) || word(t, i, 'not', K.Not)
              : K.None;
    case 4:
      return c === 101 ? word(t, i, 'else', K.Else) : c === 103 ? word(t, i, 'goto', K.Goto) : c === 116 ? word(t, i, 'then', K.Then) || word(t, i, 'true', K.True) : K.None;
    case 5:
      return c === 98
        ? word(t, i, 'break', K.Break)
        : c === 102
          ? word(t, i, 'false', K.False)
          : c === 108
            ? word(t, i, 'local', K.Local)
            : c === 117
              ? word(t, i, 'until', K.Until)
              : c === 119
                ? word(t, i, 'while', K.While)
                : K.None;
    case 6:
      return c === 101 ? word(t, i, 'elseif', K.Elseif) : c === 114 ? word(t, i, 'repeat', K.Repeat) || word(t, i, 'return', K.Return) : K.None;
    case 8:
      return c === 102 ? word(t, i, 'function', K.Function) : K.None;
    default:
      return K.None;
  }
}

function word(t: string, i: number, w: string, k: K): K {
  return t.startsWith(w, i) ? k : K.None;
}

/** What the fast pass needs to know of a keyword (luaScan's block tracking). */
function roleOf(k: K): NameRole {
  switch (k) {
    case K.None:
      return NameRole.Name;
    case K.Function:
      return NameRole.Function;
    case K.If:
    case K.Do:
    case K.Repeat:
      return NameRole.Opener;
    case K.End:
    case K.Until:
      return NameRole.Closer;
    default:
      return NameRole.Keyword;
  }
}

const SIMPLE_NUMBER = /^(?:0[xX][0-9a-fA-F]+|[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?)$/;
/** The escapes the recogniser is sure of: `\a \b \f \n \r \t \v \\ \" \'`, a line break, decimal, `\x`, `\z`. */
function isKnownEscape(c: number): boolean {
  switch (c) {
    case 97: // a
    case 98: // b
    case 102: // f
    case 110: // n
    case 114: // r
    case 116: // t
    case 118: // v
    case 92: // backslash
    case 34: // "
    case 39: // '
    case 10:
    case 13:
    case 120: // x
    case 122: // z
      return true;
    default:
      return c >= 48 && c <= 57;
  }
}

class Recogniser {
  private readonly s: Scanner;
  private kw: K = K.None;
  private prevEnd = 0;
  private loops = 0;
  private vararg = true;

  constructor(
    private readonly text: string,
    private readonly observe?: (s: Scanner, role: NameRole) => void,
  ) {
    this.s = new Scanner(text);
    this.advance();
  }

  /** Scans (and feeds) the tokens after the one where recognition stopped. */
  drain(observe: (s: Scanner) => void): void {
    while (this.s.kind !== Kind.Eof && this.s.next() !== Kind.Eof) {
      observe(this.s);
    }
  }

  private advance(): void {
    this.prevEnd = this.s.end;
    const s = this.s;
    const t = this.text;
    const kind = s.next();
    this.kw = kind === Kind.Name ? keywordAt(t, s.start, s.end - s.start) : K.None;
    if (kind !== Kind.Eof && this.observe) {
      this.observe(s, roleOf(this.kw));
    }
    if (kind === Kind.Name) {
      if (this.kw === K.Goto) {
        bail();
      }
    } else if (kind === Kind.Number) {
      // Plain decimal integers need no closer look; anything else is matched.
      let plain = true;
      for (let i = s.start; i < s.end; i++) {
        const d = t.charCodeAt(i);
        if (d < 48 || d > 57) {
          plain = false;
          break;
        }
      }
      if (!plain && !SIMPLE_NUMBER.test(t.slice(s.start, s.end))) {
        bail();
      }
    } else if (kind === Kind.String) {
      if (s.unterminated) {
        bail();
      }
      if (!s.long) {
        for (let i = s.start + 1; i < s.end - 1; i++) {
          if (t.charCodeAt(i) === 92) {
            if (!isKnownEscape(t.charCodeAt(i + 1))) {
              bail();
            }
            i++;
          }
        }
      }
    } else if (kind === Kind.Punct) {
      if (s.punct === P.Label) {
        bail();
      }
    }
    if (s.brokenComment) {
      bail();
    }
  }

  private isName(): boolean {
    return this.s.kind === Kind.Name && this.kw === K.None;
  }

  private isPunct(code: number): boolean {
    return this.s.kind === Kind.Punct && this.s.punct === code;
  }

  private expectPunct(code: number): void {
    if (!this.isPunct(code)) {
      bail();
    }
    this.advance();
  }

  private expectKw(k: K): void {
    if (this.kw !== k) {
      bail();
    }
    this.advance();
  }

  private expectName(): void {
    if (!this.isName()) {
      bail();
    }
    this.advance();
  }

  chunk(): void {
    this.block();
    if (this.s.kind !== Kind.Eof) {
      bail();
    }
  }

  private blockFollows(): boolean {
    if (this.s.kind === Kind.Eof) {
      return true;
    }
    const k = this.kw;
    return k === K.Else || k === K.Elseif || k === K.End || k === K.Until;
  }

  private block(): void {
    while (!this.blockFollows()) {
      if (this.kw === K.Return) {
        this.advance();
        if (!this.blockFollows() && !this.isPunct(59)) {
          this.exprList();
        }
        if (this.isPunct(59)) {
          this.advance();
        }
        if (!this.blockFollows()) {
          bail();
        }
        return;
      }
      // LuaJIT (without its 5.2 mode) ends a block at `break` as at `return`: `break; x = 1` is an error.
      const last = this.kw === K.Break;
      this.statement();
      // Lua 5.1: one optional ';' after a statement, never an empty statement.
      if (this.isPunct(59)) {
        this.advance();
      }
      if (last && !this.blockFollows()) {
        bail();
      }
    }
  }

  private statement(): void {
    switch (this.kw) {
      case K.If:
        this.advance();
        this.expr();
        this.expectKw(K.Then);
        this.block();
        while ((this.kw as K) === K.Elseif) {
          this.advance();
          this.expr();
          this.expectKw(K.Then);
          this.block();
        }
        if ((this.kw as K) === K.Else) {
          this.advance();
          this.block();
        }
        this.expectKw(K.End);
        return;
      case K.While:
        this.advance();
        this.expr();
        this.expectKw(K.Do);
        this.loopBlock();
        this.expectKw(K.End);
        return;
      case K.Do:
        this.advance();
        this.block();
        this.expectKw(K.End);
        return;
      case K.For:
        this.advance();
        this.expectName();
        if (this.isPunct(61)) {
          this.advance();
          this.expr();
          this.expectPunct(44);
          this.expr();
          if (this.isPunct(44)) {
            this.advance();
            this.expr();
          }
        } else {
          while (this.isPunct(44)) {
            this.advance();
            this.expectName();
          }
          this.expectKw(K.In);
          this.exprList();
        }
        this.expectKw(K.Do);
        this.loopBlock();
        this.expectKw(K.End);
        return;
      case K.Repeat:
        this.advance();
        this.loopBlock();
        this.expectKw(K.Until);
        this.expr();
        return;
      case K.Function:
        this.advance();
        this.expectName();
        while (this.isPunct(46)) {
          this.advance();
          this.expectName();
        }
        if (this.isPunct(58)) {
          this.advance();
          this.expectName();
        }
        this.functionBody();
        return;
      case K.Local:
        this.advance();
        if ((this.kw as K) === K.Function) {
          this.advance();
          this.expectName();
          this.functionBody();
          return;
        }
        this.expectName();
        while (this.isPunct(44)) {
          this.advance();
          this.expectName();
        }
        if (this.isPunct(61)) {
          this.advance();
          this.exprList();
        }
        return;
      case K.Break:
        if (this.loops === 0) {
          bail();
        }
        this.advance();
        return;
      case K.None:
        this.expressionStatement();
        return;
      default:
        bail();
    }
  }

  private loopBlock(): void {
    this.loops++;
    this.block();
    this.loops--;
  }

  private expressionStatement(): void {
    let assignable = this.suffixedExpr();
    if (this.isPunct(61) || this.isPunct(44)) {
      while (this.isPunct(44)) {
        if (!assignable) {
          bail();
        }
        this.advance();
        assignable = this.suffixedExpr();
      }
      if (!assignable) {
        bail();
      }
      this.expectPunct(61);
      this.exprList();
      return;
    }
    // A statement that is an expression must be a call.
    if (assignable || !this.lastWasCall) {
      bail();
    }
  }

  private lastWasCall = false;

  /** Returns true when the expression can be assigned to (a name or an index); sets lastWasCall. */
  private suffixedExpr(): boolean {
    let assignable: boolean;
    let call = false;
    if (this.isName()) {
      this.advance();
      assignable = true;
    } else if (this.isPunct(40)) {
      this.advance();
      this.expr();
      this.expectPunct(41);
      assignable = false;
    } else {
      bail();
    }
    for (;;) {
      if (this.isPunct(46)) {
        this.advance();
        this.expectName();
        assignable = true;
        call = false;
      } else if (this.isPunct(91)) {
        this.advance();
        this.expr();
        this.expectPunct(93);
        assignable = true;
        call = false;
      } else if (this.isPunct(58)) {
        this.advance();
        this.expectName();
        this.callArgs();
        assignable = false;
        call = true;
      } else if (this.isPunct(40) || this.isPunct(123) || this.s.kind === Kind.String) {
        this.callArgs();
        assignable = false;
        call = true;
      } else {
        // Set last: the sub-expressions parsed above set it too.
        this.lastWasCall = call;
        return assignable;
      }
    }
  }

  private callArgs(): void {
    if (this.s.kind === Kind.String) {
      this.advance();
      return;
    }
    if (this.isPunct(123)) {
      this.table();
      return;
    }
    if (!this.isPunct(40)) {
      bail();
    }
    // LuaJIT: "ambiguous syntax (function call x new statement)" when '(' starts a new line.
    for (let i = this.prevEnd; i < this.s.start; i++) {
      if (this.text.charCodeAt(i) === 10) {
        bail();
      }
    }
    this.advance();
    if (!this.isPunct(41)) {
      this.exprList();
    }
    this.expectPunct(41);
  }

  private exprList(): void {
    this.expr();
    while (this.isPunct(44)) {
      this.advance();
      this.expr();
    }
  }

  private expr(): void {
    for (;;) {
      while (this.kw === K.Not || this.isPunct(45) || this.isPunct(35)) {
        this.advance();
      }
      this.simpleExpr();
      if (!this.binaryOperator()) {
        return;
      }
      this.advance();
    }
  }

  private binaryOperator(): boolean {
    if (this.kw === K.And || this.kw === K.Or) {
      return true;
    }
    if (this.s.kind !== Kind.Punct) {
      return false;
    }
    switch (this.s.punct) {
      case 43: // +
      case 45: // -
      case 42: // *
      case 47: // /
      case 37: // %
      case 94: // ^
      case 60: // <
      case 62: // >
      case P.LessEq:
      case P.GreaterEq:
      case P.Eq2:
      case P.NotEq:
      case P.Concat:
        return true;
      default:
        return false;
    }
  }

  private simpleExpr(): void {
    const s = this.s;
    if (s.kind === Kind.Number || s.kind === Kind.String) {
      this.advance();
      return;
    }
    switch (this.kw) {
      case K.Nil:
      case K.True:
      case K.False:
        this.advance();
        return;
      case K.Function:
        this.advance();
        this.functionBody();
        return;
      case K.None:
        break;
      default:
        bail();
    }
    if (this.isPunct(P.Dots)) {
      if (!this.vararg) {
        bail();
      }
      this.advance();
      return;
    }
    if (this.isPunct(123)) {
      this.table();
      return;
    }
    this.suffixedExpr();
  }

  private functionBody(): void {
    this.expectPunct(40);
    const outerVararg = this.vararg;
    const outerLoops = this.loops;
    this.vararg = false;
    this.loops = 0;
    if (!this.isPunct(41)) {
      for (;;) {
        if (this.isPunct(P.Dots)) {
          this.advance();
          this.vararg = true;
          break;
        }
        this.expectName();
        if (!this.isPunct(44)) {
          break;
        }
        this.advance();
      }
    }
    this.expectPunct(41);
    this.block();
    this.expectKw(K.End);
    this.vararg = outerVararg;
    this.loops = outerLoops;
  }

  private table(): void {
    this.expectPunct(123);
    while (!this.isPunct(125)) {
      if (this.isPunct(91)) {
        this.advance();
        this.expr();
        this.expectPunct(93);
        this.expectPunct(61);
        this.expr();
      } else if (this.isName() && this.nextIsAssign()) {
        this.advance();
        this.expectPunct(61);
        this.expr();
      } else {
        this.expr();
      }
      if (this.isPunct(44) || this.isPunct(59)) {
        this.advance();
      } else {
        break;
      }
    }
    this.expectPunct(125);
  }

  /** After a name inside a table: is it `name = …` (not `name == …`)? */
  private nextIsAssign(): boolean {
    let i = this.s.end;
    const t = this.text;
    for (;;) {
      const c = t.charCodeAt(i);
      if (c === 32 || c === 9 || c === 10 || c === 13) {
        i++;
      } else if (c === 45 && t.charCodeAt(i + 1) === 45) {
        // A comment between: let the scanner decide (rare).
        const look = this.s.clone();
        look.next();
        return look.kind === Kind.Punct && look.punct === 61;
      } else {
        return c === 61 && t.charCodeAt(i + 1) !== 61;
      }
    }
  }
}
