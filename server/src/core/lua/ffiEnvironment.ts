import { Condition, VersionCheck } from './ffiFacts';

/**
 * The FFI facts of a file judged against one binary: which branch conditions
 * can hold there and whether a version check raises its error. Apart from
 * the scan: the verdicts (core/embed/ffi.ts, the nginx audit) ask this of
 * facts already found (stored ones too), for each binary, parsing nothing.
 */

/** What is known about the binary a module will run in. Missing facts are unknown. */
export interface FfiEnvironment {
  /** The subsystems whose Lua module the binary has (a module runs in one of them). */
  subsystems?: readonly string[];
  os?: string;
  arch?: string;
}

function evaluate(c: Condition, facts: { subsystem?: string; os?: string; arch?: string }): boolean | undefined {
  switch (c.kind) {
    case 'known':
      return c.value;
    case 'unknown':
      return undefined;
    case 'is': {
      const actual = facts[c.fact];
      return actual === undefined ? undefined : actual === c.value;
    }
    case 'not': {
      const v = evaluate(c.of, facts);
      return v === undefined ? undefined : !v;
    }
    case 'and': {
      const l = evaluate(c.left, facts);
      const r = evaluate(c.right, facts);
      return l === false || r === false ? false : l === true && r === true ? true : undefined;
    }
    case 'or': {
      const l = evaluate(c.left, facts);
      const r = evaluate(c.right, facts);
      return l === true || r === true ? true : l === false && r === false ? false : undefined;
    }
  }
}

/** Whether a version check raises its error on a lua-nginx-module of this version. */
export function versionCheckFails(check: VersionCheck, actual: number): boolean {
  switch (check.op) {
    case '~=':
      return actual !== check.version;
    case '==':
      return actual === check.version;
    case '<':
      return actual < check.version;
    case '<=':
      return actual <= check.version;
    case '>':
      return actual > check.version;
    case '>=':
      return actual >= check.version;
  }
}

/** False when some branch condition cannot hold on this binary (another subsystem, another OS). */
export function canRun(conditions: readonly Condition[], env: FfiEnvironment): boolean {
  const subsystems = env.subsystems && env.subsystems.length > 0 ? env.subsystems : [undefined];
  return subsystems.some((subsystem) => conditions.every((c) => evaluate(c, { subsystem, os: env.os, arch: env.arch }) !== false));
}
