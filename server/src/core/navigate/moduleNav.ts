import { bindingAt, memberUseAt, ModuleBinding, tokenIndexAt } from './aliases';
import { ExportedMember, findMember, ModuleExports } from './exports';
import { LuaFileFacts } from '../lua/luaFile';
import { bindingsOf, fileExports, HostViews, hostViews, LuaView, tokensOf, viewAt } from './luaViews';
import { RequireSite } from '../lua/requires';
import { Resolution } from '../resolve/resolver';
import { Position, Range } from '../types';
import type { Workspace } from '../workspace/workspace';

/** What the cursor is on, as far as modules are concerned. */
export type ModuleTarget =
  | { kind: 'require'; site: RequireSite; resolution: Resolution; range: Range }
  | { kind: 'alias'; binding: ModuleBinding; resolution: Resolution; range: Range }
  | {
      kind: 'member';
      binding: ModuleBinding;
      resolution: Resolution;
      name: string;
      separator: '.' | ':';
      /** The member in the target module's exports (undefined: the module does not export it). */
      member?: ExportedMember;
      module?: { file: string; text: string; facts: LuaFileFacts; exports: ModuleExports };
      range: Range;
    }
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

/** Resolves a module's file and exports (when it is a Lua file). */
export function moduleOf(workspace: Workspace, resolution: Resolution) {
  if (resolution.status !== 'file' || !resolution.file) {
    return undefined;
  }
  const exp = fileExports(workspace, resolution.file);
  return exp ? { file: resolution.file, ...exp } : undefined;
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
  if (!tok || tok.kind !== 'name') {
    return undefined;
  }
  const bindings = bindingsOf(view);
  const use = memberUseAt(tokens, i);
  if (use) {
    const binding = bindingAt(bindings, use.alias.value, use.alias.start);
    if (binding?.module !== undefined) {
      const resolution = workspace.resolve(project, binding.module);
      const module = moduleOf(workspace, resolution);
      return {
        kind: 'member',
        binding,
        resolution,
        name: use.member.value,
        separator: use.separator,
        member: module ? findMember(module.exports, use.member.value) : undefined,
        module,
        range: range(use.member.start, use.member.end),
      };
    }
  }
  const binding = bindingAt(bindings, tok.value, tok.start);
  if (binding?.module !== undefined && !(tokens[i - 1]?.kind === 'punct' && (tokens[i - 1].value === '.' || tokens[i - 1].value === ':'))) {
    return { kind: 'alias', binding, resolution: workspace.resolve(project, binding.module), range: range(tok.start, tok.end) };
  }
  if (!host.isConf) {
    const exp = fileExports(workspace, file);
    const member = exp?.exports.members.find((m) => m.nameStart <= offset && offset <= m.nameEnd);
    if (exp && member) {
      return { kind: 'export', file, member, text: exp.text, facts: exp.facts, range: range(member.nameStart, member.nameEnd) };
    }
  }
  return undefined;
}
