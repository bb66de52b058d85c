import type * as ast from 'luaparse/lib/ast';
import { Condition, FactName } from './ffiFacts';

/**
 * What the names in scope hold as far as the FFI scan cares (the ffi module,
 * `ffi.C`, `ffi.cdef`, `jit`, `pcall`, a subsystem or platform fact, a
 * condition on one), block by block as Lua scopes locals, and what a branch
 * condition says about the subsystem and the platform. The walk
 * (ffiScan.ts) keeps the scopes in step with the blocks it enters and asks
 * this what each expression is.
 */

type Binding =
  | { kind: 'ffi' }
  | { kind: 'C' }
  | { kind: 'cdef' }
  | { kind: 'jit' }
  | { kind: 'pcall' }
  | { kind: 'fact'; fact: FactName }
  | { kind: 'cond'; cond: Condition };

const UNKNOWN: Condition = { kind: 'unknown' };

export function not(c: Condition): Condition {
  return c.kind === 'known' ? { kind: 'known', value: !c.value } : { kind: 'not', of: c };
}

function isRequireOf(expr: ast.Expression, module: string): boolean {
  if (expr.type === 'CallExpression' && expr.base.type === 'Identifier' && expr.base.name === 'require') {
    const arg = expr.arguments[0];
    return expr.arguments.length === 1 && arg?.type === 'StringLiteral' && arg.value === module;
  }
  return expr.type === 'StringCallExpression' && expr.base.type === 'Identifier' && expr.base.name === 'require' && expr.argument.type === 'StringLiteral' && expr.argument.value === module;
}

/** The scopes of one file's walk, innermost last. */
export class FfiBindings {
  private readonly scopes: Map<string, Binding | null>[] = [new Map()];

  /** A block begins: its locals shadow the outer ones until it ends. */
  open(): void {
    this.scopes.push(new Map());
  }

  close(): void {
    this.scopes.pop();
  }

  private lookup(name: string): Binding | undefined {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const hit = this.scopes[i].get(name);
      if (hit !== undefined) {
        return hit ?? undefined;
      }
    }
    // Globals: LuaJIT has `jit` and the standard `pcall`; `ffi` only once required, but code names it so.
    return name === 'jit' ? { kind: 'jit' } : name === 'ffi' ? { kind: 'ffi' } : name === 'pcall' || name === 'xpcall' ? { kind: 'pcall' } : undefined;
  }

  bind(name: string, binding: Binding | undefined): void {
    this.scopes[this.scopes.length - 1].set(name, binding ?? null);
  }

  rebind(name: string, binding: Binding | undefined): void {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      if (this.scopes[i].has(name)) {
        this.scopes[i].set(name, binding ?? null);
        return;
      }
    }
    this.scopes[0].set(name, binding ?? null);
  }

  isKind(expr: ast.Expression, kind: Binding['kind']): boolean {
    return expr.type === 'Identifier' && this.lookup(expr.name)?.kind === kind;
  }

  /** `ffi.C` (through any alias of the ffi module) or a local holding it. */
  isC(expr: ast.Expression): boolean {
    if (this.isKind(expr, 'C')) {
      return true;
    }
    return expr.type === 'MemberExpression' && expr.indexer === '.' && expr.identifier.name === 'C' && (this.isKind(expr.base, 'ffi') || isRequireOf(expr.base, 'ffi'));
  }

  /** `ffi.cdef`, or a local holding it (`local ffi_cdef = ffi.cdef`). */
  isCdef(expr: ast.Expression): boolean {
    return this.isKind(expr, 'cdef') || (expr.type === 'MemberExpression' && expr.identifier.name === 'cdef' && this.isKind(expr.base, 'ffi'));
  }

  private factOf(expr: ast.Expression): FactName | undefined {
    if (expr.type === 'Identifier') {
      const b = this.lookup(expr.name);
      return b?.kind === 'fact' ? b.fact : undefined;
    }
    if (expr.type !== 'MemberExpression' || expr.indexer !== '.') {
      return undefined;
    }
    const field = expr.identifier.name;
    if (field === 'subsystem' && expr.base.type === 'MemberExpression' && expr.base.identifier.name === 'config' && expr.base.base.type === 'Identifier' && expr.base.base.name === 'ngx') {
      return 'subsystem';
    }
    if ((field === 'os' || field === 'arch') && (this.isKind(expr.base, 'jit') || this.isKind(expr.base, 'ffi'))) {
      return field;
    }
    return undefined;
  }

  /** What a branch condition says about the subsystem and the platform. */
  condition(expr: ast.Expression): Condition {
    switch (expr.type) {
      case 'BinaryExpression': {
        if (expr.operator !== '==' && expr.operator !== '~=') {
          return UNKNOWN;
        }
        const [factSide, other] = this.factOf(expr.left) ? [expr.left, expr.right] : [expr.right, expr.left];
        const fact = this.factOf(factSide);
        if (!fact || other.type !== 'StringLiteral' || typeof other.value !== 'string') {
          return UNKNOWN;
        }
        const is: Condition = { kind: 'is', fact, value: other.value };
        return expr.operator === '==' ? is : not(is);
      }
      case 'LogicalExpression':
        return { kind: expr.operator, left: this.condition(expr.left), right: this.condition(expr.right) };
      case 'UnaryExpression':
        return expr.operator === 'not' ? not(this.condition(expr.argument)) : UNKNOWN;
      case 'BooleanLiteral':
        return { kind: 'known', value: expr.value };
      case 'NilLiteral':
        return { kind: 'known', value: false };
      case 'Identifier': {
        const b = this.lookup(expr.name);
        return b?.kind === 'cond' ? b.cond : b?.kind === 'jit' || b?.kind === 'ffi' ? { kind: 'known', value: true } : UNKNOWN;
      }
      case 'MemberExpression':
        // `jit.os` as a value is a string: truthy.
        return this.factOf(expr) === 'os' || this.factOf(expr) === 'arch' ? { kind: 'known', value: true } : UNKNOWN;
      default:
        return UNKNOWN;
    }
  }

  /** What a local takes from its initial value. */
  bindingOf(expr: ast.Expression | undefined): Binding | undefined {
    if (!expr) {
      return undefined;
    }
    if (isRequireOf(expr, 'ffi')) {
      return { kind: 'ffi' };
    }
    if (isRequireOf(expr, 'jit')) {
      return { kind: 'jit' };
    }
    if (this.isC(expr)) {
      return { kind: 'C' };
    }
    if (this.isCdef(expr)) {
      return { kind: 'cdef' };
    }
    if (expr.type === 'Identifier') {
      const b = this.lookup(expr.name);
      if (b) {
        return b;
      }
    }
    const fact = this.factOf(expr);
    if (fact) {
      return { kind: 'fact', fact };
    }
    const cond = this.condition(expr);
    return cond.kind === 'unknown' ? undefined : { kind: 'cond', cond };
  }
}
