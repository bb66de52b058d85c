import * as path from 'node:path';

/**
 * Why a module name is odd, or undefined when it is ordinary. Lua's loader
 * substitutes any name into the templates (`require "spec/helpers"` works),
 * but such names cannot be compiled with `luajit -n` and often hide a bug.
 */
export function suspiciousNameReason(name: string): string | undefined {
  if (name === '') {
    return 'the module name is empty';
  }
  if (path.isAbsolute(name) || /^[A-Za-z]:[\\/]/.test(name)) {
    return 'the module name is an absolute path';
  }
  if (name.includes('..')) {
    return "the module name contains '..'";
  }
  if (/^[./]|[./]$|\/\/|\.\/|\/\./.test(name)) {
    return 'the module name has an empty segment';
  }
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) {
    const bad = [...new Set(name.replace(/[A-Za-z0-9_.-]/g, ''))].map((c) => quoted(c)).join(' ');
    return `the module name contains characters outside [A-Za-z0-9_.-] (${bad})`;
  }
  return undefined;
}

/** Control characters and line separators: printed raw, they break a line (a `//` comment, a report line) or drive the terminal. */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/** A string in double quotes with every unprintable character escaped (JSON.stringify leaves DEL, C1 and U+2028 raw). */
function quoted(text: string): string {
  return JSON.stringify(text).replace(UNPRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A module name as a message shows it: as is, or quoted and escaped when it holds an unprintable character. */
export function printableName(name: string): string {
  return new RegExp(UNPRINTABLE.source).test(name) ? quoted(name) : name;
}

/** Libraries every Linux runtime image has; `ffi.load` of these needs nothing shipped. */
const SYSTEM_LIBRARIES = new Set(['c', 'm', 'dl', 'rt', 'pthread', 'util', 'resolv', 'crypt', 'ssl', 'crypto', 'z']);

/**
 * The file `ffi.load(name)` asks dlopen for (lj_clib.c, clib_extname): a
 * name with a '/' as is; else `.so` added when it has no '.', and `lib`
 * put in front when it does not start with it. `qjson` -> `libqjson.so`.
 */
export function ffiLibraryFile(name: string): string {
  if (name.includes('/')) {
    return name;
  }
  const withExt = name.includes('.') ? name : `${name}.so`;
  return withExt.startsWith('lib') ? withExt : `lib${withExt}`;
}

/** `ffi.load("ssl")`, `ffi.load("libz.so.1")` → whether it is a system library. */
export function isSystemLibrary(library: string): boolean {
  const base = path.basename(library).replace(/^lib/, '').replace(/\.so(\.\d+)*$/, '').replace(/\.dylib$/, '');
  return SYSTEM_LIBRARIES.has(base);
}
