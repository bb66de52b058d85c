import { ModuleBinding, visibleBefore } from './aliases';
import { ExportedMember, findMember, ModuleExports } from './exports';
import { LuaFileFacts } from '../lua/luaFile';
import { Token } from '../lua/luaLexer';
import { bindingsOf, exportsOf, LuaView, tokensOf } from './luaViews';
import { FieldWrite, findFieldWrites, refStartingAt, RequireCalls, requireCalls, ValueRef } from './valueRefs';
import { Resolution } from '../resolve/resolver';
import type { Workspace } from '../workspace/workspace';

/** Lua code of a host file: the whole `.lua` file, or a chunk of an nginx conf. */
export interface LuaAt {
  file: string;
  view: LuaView;
  /** A chunk of an nginx conf: it has no module table of its own. */
  isConf: boolean;
}

/** A Lua file's text, facts and exports. */
export interface ModuleSource {
  file: string;
  text: string;
  facts: LuaFileFacts;
  exports: ModuleExports;
}

/** The last definition in a workspace Lua file a chain went through before it left the workspace. */
export interface Via {
  source: ModuleSource;
  member: ExportedMember;
}

/** What an expression evaluates to, as far as navigation can tell. */
export type ChainValue =
  /** A module's value: what `require` returns. `file` when it is a Lua file (its exports are known). */
  | { kind: 'module'; file?: string; resolution?: Resolution; via?: Via }
  /** A member defined in a Lua file of the workspace: a function or a field, after following re-exports. */
  | { kind: 'member'; source: ModuleSource; member: ExportedMember }
  /** Members of a module without a Lua source (`ffi.C`, `ngx.say`). */
  | { kind: 'foreign'; resolution: Resolution; path: string[]; via?: Via }
  /** A value that is not a module's (a table built here, a parameter, a global), or a field of one. */
  | { kind: 'opaque' };

/**
 * Evaluations in progress at once (about two per module a chain passes
 * through). Cycles are caught by the in-progress set and every value is
 * computed once per request, so this only keeps the stack shallow: real
 * chains are a few modules deep, and a chain through more than about a
 * hundred modules is treated as one that cannot be followed.
 */
const MAX_DEPTH = 256;

interface ViewCache {
  calls?: RequireCalls;
  writes?: FieldWrite[];
}

const viewCache = new WeakMap<LuaFileFacts, ViewCache>();

function cacheOf(view: LuaView): ViewCache {
  let c = viewCache.get(view.facts);
  if (!c) {
    c = {};
    viewCache.set(view.facts, c);
  }
  return c;
}

/** Require calls of a view, by start and end offset. */
export function callsOf(view: LuaView): RequireCalls {
  const c = cacheOf(view);
  return (c.calls ??= requireCalls(view.facts.requires));
}

function writesOf(view: LuaView): FieldWrite[] {
  const c = cacheOf(view);
  return (c.writes ??= findFieldWrites(tokensOf(view)));
}

/** The index of the first token starting at `offset`, or -1. */
export function tokenStartingAt(tokens: readonly Token[], offset: number): number {
  let lo = 0;
  let hi = tokens.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (tokens[mid].start < offset) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return tokens[lo]?.start === offset ? lo : -1;
}

/**
 * Evaluates references across modules: requires, members of required
 * modules, re-exports through fields and locals, facade tables of requires.
 * A value it cannot be sure of is undefined: shadowed names, fields the file
 * writes, computed keys, cycles and chains deeper than MAX_DEPTH all answer
 * nothing rather than something wrong. One instance serves one request
 * (results are remembered for its duration only).
 */
export class ChainFollower {
  private readonly memo = new Map<object, ChainValue | undefined>();
  private readonly active = new Set<object>();
  private readonly sources = new Map<string, ModuleSource | undefined>();

  constructor(readonly workspace: Workspace) {}

  /**
   * A Lua file with its exports. Its text is read when something needs it:
   * exports, tokens and bindings are kept per content, so following a chain
   * through files already seen reads none of them.
   */
  source(file: string): ModuleSource | undefined {
    if (!this.sources.has(file)) {
      const workspace = this.workspace;
      const facts = workspace.facts(file);
      let text: string | undefined;
      const read = () => (text ??= workspace.readText(file) ?? '');
      this.sources.set(
        file,
        facts && {
          file,
          facts,
          exports: exportsOf(read, facts),
          get text(): string {
            return read();
          },
        },
      );
    }
    return this.sources.get(file);
  }

  /** The whole of a Lua file as a view (its text read only if needed). */
  static viewOf(source: ModuleSource): LuaView {
    return {
      facts: source.facts,
      base: 0,
      get text(): string {
        return source.text;
      },
    };
  }

