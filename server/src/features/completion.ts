import { CompletionItem, CompletionItemKind, MarkupKind, Position } from '../lsp';
import { ChainFollower, ChainValue, tokenStartingAt } from '../core/navigate/chains';
import { ExportedMember, memberSignature } from '../core/navigate/exports';
import { bkFunctions, luakitMarkdown, luakitSignature, stateMethods } from '../core/navigate/luakitApi';
import { isBkGlobal } from '../core/navigate/luakitNav';
import { memberDoc, tokensOf } from '../core/navigate/luaViews';
import { memberContextAt } from '../core/navigate/luaContext';
import { moduleCatalog } from '../core/navigate/moduleCatalog';
import { displayPath } from '../core/paths';
import { chainAt, locate, luaAt, moduleNameOfFile } from '../core/navigate/moduleNav';
import { Range } from '../core/types';
import { Workspace } from '../core/workspace/workspace';

const ORIGIN_ORDER: Record<string, string> = { workspace: '0', stdlib: '1', provided: '2', builtin: '3' };

/**
 * Completion: module names inside a require string (replacing the whole
 * name), members after `alias.` from the module's exports, and in luakit
 * projects the `bk` API and state methods.
 */
export function findCompletions(workspace: Workspace, file: string, position: Position): CompletionItem[] {
  const at = locate(workspace, file, position);
  if (!at) {
    return [];
  }
  const { host, view, offset } = at;
  const project = workspace.projectFor(file);
  const range = (s: number, e: number) => host.lines.range(view.base + s, view.base + e);

  const site = view.facts.requires.find((r) => !r.dynamic && r.name !== undefined && r.nameStart <= offset && offset <= r.nameEnd);
  if (site) {
    const editRange = range(site.nameStart, site.nameEnd);
    return moduleCatalog(workspace, project).map((entry) => ({
      label: entry.name,
      kind: CompletionItemKind.Module,
      detail: entry.file ? `${entry.origin}: ${displayPath(project.root, entry.file)}` : entry.origin,
      sortText: `${ORIGIN_ORDER[entry.origin] ?? '9'}${entry.name}`,
      filterText: entry.name,
      textEdit: { range: editRange, newText: entry.name },
    }));
  }

  const tokens = tokensOf(view);
  const ctx = memberContextAt(tokens, offset);
  if (!ctx) {
    return [];
  }
  const editRange = range(ctx.start, ctx.end);
  // Members of what the receiver holds: a module, a facade's field, `require("m")`.
  const receiverIndex = tokenStartingAt(tokens, ctx.receiver.start);
  const chain = receiverIndex >= 0 ? chainAt(view, tokens, receiverIndex) : undefined;
  if (chain) {
    const follower = new ChainFollower(workspace);
    const value = follower.valueOf(luaAt(host, view), chain.ref, true);
    const source = value?.kind === 'module' && value.file !== undefined ? follower.source(value.file) : undefined;
    if (source) {
      const qualifier = view.text.slice(tokens[chain.start].start, ctx.receiver.end);
      return source.exports.members.map((m) => memberItem(workspace, m, follower.follow(source, m), qualifier, editRange));
    }
  }
  if (project.profile !== 'luakit') {
    return [];
  }
  if (ctx.separator === '.' && ctx.receiver.kind === 'name' && isBkGlobal(view, ctx.receiver.value, ctx.receiver.start)) {
    return bkFunctions().map(([name, fn]) => ({
      label: name,
      kind: CompletionItemKind.Function,
      detail: luakitSignature(`bk.${name}`, fn),
      documentation: { kind: MarkupKind.Markdown, value: luakitMarkdown(`bk.${name}`, fn) },
      textEdit: { range: editRange, newText: name },
    }));
  }
  if (ctx.separator === ':') {
    return stateMethods().map(([name, fn]) => ({
      label: name,
      kind: CompletionItemKind.Method,
      detail: luakitSignature(`state:${name}`, fn),
      documentation: { kind: MarkupKind.Markdown, value: luakitMarkdown(`state:${name}`, fn) },
      textEdit: { range: editRange, newText: name },
    }));
  }
  return [];
}

/** A member of a module as a completion item: described by what it leads to (a re-exported function, a facade's module). */
function memberItem(workspace: Workspace, exported: ExportedMember, value: ChainValue | undefined, qualifier: string, editRange: Range): CompletionItem {
  if (value?.kind === 'module' && value.file !== undefined) {
    return { label: exported.name, kind: CompletionItemKind.Module, detail: `module ${moduleNameOfFile(workspace, value.file)}`, textEdit: { range: editRange, newText: exported.name } };
  }
  const { source, member } = value?.kind === 'member' ? value : { source: undefined, member: exported };
  const doc = source ? memberDoc(source.text, source.facts, member) : undefined;
  return {
    label: exported.name,
    kind: member.kind === 'function' ? (member.method ? CompletionItemKind.Method : CompletionItemKind.Function) : CompletionItemKind.Field,
    detail: memberSignature({ ...member, name: exported.name }, qualifier),
    documentation: doc ? { kind: MarkupKind.Markdown, value: doc } : undefined,
    textEdit: { range: editRange, newText: exported.name },
  };
}
