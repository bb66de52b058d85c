
/**
 * A Lua lexer that allocates nothing per token: the fast pass over every
 * file of a workspace. Tokens are described by numbers (kind, offsets, a
 * punctuation code); text is sliced only where a caller asks for it.
 * It accepts the same input as `tokenize` (which builds token objects for
 * navigation) and never throws.
 */
export const enum Kind {
  Eof = 0,
  Name = 1,
  String = 2,
  Number = 3,
  Punct = 4,
}

/** Punctuation codes: a single character is its char code; two-character operators get these. */
export const enum P {
  Eq2 = 256, // ==
  NotEq, // ~=
  LessEq, // <=
  GreaterEq, // >=
  Concat, // ..
  Label, // ::
  IntDiv, // //
  ShiftL, // <<
  ShiftR, // >>
  Dots, // ...
}

/** The code of a two-character operator starting with c, d; 0 when there is none. */
function twoCharCode(c: number, d: number): number {
  switch (c) {
    case 61: // =
      return d === 61 ? P.Eq2 : 0;
    case 126: // ~
      return d === 61 ? P.NotEq : 0;
    case 60: // <
      return d === 61 ? P.LessEq : d === 60 ? P.ShiftL : 0;
    case 62: // >
      return d === 61 ? P.GreaterEq : d === 62 ? P.ShiftR : 0;
    case 46: // .
      return d === 46 ? P.Concat : 0;
    case 58: // :
      return d === 58 ? P.Label : 0;
    case 47: // /
      return d === 47 ? P.IntDiv : 0;
    default:
      return 0;
  }
}

// Character classes, indexed by char code (0-127); codes >= 128 are name characters, as in LuaJIT.
const NAME_START = new Uint8Array(128);
const NAME_PART = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const alpha = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
  NAME_START[c] = alpha ? 1 : 0;
  NAME_PART[c] = alpha || (c >= 48 && c <= 57) ? 1 : 0;
}

function isNamePart(c: number): boolean {
  return c >= 128 || NAME_PART[c] === 1;
}

