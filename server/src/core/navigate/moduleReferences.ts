import { bindingAt, memberUseAt } from './aliases';
import { ExportedMember } from './exports';
import { bindingsOf, fileExports, hostViews, tokensOf } from './luaViews';
import { targetAt } from './moduleNav';
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
 * Uses of an exported member: `alias.name` / `alias:name` wherever `alias`
 * holds the module, `M.name` inside the module itself, and (optionally) the
 * definition.
 */
export function memberReferences(workspace: Workspace, moduleFile: string, member: ExportedMember, includeDeclaration: boolean): Reference[] {
  const out: Reference[] = [];
  const exp = fileExports(workspace, moduleFile);
  if (includeDeclaration && exp) {
    out.push({ file: moduleFile, range: exp.facts.lines.range(member.nameStart, member.nameEnd) });
  }
  const requiring = new Set(requiresOf(workspace, moduleFile).map((r) => r.file));
  for (const file of requiring) {
    const host = hostViews(workspace, file);
    if (!host) {
      continue;
    }
    const project = workspace.projectFor(file);
    for (const view of host.views) {
      const tokens = tokensOf(view);
      const bindings = bindingsOf(view);
      for (let i = 0; i < tokens.length; i++) {
        if (tokens[i].kind !== 'name' || tokens[i].value !== member.name) {
          continue;
        }
        const use = memberUseAt(tokens, i);
        const binding = use && bindingAt(bindings, use.alias.value, use.alias.start);
        if (binding?.module !== undefined && workspace.resolve(project, binding.module).file === moduleFile) {
          out.push({ file, range: host.lines.range(view.base + use!.member.start, view.base + use!.member.end) });
        }
      }
    }
  }
  // Inside the module: `M.name` / `M:name` uses other than the definition itself.
  const tableName = exp?.exports.tableName;
  if (exp && tableName) {
    const text = exp.text;
    const tokens = tokensOf({ text, facts: exp.facts });
    for (let i = 0; i < tokens.length; i++) {
      const use = tokens[i].value === member.name ? memberUseAt(tokens, i) : undefined;
      if (use && use.alias.value === tableName && use.member.start !== member.nameStart) {
        out.push({ file: moduleFile, range: exp.facts.lines.range(use.member.start, use.member.end) });
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
