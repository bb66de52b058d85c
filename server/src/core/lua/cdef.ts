/**
 * Reads the C declarations of an `ffi.cdef` string far enough to know what
 * `ffi.C.<name>` can find: functions and variables (each looked up as a
 * symbol of the process when first indexed) and constants (enum values and
 * `static const` integers, which need no symbol). Types are skipped. It is
 * forgiving: LuaJIT's own C parser is the judge of validity.
 */

export type CdefKind = 'function' | 'variable' | 'constant';

export interface CdefName {
  name: string;
  kind: CdefKind;
  /** The symbol the lookup uses: the name, or an `asm("…")` redirection. */
  symbol: string;
  /** Offsets of the name in the C source. */
  start: number;
  end: number;
}

interface CToken {
  kind: 'id' | 'punct' | 'string' | 'number';
  text: string;
  start: number;
  end: number;
}

/** Words that begin a type or qualify one: never the declared name. */
const TYPE_WORDS = new Set([
  'void', 'char', 'short', 'int', 'long', 'float', 'double', 'signed', 'unsigned', 'bool', '_Bool', 'complex', '_Complex',
  'const', 'volatile', 'restrict', '__restrict', '__restrict__', 'extern', 'static', 'inline', '__inline', '__inline__',
  'struct', 'union', 'enum', 'typedef', '__extension__', '__const', '__volatile__', '__cdecl', '__stdcall', '__fastcall', '__thiscall',
]);

/** Type words that qualify a type without naming one. */
const QUALIFIERS = new Set(['const', 'volatile', 'extern', 'static', 'inline', '__inline', '__inline__', '__extension__', '__const', '__volatile__']);

function isIdStart(c: string): boolean {
  return /[A-Za-z_$]/.test(c);
}

/** Tokens of the C text; comments and preprocessor lines are dropped, offsets kept. */
function tokenizeC(src: string): CToken[] {
  const out: CToken[] = [];
  let i = 0;
  const n = src.length;
  let lineStart = true;
  while (i < n) {
    const c = src[i];
    if (c === '\n') {
      lineStart = true;
      i++;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v') {
      i++;
      continue;
    }
    if (lineStart && c === '#') {
      // LuaJIT accepts `#pragma pack` and ignores other directives' lines: neither declares a name.
      while (i < n && src[i] !== '\n') {
        i++;
      }
      continue;
    }
    lineStart = false;
    if (c === '/' && src[i + 1] === '*') {
      const close = src.indexOf('*/', i + 2);
      i = close < 0 ? n : close + 2;
      continue;
    }
    if (c === '/' && src[i + 1] === '/') {
      while (i < n && src[i] !== '\n') {
        i++;
      }
      continue;
    }
    const start = i;
    if (isIdStart(c)) {
      while (i < n && /[A-Za-z0-9_$]/.test(src[i])) {
        i++;
      }
      out.push({ kind: 'id', text: src.slice(start, i), start, end: i });
    } else if (/[0-9]/.test(c)) {
      while (i < n && /[A-Za-z0-9_.]/.test(src[i])) {
        i++;
      }
      out.push({ kind: 'number', text: src.slice(start, i), start, end: i });
    } else if (c === '"' || c === "'") {
      i++;
      while (i < n && src[i] !== c && src[i] !== '\n') {
        i += src[i] === '\\' ? 2 : 1;
      }
      i = Math.min(n, i + 1);
      out.push({ kind: 'string', text: src.slice(start + 1, i - 1), start, end: i });
    } else {
      i++;
      out.push({ kind: 'punct', text: c, start, end: i });
    }
  }
  return out;
}

/** Splits at `sep` outside (), [] and {}. */
function splitTopLevel(tokens: CToken[], sep: string): CToken[][] {
  const parts: CToken[][] = [];
  let current: CToken[] = [];
  let depth = 0;
  for (const t of tokens) {
    if (t.kind === 'punct' && (t.text === '(' || t.text === '[' || t.text === '{')) {
      depth++;
    } else if (t.kind === 'punct' && (t.text === ')' || t.text === ']' || t.text === '}')) {
      depth = Math.max(0, depth - 1);
    }
    if (depth === 0 && t.kind === 'punct' && t.text === sep) {
      parts.push(current);
      current = [];
    } else {
      current.push(t);
    }
  }
  if (current.length > 0) {
    parts.push(current);
  }
  return parts;
}

/** The index of the token closing the bracket opened at `open`, or the end. */
function closing(tokens: CToken[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    const t = tokens[i].text;
    if (tokens[i].kind !== 'punct') {
      continue;
    }
    if (t === '(' || t === '[' || t === '{') {
      depth++;
    } else if (t === ')' || t === ']' || t === '}') {
      depth--;
      if (depth === 0) {
        return i;
      }
    }
  }
  return tokens.length - 1;
}