  /**
   * The value of a reference read in `at`. `readThrough`: the value is a
   * receiver whose members are read next (`core.json.` being completed), so
   * a field the file writes at the end of `ref` is read through as well.
   */
  valueOf(at: LuaAt, ref: ValueRef, readThrough = false): ChainValue | undefined {
    let base: ChainValue | undefined;
    if (ref.root.kind === 'require') {
      base = this.moduleValue(this.workspace.resolve(this.workspace.projectFor(at.file), ref.root.name));
    } else {
      const binding = visibleBefore(bindingsOf(at.view), ref.root.name, ref.root.offset);
      // The module's own table first: `local _M = require "base"` extended here is read through this file's exports.
      if (this.isOwnTable(at, ref.root.name, binding)) {
        base = { kind: 'module', file: at.file };
      } else if (binding?.value) {
        if ((ref.path.length > 0 || readThrough) && this.fieldWritten(at, binding, ref.path, readThrough)) {
          return undefined;
        }
        base = this.valueOfBinding(at, binding);
      } else {
        base = { kind: 'opaque' };
      }
    }
    for (const name of ref.path) {
      if (!base) {
        return undefined;
      }
      base = this.memberOf(base, name);
    }
    return base;
  }

  /** The value a declared name holds (undefined when it holds no reference). */
  valueOfBinding(at: LuaAt, binding: ModuleBinding): ChainValue | undefined {
    const value = binding.value;
    return value ? this.guarded(binding, () => this.valueOf(at, value)) : undefined;
  }

  /** The member `name` of a value: an exported member (followed to its definition), or a member of a foreign module. */
  memberOf(value: ChainValue, name: string): ChainValue | undefined {
    switch (value.kind) {
      case 'module': {
        if (value.file === undefined) {
          return value.resolution ? { kind: 'foreign', resolution: value.resolution, path: [name] } : undefined;
        }
        const source = this.source(value.file);
        const member = source && findMember(source.exports, name);
        return source && member ? this.follow(source, member) : undefined;
      }
      case 'foreign':
        return { kind: 'foreign', resolution: value.resolution, path: [...value.path, name] };
      default:
        // A field of a local table, of a function's result, of a member: values navigation does not model.
        return { kind: 'opaque' };
    }
  }

  /**
   * Where an exported member leads: its own definition, or (a re-export,
   * a field set from a require) the definition its value reads.
   */
  follow(source: ModuleSource, member: ExportedMember): ChainValue | undefined {
    const own: ChainValue = { kind: 'member', source, member };
    const value = member.value;
    if (!value) {
      return own;
    }
    // `_M.x = other.x` and later `_M.x = …` again: which one holds is not this one's to say.
    if (member.redefined) {
      return undefined;
    }
    return this.guarded(member, () => {
      const at: LuaAt = { file: source.file, view: ChainFollower.viewOf(source), isConf: false };
      const tokens = tokensOf(at.view);
      const first = tokenStartingAt(tokens, value.start);
      const parsed = first >= 0 ? refStartingAt(tokens, first, callsOf(at.view), value.lookup) : undefined;
      // A parsed file knows where the expression ends: `a.b + 1` starts like a reference but is not one.
      if (!parsed || (value.end !== undefined && tokens[parsed.next - 1]?.end !== value.end)) {
        return own;
      }
      const target = this.valueOf(at, parsed.ref);
      if (!target) {
        return undefined;
      }
      if (target.kind === 'opaque') {
        return own;
      }
      // Leaving the workspace (a built-in, a C module, a module not found): this member is the last definition there is.
      if ((target.kind === 'module' && target.file === undefined) || target.kind === 'foreign') {
        return { ...target, via: { source, member } };
      }
      return target;
    });
  }

  private moduleValue(resolution: Resolution): ChainValue {
    return { kind: 'module', file: resolution.status === 'file' ? resolution.file : undefined, resolution };
  }

  /** `M` in the file whose module table it is, not shadowed: the file's own module. */
  private isOwnTable(at: LuaAt, name: string, binding: ModuleBinding | undefined): boolean {
    if (at.isConf || (binding && !binding.topLevel)) {
      return false;
    }
    return this.source(at.file)?.exports.tableName === name;
  }

  /**
   * The file also assigns, through the same name, a field the read goes
   * through (`core.json = …` before `core.json.encode`), or a computed key:
   * what is read from it is no longer the module's. (A write to the field
   * read itself still names that field of the module, unless it is read
   * through.)
   */
  private fieldWritten(at: LuaAt, binding: ModuleBinding, path: readonly string[], readThrough: boolean): boolean {
    const bindings = bindingsOf(at.view);
    const depth = path.length + (readThrough ? 1 : 0);
    return writesOf(at.view).some(
      (w) =>
        w.name === binding.name &&
        w.path.length < depth &&
        w.path.every((p, k) => p === path[k]) &&
        visibleBefore(bindings, w.name, w.offset) === binding,
    );
  }

  /** Runs `evaluate` once per key and request; a key met again while it is evaluated is a cycle. */
  private guarded(key: object, evaluate: () => ChainValue | undefined): ChainValue | undefined {
    if (this.memo.has(key)) {
      return this.memo.get(key);
    }
    if (this.active.has(key) || this.active.size >= MAX_DEPTH) {
      return undefined;
    }
    this.active.add(key);
    try {
      const value = evaluate();
      this.memo.set(key, value);
      return value;
    } finally {
      this.active.delete(key);
    }
  }
}
