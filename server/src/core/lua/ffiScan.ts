import * as luaparse from 'luaparse';
import type * as ast from 'luaparse/lib/ast';
import { CdefKind, parseCdef } from './cdef';

/**
 * What one Lua file does with LuaJIT's FFI at the boundary to native code:
 * which `ffi.C.<name>` it reads (each read looks the name up among the
 * `ffi.cdef` declarations, then as a symbol of the process) and what its
 * `ffi.cdef` strings declare. Each read carries where it runs: at load
 * time or inside a function, under a `pcall` or not, and under which
 * branch conditions on the subsystem (`ngx.config.subsystem`) or the
 * platform (`jit.os`, `ffi.os`, `jit.arch`), so a verdict can follow
 * what LuaJIT will really execute on a given binary.
 */

export type FactName = 'subsystem' | 'os' | 'arch';

/** A branch condition, as far as it can be known before run time. */
export type Condition =
  | { kind: 'is'; fact: FactName; value: string }
  | { kind: 'not'; of: Condition }
  | { kind: 'and' | 'or'; left: Condition; right: Condition }
  | { kind: 'known'; value: boolean }
  | { kind: 'unknown' };

export interface FfiUse {
  name: string;
  /** Offsets of the name in `C.name` (or of the string in `C["name"]`). */
  start: number;
  end: number;
  /** Read to be called right away (`C.name(…)`). */
  call: boolean;
  /** Runs when the module loads: not inside a function body (a function given to pcall runs at once). */
  loadTime: boolean;
  /** The innermost named function around it, for messages ("`_M.get` fails when called"). */
  functionName?: string;
  /** Inside a function passed to pcall/xpcall: a failure is caught. */
  guarded: boolean;
  /** Conditions of the branches it sits in; every one must hold for it to run. */
  conditions: Condition[];
}

export interface FfiDeclaration {
  name: string;
  kind: CdefKind;
  symbol: string;
  start: number;
  end: number;
  /**
   * For a name built at run time (`string.format("%s_new(void);", typ)`,
   * `"int " .. prefix .. "_init(void);"`): a regular expression the names it
   * can take match; `name` then holds the template.
   */
  pattern?: string;
}

/** Stands for the computed parts of a cdef text: an identifier C code never has. */
export const CDEF_HOLE = '__resty_build_hole__';

/**
 * `if … ngx.config.ngx_lua_version ~= 10023 then error("…") end`: the
 * module refuses to load in another lua-nginx-module (resty.core.base
 * insists on one exact version).
 */
export interface VersionCheck {
  /** The module fails when `ngx_lua_version <op> version` holds. */
  op: '~=' | '==' | '<' | '<=' | '>' | '>=';
  version: number;
  /** The error() message as written (a literal, or the expression's source). */
  message: string;
  /** Offsets of the comparison. */
  start: number;
  end: number;
  conditions: Condition[];
}

export interface FfiFacts {
  uses: FfiUse[];
  declarations: FfiDeclaration[];
  /** An `ffi.cdef(expr)` whose text is not a literal: it may declare anything. */
  opaqueCdef: boolean;
  versionChecks: VersionCheck[];
}

export const NO_FFI: FfiFacts = Object.freeze({ uses: [], declarations: [], opaqueCdef: false, versionChecks: [] }) as FfiFacts;

