import { K } from './keywords';
import { bail, TokenReader } from './recogniserTokens';
import { Kind, P } from './scanner';

/**
 * Lua expressions for the syntax recogniser, as LuaJIT's parser reads them:
 * prefix and suffixed expressions, calls (no '(' on a new line), operators,
 * function bodies (their vararg and loop scopes) and table constructors.
 */
export abstract class ExpressionRecogniser extends TokenReader {
  /** Statements: a function body holds a block. */
  protected abstract block(): void;

  protected loops = 0;
  protected vararg = true;
  protected lastWasCall = false;

  /** Returns true when the expression can be assigned to (a name or an index); sets lastWasCall. */
  protected suffixedExpr(): boolean {
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

  protected callArgs(): void {
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

  protected exprList(): void {
    this.expr();
    while (this.isPunct(44)) {
      this.advance();
      this.expr();
    }
  }

  protected expr(): void {
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

  protected binaryOperator(): boolean {
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

  protected simpleExpr(): void {
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

  protected functionBody(): void {
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

  protected table(): void {
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
  protected nextIsAssign(): boolean {
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
