/**
 * A small, forgiving Lua 5.1/LuaJIT lexer. It never throws: broken input
 * still yields tokens, so the facts we need (requires, their exact ranges)
 * survive syntax errors and half-typed code. Full parsing is luaparse's job.
 */

export type TokenKind = 'name' | 'string' | 'number' | 'punct' | 'eof';

export interface Token {
  kind: TokenKind;
  /** Offsets into the text: [start, end). */
  start: number;
  end: number;
  /** Names and punctuation: the text; strings: the decoded value. */
  value: string;
  /** Strings only: true for `[[…]]` / `[==[…]==]`. */
  long?: boolean;
  /** Strings only: the string was not closed before the line or file ended. */
  unterminated?: boolean;
}

const PUNCT3 = ['...'];
const PUNCT2 = ['==', '~=', '<=', '>=', '..', '::', '//', '<<', '>>'];

function isNameStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c >= 128;
}

function isNameChar(c: number): boolean {
  return isNameStart(c) || (c >= 48 && c <= 57);
}

function isDigit(c: number): boolean {
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

/** Finds the closing `]==]` of a long bracket; returns [contentEnd, tokenEnd]. */
function closeLongBracket(text: string, from: number, level: number): [number, number, boolean] {
  const closer = ']' + '='.repeat(level) + ']';
  const at = text.indexOf(closer, from);
  if (at < 0) {
    return [text.length, text.length, false];
  }
  return [at, at + closer.length, true];
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
      if (c !== undefined && isDigit(c.charCodeAt(0))) {
        let j = i;
        while (j < i + 3 && isDigit(text.charCodeAt(j))) {
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

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  const n = text.length;
  let i = shebangLength(text);
  if (i === 0 && text.charCodeAt(0) === 0xfeff) {
    i = 1;
  }
  while (i < n) {
    const c = text.charCodeAt(i);
    // Whitespace
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 11 || c === 12) {
      i++;
      continue;
    }
    // Comments
    if (c === 45 && text.charCodeAt(i + 1) === 45) {
      const lb = longBracketAt(text, i + 2);
      if (lb > 0) {
        i = closeLongBracket(text, i + 2 + lb, lb - 2)[1];
      } else {
        const nl = text.indexOf('\n', i);
        i = nl < 0 ? n : nl + 1;
      }
      continue;
    }
    if (isNameStart(c)) {
      let j = i + 1;
      while (j < n && isNameChar(text.charCodeAt(j))) {
        j++;
      }
      tokens.push({ kind: 'name', start: i, end: j, value: text.slice(i, j) });
      i = j;
      continue;
    }
    if (isDigit(c) || (c === 46 && isDigit(text.charCodeAt(i + 1)))) {
      let j = i + 1;
      const binary = c === 48 && (text.charCodeAt(i + 1) | 0x20) === 98;
      while (j < n) {
        const d = text.charCodeAt(j);
        if (isNameChar(d) || d === 46) {
          j++;
        } else if ((d === 43 || d === 45) && /[eEpP]/.test(text[j - 1]) && !binary) {
          j++;
        } else {
          break;
        }
      }
      tokens.push({ kind: 'number', start: i, end: j, value: text.slice(i, j) });
      i = j;
      continue;
    }
    if (c === 34 || c === 39) {
      let j = i + 1;
      let value = '';
      let closed = false;
      while (j < n) {
        const d = text.charCodeAt(j);
        if (d === c) {
          closed = true;
          j++;
          break;
        }
        if (d === 10 || d === 13) {
          break;
        }
        if (d === 92) {
          const [s, next] = decodeEscape(text, j + 1);
          value += s;
          j = next;
          continue;
        }
        value += text[j];
        j++;
      }
      tokens.push({ kind: 'string', start: i, end: j, value, unterminated: !closed || undefined });
      i = j;
      continue;
    }
    if (c === 91) {
      const lb = longBracketAt(text, i);
      if (lb > 0) {
        let contentStart = i + lb;
        // A newline right after the opener is not part of the string.
        if (text[contentStart] === '\r') {
          contentStart += text[contentStart + 1] === '\n' ? 2 : 1;
        } else if (text[contentStart] === '\n') {
          contentStart += text[contentStart + 1] === '\r' ? 2 : 1;
        }
        const [contentEnd, end, closed] = closeLongBracket(text, i + lb, lb - 2);
        tokens.push({
          kind: 'string',
          start: i,
          end,
          value: text.slice(contentStart, contentEnd),
          long: true,
          unterminated: !closed || undefined,
        });
        i = end;
        continue;
      }
    }
    const three = text.substr(i, 3);
    if (PUNCT3.includes(three)) {
      tokens.push({ kind: 'punct', start: i, end: i + 3, value: three });
      i += 3;
      continue;
    }
    const two = text.substr(i, 2);
    if (PUNCT2.includes(two)) {
      tokens.push({ kind: 'punct', start: i, end: i + 2, value: two });
      i += 2;
      continue;
    }
    tokens.push({ kind: 'punct', start: i, end: i + 1, value: text[i] });
    i++;
  }
  tokens.push({ kind: 'eof', start: n, end: n, value: '' });
  return tokens;
}