const FLIPPED: Record<VersionCheck['op'], VersionCheck['op']> = { '~=': '~=', '==': '==', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

type Binding =
  | { kind: 'ffi' }
  | { kind: 'C' }
  | { kind: 'cdef' }
  | { kind: 'jit' }
  | { kind: 'pcall' }
  | { kind: 'fact'; fact: FactName }
  | { kind: 'cond'; cond: Condition };

interface Context {
  conditions: Condition[];
  functionName?: string;
  loadTime: boolean;
  guarded: boolean;
}

type Ranged = { range?: [number, number] };

function rangeOf(node: ast.Node): [number, number] {
  return (node as Ranged).range ?? [0, 0];
}

const UNKNOWN: Condition = { kind: 'unknown' };

function not(c: Condition): Condition {
  return c.kind === 'known' ? { kind: 'known', value: !c.value } : { kind: 'not', of: c };
}

function isRequireOf(expr: ast.Expression, module: string): boolean {
  if (expr.type === 'CallExpression' && expr.base.type === 'Identifier' && expr.base.name === 'require') {
    const arg = expr.arguments[0];
    return expr.arguments.length === 1 && arg?.type === 'StringLiteral' && arg.value === module;
  }
  return expr.type === 'StringCallExpression' && expr.base.type === 'Identifier' && expr.base.name === 'require' && expr.argument.type === 'StringLiteral' && expr.argument.value === module;
}

class FfiWalker {
  private readonly scopes: Map<string, Binding | null>[] = [new Map()];
  readonly facts: FfiFacts = { uses: [], declarations: [], opaqueCdef: false, versionChecks: [] };

  constructor(private readonly text: string) {}

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

  private bind(name: string, binding: Binding | undefined): void {
    this.scopes[this.scopes.length - 1].set(name, binding ?? null);
  }

  private rebind(name: string, binding: Binding | undefined): void {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      if (this.scopes[i].has(name)) {
        this.scopes[i].set(name, binding ?? null);
        return;
      }
    }
    this.scopes[0].set(name, binding ?? null);
  }

  private isKind(expr: ast.Expression, kind: Binding['kind']): boolean {
    return expr.type === 'Identifier' && this.lookup(expr.name)?.kind === kind;
  }

  /** `ffi.C` (through any alias of the ffi module) or a local holding it. */
  private isC(expr: ast.Expression): boolean {
    if (this.isKind(expr, 'C')) {
      return true;
    }
    return expr.type === 'MemberExpression' && expr.indexer === '.' && expr.identifier.name === 'C' && (this.isKind(expr.base, 'ffi') || isRequireOf(expr.base, 'ffi'));
  }

  /** `ffi.cdef`, or a local holding it (`local ffi_cdef = ffi.cdef`). */
  private isCdef(expr: ast.Expression): boolean {
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
  private bindingOf(expr: ast.Expression | undefined): Binding | undefined {
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

  /** The text of a cdef argument: a literal, a `..` chain or a `string.format`, computed parts as CDEF_HOLE. */
  private cdefTemplate(e: ast.Expression): string | undefined {
    if (e.type === 'StringLiteral') {
      return typeof e.value === 'string' ? e.value : undefined;
    }
    if (e.type === 'BinaryExpression' && e.operator === '..') {
      const left = this.cdefTemplate(e.left);
      const right = this.cdefTemplate(e.right);
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
    const template = format && this.cdefTemplate(format);
    return template?.replace(/%%|%[-+ #0]*\d*(?:\.\d+)?[sdiqxXuc]/g, (spec) => (spec === '%%' ? '%' : CDEF_HOLE));
  }

  private recordCdef(arg: ast.Expression | undefined): void {
    const template = arg && this.cdefTemplate(arg);
    if (!arg || template === undefined) {
      this.facts.opaqueCdef = true;
      return;
    }
    const [start, end] = rangeOf(arg);
    const raw = this.text.slice(start, end);
    const open = arg.type === 'StringLiteral' ? /^\[=*\[/.exec(raw)?.[0].length : undefined;
    if (open === undefined) {
      // Escapes and computed parts move offsets, so every name points at the whole argument.
      for (const n of parseCdef(template)) {
        this.facts.declarations.push({ name: n.name, kind: n.kind, symbol: n.symbol, start, end, pattern: namePattern(n.name) });
      }
      return;
    }
    // A long string is the raw text (minus a first newline), so names get their exact place.
    let body = start + open;
    if (this.text[body] === '\r') {
      body += this.text[body + 1] === '\n' ? 2 : 1;
    } else if (this.text[body] === '\n') {
      body += this.text[body + 1] === '\r' ? 2 : 1;
    }
    for (const n of parseCdef(this.text.slice(body, Math.max(body, end - open)))) {
      this.facts.declarations.push({ name: n.name, kind: n.kind, symbol: n.symbol, start: body + n.start, end: body + n.end });
    }
  }

  private isNgxLuaVersion(e: ast.Expression): boolean {
    return (
      e.type === 'MemberExpression' &&
      e.identifier.name === 'ngx_lua_version' &&
      e.base.type === 'MemberExpression' &&
      e.base.identifier.name === 'config' &&
      e.base.base.type === 'Identifier' &&
      e.base.base.name === 'ngx'
    );
  }

  /** Version comparisons in the condition of a clause whose body raises an error. */
  private recordVersionChecks(condition: ast.Expression, body: ast.Statement[], conditions: Condition[]): void {
    const raise = body.find((s): s is ast.CallStatement => s.type === 'CallStatement' && s.expression.type === 'CallExpression' && s.expression.base.type === 'Identifier' && s.expression.base.name === 'error');
    if (!raise || raise.expression.type !== 'CallExpression') {
      return;
    }
    const arg = raise.expression.arguments[0];
    const message = arg?.type === 'StringLiteral' && typeof arg.value === 'string' ? arg.value : arg ? this.source(arg) : '';
    const visit = (e: ast.Expression): void => {
      if (e.type === 'LogicalExpression') {
        visit(e.left);
        visit(e.right);
      } else if (e.type === 'BinaryExpression' && e.operator in FLIPPED) {
        const op = e.operator as VersionCheck['op'];
        const [start, end] = rangeOf(e);
        if (this.isNgxLuaVersion(e.left) && e.right.type === 'NumericLiteral') {
          this.facts.versionChecks.push({ op, version: e.right.value, message, start, end, conditions });
        } else if (this.isNgxLuaVersion(e.right) && e.left.type === 'NumericLiteral') {
          this.facts.versionChecks.push({ op: FLIPPED[op], version: e.left.value, message, start, end, conditions });
        }
      }
    };
    visit(condition);
  }

  private use(name: string, node: ast.Node, ctx: Context, call: boolean): void {
    const [start, end] = rangeOf(node);
    this.facts.uses.push({ name, start, end, call, loadTime: ctx.loadTime, functionName: ctx.functionName, guarded: ctx.guarded, conditions: ctx.conditions });
  }

  private source(node: ast.Node): string {
    const [start, end] = rangeOf(node);
    return this.text.slice(start, end);
  }

  block(body: ast.Statement[], ctx: Context, params: ast.Node[] = []): void {
    this.scopes.push(new Map());
    for (const p of params) {
      if (p.type === 'Identifier') {
        this.bind(p.name, undefined);
      }
    }
    for (const statement of body) {
      this.statement(statement, ctx);
    }
    this.scopes.pop();
  }

  private fn(node: ast.FunctionDeclaration, ctx: Context, name: string | undefined): void {
    const [start] = rangeOf(node);
    const line = this.text.slice(0, start).split('\n').length;
    this.block(node.body, { conditions: ctx.conditions, loadTime: false, guarded: false, functionName: name ?? `the function at line ${line}` }, node.parameters);
  }

  private statement(s: ast.Statement, ctx: Context): void {
    switch (s.type) {
      case 'LocalStatement':
        s.init.forEach((e, i) => this.expression(e, ctx, s.variables[i]?.name));
        s.variables.forEach((v, i) => this.bind(v.name, this.bindingOf(s.init[i])));
        return;
      case 'AssignmentStatement':
        s.init.forEach((e, i) => this.expression(e, ctx, s.variables[i] ? this.source(s.variables[i]) : undefined));
        s.variables.forEach((v, i) => {
          if (v.type === 'Identifier') {
            this.rebind(v.name, this.bindingOf(s.init[i]));
          } else if (v.type === 'MemberExpression') {
            this.expression(v.base, ctx);
          } else {
            this.expression(v.base, ctx);
            this.expression(v.index, ctx);
          }
        });
        return;
      case 'CallStatement':
        this.expression(s.expression, ctx);
        return;
      case 'FunctionDeclaration':
        if (s.isLocal && s.identifier?.type === 'Identifier') {
          this.bind(s.identifier.name, undefined);
        }
        this.fn(s, ctx, s.identifier ? this.source(s.identifier) : undefined);
        return;
      case 'IfStatement': {
        const previous: Condition[] = [];
        for (const clause of s.clauses) {
          if (clause.type === 'ElseClause') {
            this.block(clause.body, { ...ctx, conditions: [...ctx.conditions, ...previous] });
            continue;
          }
          this.expression(clause.condition, { ...ctx, conditions: [...ctx.conditions, ...previous] });
          const cond = this.condition(clause.condition);
          this.recordVersionChecks(clause.condition, clause.body, [...ctx.conditions, ...previous]);
          this.block(clause.body, { ...ctx, conditions: [...ctx.conditions, ...previous, cond] });
          previous.push(not(cond));
        }
        return;
      }
      case 'WhileStatement':
        this.expression(s.condition, ctx);
        this.block(s.body, ctx);
        return;
      case 'RepeatStatement':
        this.block(s.body, ctx);
        this.expression(s.condition, ctx);
        return;
      case 'DoStatement':
        this.block(s.body, ctx);
        return;
      case 'ForNumericStatement':
        [s.start, s.end, s.step].forEach((e) => e && this.expression(e, ctx));
        this.block(s.body, ctx, [s.variable]);
        return;
      case 'ForGenericStatement':
        s.iterators.forEach((e) => this.expression(e, ctx));
        this.block(s.body, ctx, s.variables);
        return;
      case 'ReturnStatement':
        s.arguments.forEach((e) => this.expression(e, ctx));
        return;
      default:
        return;
    }
  }

  private expression(e: ast.Expression, ctx: Context, nameHint?: string, callee = false): void {
    switch (e.type) {
      case 'FunctionDeclaration':
        this.fn(e, ctx, nameHint);
        return;
      case 'CallExpression': {
        if (this.isKind(e.base, 'pcall') && e.arguments[0]?.type === 'FunctionDeclaration') {
          // The function runs right away, where the pcall is; its failures are caught.
          const guarded = e.arguments[0];
          this.block(guarded.body, { ...ctx, guarded: true }, guarded.parameters);
          e.arguments.slice(1).forEach((a) => this.expression(a, ctx));
          return;
        }
        if (this.isCdef(e.base)) {
          this.recordCdef(e.arguments[0]);
        }
        this.expression(e.base, ctx, undefined, true);
        e.arguments.forEach((a) => this.expression(a, ctx));
        return;
      }
      case 'StringCallExpression':
        if (this.isCdef(e.base)) {
          this.recordCdef(e.argument);
        }
        this.expression(e.base, ctx, undefined, true);
        return;
      case 'TableCallExpression':
        this.expression(e.base, ctx, undefined, true);
        this.expression(e.arguments, ctx);
        return;
      case 'MemberExpression':
        if (e.indexer === '.' && this.isC(e.base)) {
          this.use(e.identifier.name, e.identifier, ctx, callee);
          return;
        }
        this.expression(e.base, ctx);
        return;
      case 'IndexExpression':
        if (this.isC(e.base) && e.index.type === 'StringLiteral' && typeof e.index.value === 'string') {
          this.use(e.index.value, e.index, ctx, callee);
          return;
        }
        this.expression(e.base, ctx);
        this.expression(e.index, ctx);
        return;
      case 'BinaryExpression':
      case 'LogicalExpression':
        this.expression(e.left, ctx);
        this.expression(e.right, ctx);
        return;
      case 'UnaryExpression':
        this.expression(e.argument, ctx);
        return;
      case 'TableConstructorExpression':
        for (const field of e.fields) {
          if (field.type === 'TableKeyString') {
            this.expression(field.value, ctx, nameHint ? `${nameHint}.${field.key.name}` : field.key.name);
          } else if (field.type === 'TableKey') {
            this.expression(field.key, ctx);
            this.expression(field.value, ctx);
          } else {
            this.expression(field.value, ctx);
          }
        }
        return;
      default:
        return;
    }
  }
}

/**
 * The FFI facts of a Lua text. `prepared` is the text as luaparse should
 * see it (a BOM blanked, binary literals rewritten, offsets unchanged);
 * a text that does not parse has none (its syntax error is reported).
 */
export function scanFfi(text: string, prepared: () => string = () => text): FfiFacts {
  // Without the word `ffi` a file cannot reach ffi.C or ffi.cdef.
  if (!/\bffi\b|\bngx_lua_version\b/.test(text)) {
    return NO_FFI;
  }
  try {
    const chunk = luaparse.parse(prepared(), {
      luaVersion: 'LuaJIT',
      ranges: true,
      locations: false,
      comments: false,
      scope: false,
      encodingMode: 'x-user-defined',
    } as Partial<luaparse.Options>);
    const walker = new FfiWalker(text);
    walker.block(chunk.body, { conditions: [], loadTime: true, guarded: false });
    return walker.facts;
  } catch {
    return NO_FFI;
  }
}

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
