import { K, keywordAt } from './keywords';
import { NameRole } from './luaScan';
import { isPlainDigits } from './numberLiteral';
import { Kind, P, Scanner } from './scanner';

/**
 * The token level of the syntax recogniser (syntaxCheck.ts): reading the
 * next token, feeding it to the fast pass, and bailing out to luaparse on
 * any token it is not sure of (goto, labels, odd numbers and escapes,
 * broken strings and comments).
 */

const BAIL = { bail: true };

export function bail(): never {
  throw BAIL;
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

/** The recogniser's cursor: the current token, its keyword kind, and the expect/bail steps of recursive descent. */
export abstract class TokenReader {
  protected readonly s: Scanner;
  protected kw: K = K.None;
  protected prevEnd = 0;

  constructor(
    protected readonly text: string,
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

  protected advance(): void {
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
      if (!isPlainDigits(t, s.start, s.end) && !SIMPLE_NUMBER.test(t.slice(s.start, s.end))) {
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

  protected isName(): boolean {
    return this.s.kind === Kind.Name && this.kw === K.None;
  }

  protected isPunct(code: number): boolean {
    return this.s.kind === Kind.Punct && this.s.punct === code;
  }

  protected expectPunct(code: number): void {
    if (!this.isPunct(code)) {
      bail();
    }
    this.advance();
  }

  protected expectKw(k: K): void {
    if (this.kw !== k) {
      bail();
    }
    this.advance();
  }

  protected expectName(): void {
    if (!this.isName()) {
      bail();
    }
    this.advance();
  }
}
