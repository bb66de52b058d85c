import * as path from 'node:path';
import { tokenIndexAt } from './aliases';
import { ChainFollower, ChainValue, callsOf, LuaAt, ModuleSource, Via } from './chains';
import { ExportedMember, findMember } from './exports';
import { Token } from '../lua/luaLexer';
import { LuaFileFacts } from '../lua/luaFile';
import { bindingsOf, HostViews, hostViews, LuaView, tokensOf, viewAt } from './luaViews';
import { moduleNameOf } from './moduleCatalog';
import { RequireSite } from '../lua/requires';
import { Resolution } from '../resolve/resolver';
import { Position, Range } from '../types';
import { refEndingAt, ValueRef } from './valueRefs';
import type { Workspace } from '../workspace/workspace';

/** What the cursor is on, as far as modules are concerned. */
export type ModuleTarget =
  | { kind: 'require'; site: RequireSite; resolution: Resolution; range: Range }
  /** A name or field whose value is a module (`core`, `json` of `core.json`); `via`: the field that set it, for a module without a Lua file. */
  | { kind: 'alias'; resolution: Resolution; via?: Via; range: Range }
  | {
      kind: 'member';
      /** The name as used here, and what it is read from as written (`core.json`), if anything. */
      name: string;
      qualifier?: string;
      /** The definition, after re-exports (undefined: the module does not export the name). */
      member?: ExportedMember;
      module?: ModuleSource;
      /** The module name of `module`'s file. */
      moduleName: string;
      range: Range;
    }
  /** A member of a module without a Lua file (`ffi.C`); `via`: the last workspace field on the way. */
  | { kind: 'foreign'; resolution: Resolution; path: string[]; via?: Via; range: Range }
  /** The definition of an exported member, in the module's own file. */
  | { kind: 'export'; file: string; member: ExportedMember; text: string; facts: LuaFileFacts; range: Range };

export interface Located {
  host: HostViews;
  view: LuaView;
  /** The offset inside the view's text. */
  offset: number;
}

/** The Lua view under a position of a file (a `.lua` file, or a Lua chunk of an nginx conf). */
export function locate(workspace: Workspace, file: string, position: Position): Located | undefined {
  const host = hostViews(workspace, file);
  if (!host) {
    return undefined;
  }
  const hostOffset = host.lines.offset(position);
  const view = viewAt(host, hostOffset);
  return view ? { host, view, offset: hostOffset - view.base } : undefined;
}

/** The name a file is required by in its project (its base name when no template names it). */
export function moduleNameOfFile(workspace: Workspace, file: string): string {
  return moduleNameOf(workspace.projectFor(file), file)?.name ?? path.basename(file, '.lua');
}

/** The Lua a view belongs to, for the chain follower. */
export function luaAt(host: HostViews, view: LuaView): LuaAt {
  return { file: host.file, view, isConf: host.isConf };
}

const isPunct = (t: Token | undefined, value: string) => t !== undefined && t.kind === 'punct' && t.value === value;

/** A reference read at token `last` (a name, or the `]` of a string key) and the text it is read from. */
export interface ChainAt {
  ref: ValueRef;
  /** Index of its first token. */
  start: number;
  /** The receiver as written (`core.json` of `core.json.encode`, `m` of `require("m").f`); undefined for a plain name. */
  qualifier?: string;
}

export function chainAt(view: LuaView, tokens: readonly Token[], last: number): ChainAt | undefined {
  const found = refEndingAt(tokens, last, callsOf(view));
  if (!found) {
    return undefined;
  }
  // The receiver ends before the last separator: `.name` / `:name`, or `["key"]`.
  const receiverEnd = isPunct(tokens[last], ']') ? last - 3 : last - 2;
  const { root, path: fields } = found.ref;
  return {
    ref: found.ref,
    start: found.start,
    // Computed when asked: reading the view's text is not free for a file that is not open.
    get qualifier(): string | undefined {
      if (fields.length > 0 && root.kind === 'require') {
        // `require("m").f` reads better as `m.f`.
        return [root.name, ...fields.slice(0, -1)].join('.');
      }
      return fields.length > 0 && receiverEnd >= found.start ? view.text.slice(tokens[found.start].start, tokens[receiverEnd].end) : undefined;
    },
  };
}

