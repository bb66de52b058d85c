import { ModuleRegistration } from './requires';
import { isStringArgEnd } from './scanLookahead';
import { Kind, P, Scanner } from './scanner';
import { History } from './tokenHistory';

/**
 * Module names built from constants, as the fast pass follows them: `local
 * NAME = "a.b"; require(NAME)` and `require("a." .. NAME .. ".c")`, with a
 * local that is declared once with a constant string and never assigned
 * again (a parameter or loop variable of the same name shadows it).
 */

/** A name whose value is known: a local declared once with a constant string, and never assigned again. */
export type Constants = Map<string, string | null>;

/** A call argument that names a module: a literal, or built from constants (`used` lists the constants). */
export interface NamedArgument {
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

/** Declares a constant; a second declaration (or any assignment) makes the name unknowable to a single pass. */
export function declareConstant(constants: Constants, name: string, value: string | null): void {
  constants.set(name, constants.has(name) ? null : value);
}

/** The module name of a call's argument at `arg`, when the argument is a literal or constant and ends at `)` or `,`. */
export function namedArgument(arg: Scanner, constants: Constants): NamedArgument | undefined {
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
}

/** At an `=`: `local NAME = <expr>` declares a constant when <expr> is literals and constants joined by `..`; any other assignment of a constant undoes it. */
export function onAssign(constants: Constants, s: Scanner, history: History, text: string): void {
  if (history.kindOf(1) !== Kind.Name || history.isMemberAccess(2)) {
    return;
  }
  if (!history.isName(2, text, 'local') || !mayStartConstant(text, s.end, constants)) {
    // An assignment, or a declaration whose value is surely not constant: a known constant is no longer one.
    // (Most files have no constant: then no name is cut out of the text for every `=`.)
    if (constants.size > 0) {
      const name = history.nameAt(1, text)!;
      if (constants.has(name)) {
        constants.set(name, null);
      }
    }
    return;
  }
  const name = history.nameAt(1, text)!;
  const first = s.clone();
  first.next();
  const value = constantExpression(first, constants);
  if (value && !continuesExpression(value.after)) {
    declareConstant(constants, name, value.value);
  } else if (constants.has(name)) {
    constants.set(name, null);
  }
}

/** At `function`: its parameters shadow constants of the same name. */
export function shadowParameters(constants: Constants, s: Scanner): void {
  const look = s.clone();
  for (let steps = 0; steps < 64 && look.next() !== Kind.Eof; steps++) {
    if (look.kind === Kind.Name && constants.has(look.slice())) {
      constants.set(look.slice(), null);
    } else if (look.isPunct(41)) {
      return;
    }
  }
}

/** At `for`: its loop variables shadow constants of the same name. */
export function shadowLoopNames(constants: Constants, s: Scanner): void {
  const look = s.clone();
  while (look.next() === Kind.Name || look.isPunct(44)) {
    if (look.kind === Kind.Name && constants.has(look.slice())) {
      constants.set(look.slice(), null);
    }
  }
}

/** At `loaded`/`preload` of `package.`: `package.loaded["x"] = v` or `package.loaded.x = v` (v not nil) registers x; likewise package.preload. */
export function readRegistration(constants: Constants, s: Scanner, table: 'loaded' | 'preload'): ModuleRegistration | undefined {
  let look = s.clone();
  look.next();
  let key: { value: string; start: number; end: number };
  if (look.isPunct(91)) {
    look.next();
    const start = look.start;
    const value = constantExpression(look, constants);
    if (!value || !value.after.isPunct(93)) {
      return undefined;
    }
    key = { value: value.value, start, end: value.end };
    look = value.after;
  } else if (look.isPunct(46)) {
    look.next();
    if (look.kind !== Kind.Name) {
      return undefined;
    }
    key = { value: look.slice(), start: look.start, end: look.end };
  } else {
    return undefined;
  }
  look.next();
  if (!look.isPunct(61)) {
    return undefined;
  }
  look.next();
  return look.isName('nil') ? undefined : { name: key.value, table, start: key.start, end: key.end };
}