function isDigitCode(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Length of a long bracket opener `[==[` at i (its level + 2), or -1. */
export function longBracketAt(text: string, i: number): number {
  if (text.charCodeAt(i) !== 91) {
    return -1;
  }
  let j = i + 1;
  while (text.charCodeAt(j) === 61) {
    j++;
  }
  return text.charCodeAt(j) === 91 ? j - i + 1 : -1;
}

export function decodeEscape(text: string, i: number): [string, number] {
  // i points after the backslash.
  const c = text[i];
  switch (c) {
    case 'n':
      return ['\n', i + 1];
    case 't':
      return ['\t', i + 1];
    case 'r':
      return ['\r', i + 1];
    case 'a':
      return ['\x07', i + 1];
    case 'b':
      return ['\b', i + 1];
    case 'f':
      return ['\f', i + 1];
    case 'v':
      return ['\v', i + 1];
    case 'x': {
      const hex = text.slice(i + 1, i + 3);
      return [String.fromCharCode(parseInt(hex, 16) || 0), i + 3];
    }
    case 'z': {
      let j = i + 1;
      while (j < text.length && /\s/.test(text[j])) {
        j++;
      }
      return ['', j];
    }
    case 'u': {
      const close = text.indexOf('}', i);
      if (text[i + 1] === '{' && close > 0) {
        // Only hex digits count (parseInt would take "-f" as -15 and fromCodePoint would throw).
        const digits = text.slice(i + 2, close);
        const code = /^[0-9a-fA-F]{1,8}$/.test(digits) ? parseInt(digits, 16) : -1;
        return [code >= 0 && code <= 0x10ffff ? String.fromCodePoint(code) : '', close + 1];
      }
      return ['u', i + 1];
    }
    case '\r':
    case '\n': {
      let j = i + 1;
      const d = text[j];
      if ((d === '\r' || d === '\n') && d !== c) {
        j++;
      }
      return ['\n', j];
    }
    default:
      if (c !== undefined && isDigitCode(c.charCodeAt(0))) {
        let j = i;
        while (j < i + 3 && isDigitCode(text.charCodeAt(j))) {
          j++;
        }
        return [String.fromCharCode(parseInt(text.slice(i, j), 10) & 0xff), j];
      }
      return [c ?? '', i + 1];
  }
}

/** Skips a `#!` first line, as lua.c and luajit do. */
export function shebangLength(text: string): number {
  let start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  if (text.charCodeAt(start) === 35) {
    const nl = text.indexOf('\n', start);
    start = nl < 0 ? text.length : nl;
    return start;
  }
  return 0;
}

export class Scanner {
  kind: Kind = Kind.Eof;
  start = 0;
  end = 0;
  /** For Punct: the char code or a P code. */
  punct = 0;
  /** For String: `[[…]]` form, and whether it was closed. */
  long = false;
  unterminated = false;
  /** A long comment ran to the end of the text without its closing bracket. */
  brokenComment = false;
  pos: number;

  constructor(
    readonly text: string,
    pos?: number,
  ) {
    if (pos === undefined) {
      pos = shebangLength(text);
      if (pos === 0 && text.charCodeAt(0) === 0xfeff) {
        pos = 1;
      }
    }
    this.pos = pos;
  }

  clone(): Scanner {
    const s = new Scanner(this.text, this.pos);
    s.kind = this.kind;
    s.start = this.start;
    s.end = this.end;
    s.punct = this.punct;
    s.long = this.long;
    s.unterminated = this.unterminated;
    s.nextCr = this.nextCr;
    return s;
  }

  /** True when the current token is the name `word`. */
  isName(word: string): boolean {
    return this.kind === Kind.Name && this.end - this.start === word.length && this.text.startsWith(word, this.start);
  }

  isPunct(code: number): boolean {
    return this.kind === Kind.Punct && this.punct === code;
  }

  slice(): string {
    return this.text.slice(this.start, this.end);
  }

  /** A string token's value, decoded like Lua does. */
  stringValue(): string {
    const t = this.text;
    if (this.long) {
      const open = longBracketAt(t, this.start);
      let s = this.start + open;
      if (t[s] === '\r') {
        s += t[s + 1] === '\n' ? 2 : 1;
      } else if (t[s] === '\n') {
        s += t[s + 1] === '\r' ? 2 : 1;
      }
      return t.slice(s, this.unterminated ? this.end : Math.max(s, this.end - open));
    }
    const q = t.charCodeAt(this.start);
    const stop = this.unterminated ? this.end : this.end - 1;
    let j = this.start + 1;
    // Look for a backslash inside this string only: indexOf would scan the rest of the text.
    let plain = true;
    for (let k = j; k < stop; k++) {
      if (t.charCodeAt(k) === 92) {
        plain = false;
        break;
      }
    }
    if (plain) {
      return t.slice(j, stop);
    }
    let value = '';
    while (j < stop) {
      const d = t.charCodeAt(j);
      if (d === 92) {
        const [s, next] = decodeEscape(t, j + 1);
        value += s;
        j = next;
      } else if (d === q) {
        break;
      } else {
        value += t[j++];
      }
    }
    return value;
  }

  /** The offsets of a string token's content (inside quotes or brackets). */
  contentRange(): [number, number] {
    if (this.long) {
      const open = longBracketAt(this.text, this.start);
      return [this.start + open, Math.max(this.start + open, this.end - (this.unterminated ? 0 : open))];
    }
    return [this.start + 1, Math.max(this.start + 1, this.end - (this.unterminated ? 0 : 1))];
  }

  /** Advances to the next token, skipping white space and comments. */
  next(): Kind {
    const t = this.text;
    const n = t.length;
    let i = this.pos;
    for (;;) {
      if (i >= n) {
        this.kind = Kind.Eof;
        this.start = this.end = this.pos = n;
        return Kind.Eof;
      }
      const c = t.charCodeAt(i);
      // Space, or \t \n \v \f \r.
      if (c === 32 || (c >= 9 && c <= 13)) {
        i++;
        continue;
      }
      if (c === 45 && t.charCodeAt(i + 1) === 45) {
        const lb = t.charCodeAt(i + 2) === 91 ? longBracketAt(t, i + 2) : -1;
        if (lb > 0) {
          const closer = ']' + '='.repeat(lb - 2) + ']';
          const at = t.indexOf(closer, i + 2 + lb);
          if (at < 0) {
            this.brokenComment = true;
          }
          i = at < 0 ? n : at + closer.length;
        } else {
          i = this.lineEnd(i);
        }
        continue;
      }
      break;
    }
    this.start = i;
    const c = t.charCodeAt(i);
    if (c >= 128 || NAME_START[c] === 1) {
      // Bytes 0x80-0xFF are identifier characters in LuaJIT (lj_char_isident): any non-ASCII character is.
      let j = i + 1;
      for (; j < n; j++) {
        const d = t.charCodeAt(j);
        if (d < 128 && NAME_PART[d] !== 1) {
          break;
        }
      }
      return this.finish(Kind.Name, j);
    }
    const d1 = t.charCodeAt(i + 1);
    if ((c >= 48 && c <= 57) || (c === 46 && d1 >= 48 && d1 <= 57)) {
      let j = i + 1;
      // LuaJIT's lex_number: a sign belongs to the number after the exponent letter of its kind only,
      // `p` in a hex number and `e` in any other (0x1e+5 is 0x1e plus 5; 0b1e+1 is one malformed number).
      const exponent = c === 48 && (d1 === 120 || d1 === 88) ? 112 : 101;
      while (j < n) {
        const d = t.charCodeAt(j);
        if (isNamePart(d) || d === 46) {
          j++;
        } else if ((d === 43 || d === 45) && (t.charCodeAt(j - 1) | 0x20) === exponent) {
          j++;
        } else {
          break;
        }
      }
      return this.finish(Kind.Number, j);
    }
    if (c === 34 || c === 39) {
      let j = i + 1;
      this.long = false;
      this.unterminated = true;
      while (j < n) {
        const d = t.charCodeAt(j);
        if (d === c) {
          this.unterminated = false;
          j++;
          break;
        }
        if (d === 10 || d === 13) {
          break;
        }
        if (d === 92) {
          // An escaped line break continues the string, `\z` skips the white space after it
          // (line breaks included); anything else is one escape.
          const e = t.charCodeAt(j + 1);
          if (e === 122) {
            j += 2;
            while (j < n && /\s/.test(t[j])) {
              j++;
            }
          } else {
            j += (e === 13 && t.charCodeAt(j + 2) === 10) || (e === 10 && t.charCodeAt(j + 2) === 13) ? 3 : 2;
          }
          continue;
        }
        j++;
      }
      return this.finish(Kind.String, Math.min(j, n));
    }
    if (c === 91) {
      const lb = longBracketAt(t, i);
      if (lb > 0) {
        const closer = ']' + '='.repeat(lb - 2) + ']';
        const at = t.indexOf(closer, i + lb);
        this.long = true;
        this.unterminated = at < 0;
        return this.finish(Kind.String, at < 0 ? n : at + closer.length);
      }
    }
    if (c === 46 && d1 === 46 && t.charCodeAt(i + 2) === 46) {
      this.punct = P.Dots;
      return this.finish(Kind.Punct, i + 3);
    }
    const two = twoCharCode(c, d1);
    if (two !== 0) {
      this.punct = two;
      return this.finish(Kind.Punct, i + 2);
    }
    this.punct = c;
    return this.finish(Kind.Punct, i + 1);
  }

  /**
   * Where a line comment starting at i ends (after its line break): at the
   * first '\n' or '\r', as in LuaJIT's lexer, so code after a lone '\r' is
   * code. Where the next '\r' is is remembered, so a file with CRLF or no
   * '\r' at all is still searched once.
   */
  private lineEnd(i: number): number {
    const t = this.text;
    const nl = t.indexOf('\n', i);
    if (this.nextCr !== -1 && this.nextCr < i) {
      this.nextCr = t.indexOf('\r', i);
    }
    const end = this.nextCr !== -1 && (nl < 0 || this.nextCr < nl) ? this.nextCr : nl;
    return end < 0 ? t.length : end + 1;
  }

  /** The first '\r' at or after the last comment's start (-1: none left); -2 until first asked. */
  private nextCr = -2;

  private finish(kind: Kind, end: number): Kind {
    this.kind = kind;
    this.end = end;
    this.pos = end;
    return kind;
  }
}
