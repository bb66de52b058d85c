import type * as ast from 'luaparse/lib/ast';
import { parseCdef } from './cdef';
import { FfiDeclaration } from './ffiFacts';

/**
 * What the argument of an `ffi.cdef` call declares: its text as far as it
 * is known before run time (a literal, a `..` chain, a `string.format`),
 * each name at its place in the file, and the names a name built at run
 * time can take. Apart from the walk (ffiScan.ts): it reads one expression
 * and the file's text, nothing of the scopes.
 */

/** Stands for the computed parts of a cdef text: an identifier C code never has. */
export const CDEF_HOLE = '__resty_build_hole__';

/** The text of a cdef argument: a literal, a `..` chain or a `string.format`, computed parts as CDEF_HOLE. */
function cdefTemplate(e: ast.Expression): string | undefined {
  if (e.type === 'StringLiteral') {
    return typeof e.value === 'string' ? e.value : undefined;
  }
  if (e.type === 'BinaryExpression' && e.operator === '..') {
    const left = cdefTemplate(e.left);
    const right = cdefTemplate(e.right);
    // A hole next to name characters joins the name: `"int " .. prefix .. "_init(void);"` declares `<prefix>_init`.
    return left === undefined && right === undefined ? undefined : `${left ?? CDEF_HOLE}${right ?? CDEF_HOLE}`;
  }
  const format =
    e.type === 'CallExpression' && e.base.type === 'MemberExpression' && e.base.identifier.name === 'format'
      ? e.base.indexer === ':'
        ? e.base.base
        : e.base.base.type === 'Identifier' && e.base.base.name === 'string'
          ? e.arguments[0]
          : undefined
      : undefined;
  const template = format && cdefTemplate(format);
  return template?.replace(/%%|%[-+ #0]*\d*(?:\.\d+)?[sdiqxXuc]/g, (spec) => (spec === '%%' ? '%' : CDEF_HOLE));
}

/**
 * What the cdef argument `arg`, at `start`..`end` of `text`, declares;
 * undefined when its text is not known before run time (it may declare anything).
 */
export function cdefDeclarations(text: string, arg: ast.Expression, [start, end]: readonly [number, number]): FfiDeclaration[] | undefined {
  const template = cdefTemplate(arg);
  if (template === undefined) {
    return undefined;
  }
  const declarations: FfiDeclaration[] = [];
  const raw = text.slice(start, end);
  const open = arg.type === 'StringLiteral' ? /^\[=*\[/.exec(raw)?.[0].length : undefined;
  if (open === undefined) {
    // Escapes and computed parts move offsets, so every name points at the whole argument.
    for (const n of parseCdef(template)) {
      declarations.push({ name: n.name, kind: n.kind, symbol: n.symbol, start, end, pattern: namePattern(n.name) });
    }
    return declarations;
  }
  // A long string is the raw text (minus a first newline), so names get their exact place.
  let body = start + open;
  if (text[body] === '\r') {
    body += text[body + 1] === '\n' ? 2 : 1;
  } else if (text[body] === '\n') {
    body += text[body + 1] === '\r' ? 2 : 1;
  }
  for (const n of parseCdef(text.slice(body, Math.max(body, end - open)))) {
    declarations.push({ name: n.name, kind: n.kind, symbol: n.symbol, start: body + n.start, end: body + n.end });
  }
  return declarations;
}

/** The names a templated cdef name can take, as a regular expression; undefined for a plain name. */
function namePattern(name: string): string | undefined {
  if (!name.includes(CDEF_HOLE)) {
    return undefined;
  }
  return `^${name
    .split(CDEF_HOLE)
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('[A-Za-z0-9_]*')}$`;
}
