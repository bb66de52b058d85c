import { ModuleBinding, visibleBefore } from './aliases';
import { ChainFollower, ChainValue, LuaAt, ModuleSource } from './chains';
import { ExportedMember } from './exports';
import { bindingsOf, fileExports, hostViews, tokensOf } from './luaViews';
import { chainAt, luaAt, targetAt } from './moduleNav';
import { Position, Range } from '../types';
import type { Workspace } from '../workspace/workspace';

export interface Reference {
  file: string;
  range: Range;
}

/** Every require in the workspace (Lua files and nginx conf Lua) that resolves to `moduleFile`. */
export function requiresOf(workspace: Workspace, moduleFile: string): Reference[] {
  const out: Reference[] = [];
  // The index narrows the Lua files to those that require the module; nginx confs are few and always read.
  for (const file of [...workspace.requirersOf(moduleFile), ...workspace.nginxConfFiles()]) {
    const host = hostViews(workspace, file);
    if (!host) {
      continue;
    }
    const project = workspace.projectFor(file);
    for (const view of host.views) {
      for (const site of view.facts.requires) {
        if (site.name !== undefined && !site.dynamic && workspace.resolve(project, site.name).file === moduleFile) {
          out.push({ file, range: host.lines.range(view.base + site.nameStart, view.base + site.nameEnd) });
        }
      }
    }
  }
  return out;
}

/**
 * Uses of an exported member through every path that reaches it:
 * `alias.name` wherever `alias` holds the module, `M.name` inside it,
 * re-exports (`_M.x = other.x`, `return { x = x }`) and their uses, facade
 * fields (`core.json.encode`), `require("m").name`, string keys, and the
 * uses of locals bound to it (`local encode = core.json.encode`). Only the
 * files that require the module or a module that re-exports it are read.
 */
export function memberReferences(workspace: Workspace, moduleFile: string, member: ExportedMember, includeDeclaration: boolean): Reference[] {
  const follower = new ChainFollower(workspace);
  const source = follower.source(moduleFile);
  if (!source) {
    return [];
  }
  const requirerCache = new Map<string, string[]>();
  const requirersOf = (file: string) => {
    let found = requirerCache.get(file);
    if (!found) {
      found = workspace.requirersOf(file);
      requirerCache.set(file, found);
    }
    return found;
  };
  const isTarget = (v: ChainValue | undefined) => v?.kind === 'member' && v.source.file === moduleFile && v.member.nameStart === member.nameStart;
  // Modules whose exports lead to the member (re-exports) or to a module that does (facades), and the names it goes by.
  // Breadth first over requirers: a facade met before the module it lists carries is met again as that module's requirer.
  const names = new Set([member.name]);
  const carriers = new Set([moduleFile]);
  const reexports: { source: ModuleSource; member: ExportedMember }[] = [];
  for (const queue = [moduleFile]; queue.length > 0; ) {
    for (const file of requirersOf(queue.shift()!)) {
      const requirer = carriers.has(file) ? undefined : follower.source(file);
      let carries = false;
      for (const m of requirer?.exports.members ?? []) {
        const v = m.value ? follower.follow(requirer!, m) : undefined;
        if (isTarget(v)) {
          names.add(m.name);
          reexports.push({ source: requirer!, member: m });
          carries = true;
        } else if (v?.kind === 'module' && v.file !== undefined && carriers.has(v.file)) {
          carries = true;
        }
      }
      if (carries) {
        carriers.add(file);
        queue.push(file);
      }
    }
  }
  const found = new Map<string, Reference>();
  const add = (file: string, range: Range) => {
    found.set(`${file}:${range.start.line}:${range.start.character}`, { file, range });
  };
  for (const r of reexports) {
    add(r.source.file, r.source.facts.lines.range(r.member.nameStart, r.member.nameEnd));
  }
  const files = new Set<string>();
  for (const carrier of carriers) {
    files.add(carrier);
    requirersOf(carrier).forEach((f) => files.add(f));
  }
  workspace.nginxConfFiles().forEach((f) => files.add(f));
  for (const file of files) {
    // A Lua file was most likely read for its exports already: its one view is that text.
    const lua = file.endsWith('.lua') ? follower.source(file) : undefined;
    const host = lua ? { file, lines: lua.facts.lines, views: [ChainFollower.viewOf(lua)], isConf: false } : hostViews(workspace, file);
    for (const view of host?.views ?? []) {
      for (const r of usesIn(follower, luaAt(host!, view), names, isTarget)) {
        add(file, host!.lines.range(view.base + r.start, view.base + r.end));
      }
    }
  }
  const declaration = source.facts.lines.range(member.nameStart, member.nameEnd);
  found.delete(`${moduleFile}:${declaration.start.line}:${declaration.start.character}`);
  const ordered = [...found.values()].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character));
  return includeDeclaration ? [{ file: moduleFile, range: declaration }, ...ordered] : ordered;
}

