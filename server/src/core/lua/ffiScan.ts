import * as luaparse from 'luaparse';
import type * as ast from 'luaparse/lib/ast';
import { cdefDeclarations } from './cdefArgument';
import { FfiBindings, not } from './ffiBindings';
import { Condition, FfiFacts, NO_FFI, VersionCheck } from './ffiFacts';

/**
 * What one Lua file does with LuaJIT's FFI at the boundary to native code:
 * which `ffi.C.<name>` it reads (each read looks the name up among the
 * `ffi.cdef` declarations, then as a symbol of the process) and what its
 * `ffi.cdef` strings declare. Each read carries where it runs: at load
 * time or inside a function, under a `pcall` or not, and under which
 * branch conditions on the subsystem (`ngx.config.subsystem`) or the
 * platform (`jit.os`, `ffi.os`, `jit.arch`), so a verdict can follow
 * what LuaJIT will really execute on a given binary.
 *
 * This file holds the walk over the tree; the shape of the facts
 * (ffiFacts.ts), what the names in scope hold (ffiBindings.ts) and what a
 * cdef argument declares (cdefArgument.ts) each have their own.
 */

const FLIPPED: Record<VersionCheck['op'], VersionCheck['op']> = { '~=': '~=', '==': '==', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

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

class FfiWalker {
  private readonly names = new FfiBindings();
  readonly facts: FfiFacts = { uses: [], declarations: [], opaqueCdef: false, versionChecks: [] };

  constructor(private readonly text: string) {}

  private recordCdef(arg: ast.Expression | undefined): void {
    const declared = arg && cdefDeclarations(this.text, arg, rangeOf(arg));
    if (!declared) {
      this.facts.opaqueCdef = true;
      return;
    }
    for (const declaration of declared) {
      this.facts.declarations.push(declaration);
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
    this.names.open();
    for (const p of params) {
      if (p.type === 'Identifier') {
        this.names.bind(p.name, undefined);
      }
    }
    for (const statement of body) {
      this.statement(statement, ctx);
    }
    this.names.close();
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
        s.variables.forEach((v, i) => this.names.bind(v.name, this.names.bindingOf(s.init[i])));
        return;
      case 'AssignmentStatement':
        s.init.forEach((e, i) => this.expression(e, ctx, s.variables[i] ? this.source(s.variables[i]) : undefined));
        s.variables.forEach((v, i) => {
          if (v.type === 'Identifier') {
            this.names.rebind(v.name, this.names.bindingOf(s.init[i]));
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
          this.names.bind(s.identifier.name, undefined);
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
          const cond = this.names.condition(clause.condition);
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
        if (this.names.isKind(e.base, 'pcall') && e.arguments[0]?.type === 'FunctionDeclaration') {
          // The function runs right away, where the pcall is; its failures are caught.
          const guarded = e.arguments[0];
          this.block(guarded.body, { ...ctx, guarded: true }, guarded.parameters);
          e.arguments.slice(1).forEach((a) => this.expression(a, ctx));
          return;
        }
        if (this.names.isCdef(e.base)) {
          this.recordCdef(e.arguments[0]);
        }
        this.expression(e.base, ctx, undefined, true);
        e.arguments.forEach((a) => this.expression(a, ctx));
        return;
      }
      case 'StringCallExpression':
        if (this.names.isCdef(e.base)) {
          this.recordCdef(e.argument);
        }
        this.expression(e.base, ctx, undefined, true);
        return;
      case 'TableCallExpression':
        this.expression(e.base, ctx, undefined, true);
        this.expression(e.arguments, ctx);
        return;
      case 'MemberExpression':
        if (e.indexer === '.' && this.names.isC(e.base)) {
          this.use(e.identifier.name, e.identifier, ctx, callee);
          return;
        }
        this.expression(e.base, ctx);
        return;
      case 'IndexExpression':
        if (this.names.isC(e.base) && e.index.type === 'StringLiteral' && typeof e.index.value === 'string') {
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