/** The value of a module as a Resolution, for a module reached without a require of its own (`M` in its file). */
function resolutionOf(workspace: Workspace, value: { file?: string; resolution?: Resolution }): Resolution | undefined {
  if (value.resolution) {
    return value.resolution;
  }
  return value.file ? { name: moduleNameOfFile(workspace, value.file), status: 'file', file: value.file, origin: 'workspace', trail: [] } : undefined;
}

export function targetAt(workspace: Workspace, file: string, position: Position): ModuleTarget | undefined {
  const at = locate(workspace, file, position);
  if (!at) {
    return undefined;
  }
  const { host, view, offset } = at;
  const project = workspace.projectFor(file);
  const range = (s: number, e: number) => host.lines.range(view.base + s, view.base + e);
  const site = view.facts.requires.find((r) => !r.dynamic && r.name !== undefined && r.start <= offset && offset <= r.end);
  if (site?.name !== undefined) {
    return { kind: 'require', site, resolution: workspace.resolve(project, site.name), range: range(site.nameStart, site.nameEnd) };
  }
  const tokens = tokensOf(view);
  const i = tokenIndexAt(tokens, offset);
  const tok = tokens[i];
  // A name, or the string of an index `t["name"]`.
  const last = tok?.kind === 'string' && isPunct(tokens[i - 1], '[') && isPunct(tokens[i + 1], ']') ? i + 1 : tok?.kind === 'name' ? i : -1;
  if (last < 0) {
    return undefined;
  }
  const follower = new ChainFollower(workspace);
  const lua = luaAt(host, view);
  const tokRange = range(tok.start, tok.end);

  // A member of this file's module where it is defined: what it is set to, followed.
  const own = host.isConf ? undefined : follower.source(file);
  const ownMember = own?.exports.members.find((m) => m.nameStart <= offset && offset <= m.nameEnd);
  let chain: ChainAt | undefined;
  let value: ChainValue | undefined;
  if (own && ownMember) {
    value = follower.follow(own, ownMember);
  } else {
    chain = chainAt(view, tokens, last);
    if (!chain) {
      return undefined;
    }
    const declared = chain.ref.path.length === 0 ? bindingsOf(view).find((b) => b.declStart === tok.start && b.name === tok.value) : undefined;
    value = declared ? follower.valueOfBinding(lua, declared) : follower.valueOf(lua, chain.ref);
  }
  switch (value?.kind) {
    case 'member': {
      const { source, member } = value;
      if (source.file === file && member.nameStart <= offset && offset <= member.nameEnd) {
        return { kind: 'export', file, member, text: source.text, facts: source.facts, range: range(member.nameStart, member.nameEnd) };
      }
      return { kind: 'member', name: tok.value, qualifier: chain?.qualifier, member, module: source, moduleName: moduleNameOfFile(workspace, source.file), range: tokRange };
    }
    case 'module': {
      const resolution = resolutionOf(workspace, value);
      // `M` in its own file is the module table, not a use of the module.
      if (!resolution || (value.file === file && !value.resolution)) {
        return undefined;
      }
      return { kind: 'alias', resolution, via: value.via, range: tokRange };
    }
    case 'foreign':
      return { kind: 'foreign', resolution: value.resolution, path: value.path, via: value.via, range: tokRange };
    default:
      break;
  }
  // `alias.name` where the module is a Lua file that does not export `name`: said so in the hover.
  if (chain && chain.ref.path.length > 0) {
    const receiver = follower.valueOf(lua, { root: chain.ref.root, path: chain.ref.path.slice(0, -1) });
    const source = receiver?.kind === 'module' && receiver.file !== undefined ? follower.source(receiver.file) : undefined;
    const name = chain.ref.path[chain.ref.path.length - 1];
    if (source && !findMember(source.exports, name)) {
      return { kind: 'member', name, qualifier: chain.qualifier, module: source, moduleName: moduleNameOfFile(workspace, source.file), range: tokRange };
    }
  }
  return undefined;
}