/** Offsets (in the view) of the uses of a member in one Lua view: fields and keys read under one of `names`, and locals bound to it. */
function usesIn(follower: ChainFollower, lua: LuaAt, names: ReadonlySet<string>, isTarget: (v: ChainValue | undefined) => boolean): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  const tokens = tokensOf(lua.view);
  const bindings = bindingsOf(lua.view);
  // Only a name that reads one of the member's names, or copies another name, can hold the member.
  const mayHold = (b: ModuleBinding) => b.value !== undefined && (b.value.path.length > 0 ? names.has(b.value.path[b.value.path.length - 1]) : b.value.root.kind === 'name');
  const aliases = new Set(bindings.filter((b) => mayHold(b) && isTarget(follower.valueOfBinding(lua, b))));
  const aliasNames = new Set([...aliases].map((b) => b.name));
  const declarations = new Set(bindings.map((b) => b.declStart));
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    const prev = tokens[i - 1];
    const afterDot = prev?.kind === 'punct' && (prev.value === '.' || prev.value === ':');
    if (t.kind === 'name' && afterDot && names.has(t.value)) {
      const chain = chainAt(lua.view, tokens, i);
      if (chain && isTarget(follower.valueOf(lua, chain.ref))) {
        out.push(t);
      }
    } else if (t.kind === 'string' && names.has(t.value) && prev?.value === '[' && tokens[i + 1]?.value === ']') {
      const chain = chainAt(lua.view, tokens, i + 1);
      if (chain && isTarget(follower.valueOf(lua, chain.ref))) {
        // The key without its quotes (a long-bracket key keeps its whole token).
        out.push(t.long ? t : { start: t.start + 1, end: t.end - 1 });
      }
    } else if (t.kind === 'name' && !afterDot && aliasNames.has(t.value) && !declarations.has(t.start) && tokens[i + 1]?.value !== '=') {
      const binding = visibleBefore(bindings, t.value, t.start);
      if (binding && aliases.has(binding)) {
        out.push(t);
      }
    }
  }
  return out;
}

/** References of what is at the position: a module (string, alias, or its table in its own file) or a member. */
export function findReferences(workspace: Workspace, file: string, position: Position, includeDeclaration: boolean): Reference[] {
  const target = targetAt(workspace, file, position);
  switch (target?.kind) {
    case 'require':
    case 'alias':
      return target.resolution.file && target.resolution.status === 'file' ? requiresOf(workspace, target.resolution.file) : [];
    case 'member':
      return target.module && target.member ? memberReferences(workspace, target.module.file, target.member, includeDeclaration) : [];
    case 'foreign':
      return [];
    case 'export':
      return memberReferences(workspace, file, target.member, includeDeclaration);
    default:
      break;
  }
  // On the module table's name in its own file (`local M = {}`, `return M`): who requires this module.
  if (file.endsWith('.lua')) {
    const exp = fileExports(workspace, file);
    const tableName = exp?.exports.tableName;
    if (exp && tableName) {
      const offset = exp.facts.lines.offset(position);
      const tok = tokensOf({ text: exp.text, facts: exp.facts }).find((t) => t.start <= offset && offset <= t.end && t.kind === 'name');
      if (tok?.value === tableName) {
        return requiresOf(workspace, file);
      }
    }
  }
  return [];
}
