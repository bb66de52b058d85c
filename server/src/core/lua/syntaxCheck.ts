import { ExpressionRecogniser } from './expressionRecogniser';
import { K } from './keywords';
import { createScanCollector, LuaScan, scanLua } from './luaScan';
import { bail } from './recogniserTokens';
import { Kind } from './scanner';

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

/** Statements and blocks: the recogniser's top level (its expressions are in expressionRecogniser.ts). */
class Recogniser extends ExpressionRecogniser {
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

  protected block(): void {
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
}