/** Enum constants in every `enum … { A, B = 2 }` body of a declaration (a typedef's included). */
function enumConstants(tokens: CToken[]): CdefName[] {
  const names: CdefName[] = [];
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i].kind !== 'id' || tokens[i].text !== 'enum') {
      continue;
    }
    let j = i + 1;
    if (tokens[j]?.kind === 'id') {
      j++;
    }
    if (tokens[j]?.text !== '{') {
      continue;
    }
    const end = closing(tokens, j);
    for (const item of splitTopLevel(tokens.slice(j + 1, end), ',')) {
      const id = item[0];
      if (id?.kind === 'id') {
        names.push({ name: id.text, kind: 'constant', symbol: id.text, start: id.start, end: id.end });
      }
    }
    i = end;
  }
  return names;
}

/** Drops `__attribute__((…))`, `__declspec(…)` and struct/union/enum bodies; returns an `asm("sym")` redirection. */
function simplify(tokens: CToken[]): { tokens: CToken[]; asm?: string } {
  const out: CToken[] = [];
  let asm: string | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind === 'id' && /^(__attribute__|__attribute|__declspec|asm|__asm__|__asm)$/.test(t.text) && tokens[i + 1]?.text === '(') {
      const end = closing(tokens, i + 1);
      if (t.text.startsWith('asm') || t.text.startsWith('__asm')) {
        asm = tokens.slice(i + 2, end).find((x) => x.kind === 'string')?.text;
      }
      i = end;
      continue;
    }
    if (t.kind === 'punct' && t.text === '{') {
      i = closing(tokens, i);
      continue;
    }
    out.push(t);
  }
  return { tokens: out, asm };
}

/** The name a declarator declares, and whether it is a function. */
function declaratorName(tokens: CToken[], first: boolean): { token: CToken; isFunction: boolean } | undefined {
  // The first declarator carries the type words (`const char *name(void)`); later ones follow a comma.
  let i = 0;
  if (first) {
    while (i < tokens.length && tokens[i].kind === 'id' && TYPE_WORDS.has(tokens[i].text)) {
      const word = tokens[i].text;
      i++;
      if ((word === 'struct' || word === 'union' || word === 'enum') && tokens[i]?.kind === 'id') {
        i++;
      }
    }
    // Without a primitive or struct type so far, a type name (ngx_str_t, size_t) comes first: it is
    // followed by the declarator (`ngx_str_t *f`, `size_t f`, `size_t (*cb)`), not by `(`, `;` or `[`.
    const typed = tokens.slice(0, i).some((t) => !QUALIFIERS.has(t.text));
    const next = tokens[i + 1];
    const startsDeclarator = next !== undefined && (next.kind === 'id' || next.text === '*' || next.text === '^' || (next.text === '(' && /[*^]/.test(tokens[i + 2]?.text ?? '')));
    if (!typed && tokens[i]?.kind === 'id' && startsDeclarator) {
      i++;
    }
  }
  for (; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind === 'id' && !TYPE_WORDS.has(t.text)) {
      const next = tokens[i + 1];
      return { token: t, isFunction: next?.text === '(' && tokens[i - 1]?.text !== '(' };
    }
    if (t.kind === 'punct' && (t.text === '[' || t.text === '=')) {
      return undefined;
    }
  }
  return undefined;
}

/**
 * The names a cdef string declares, in order. Offsets are into `src`.
 * Function pointers (`int (*cb)(void)`) are variables; `static const`
 * declarations and enum values are constants.
 */
export function parseCdef(src: string): CdefName[] {
  const names: CdefName[] = [];
  for (const statement of splitTopLevel(tokenizeC(src), ';')) {
    if (statement.length === 0) {
      continue;
    }
    names.push(...enumConstants(statement));
    if (statement[0].kind === 'id' && statement[0].text === 'typedef') {
      continue;
    }
    const isStatic = statement.some((t) => t.kind === 'id' && t.text === 'static');
    const { tokens, asm } = simplify(statement);
    splitTopLevel(tokens, ',').forEach((declarator, index) => {
      const found = declaratorName(declarator, index === 0);
      if (!found) {
        return;
      }
      const kind: CdefKind = isStatic ? 'constant' : found.isFunction ? 'function' : 'variable';
      names.push({ name: found.token.text, kind, symbol: asm ?? found.token.text, start: found.token.start, end: found.token.end });
    });
  }
  return names;
}
