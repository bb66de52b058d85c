import { CompletionItem, CompletionItemKind, MarkupKind, Position } from 'vscode-languageserver/node';
import { bindingAt } from '../core/navigate/aliases';
import { memberSignature } from '../core/navigate/exports';
import { bkFunctions, luakitMarkdown, luakitSignature, stateMethods } from '../core/navigate/luakitApi';
import { isBkGlobal } from '../core/navigate/luakitNav';
import { bindingsOf, memberDoc, tokensOf } from '../core/navigate/luaViews';
import { memberContextAt } from '../core/navigate/luaContext';
import { moduleCatalog } from '../core/navigate/moduleCatalog';
import { displayPath } from '../core/paths';
import { locate, moduleOf } from '../core/navigate/moduleNav';
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
  if (ctx.receiver.kind === 'name') {
    const binding = bindingAt(bindingsOf(view), ctx.receiver.value, ctx.receiver.start);
    if (binding?.module !== undefined) {
      const module = moduleOf(workspace, workspace.resolve(project, binding.module));
      if (!module) {
        return [];
      }
      return module.exports.members.map((m) => {
        const doc = memberDoc(module.text, module.facts, m);
        return {
          label: m.name,
          kind: m.kind === 'function' ? (m.method ? CompletionItemKind.Method : CompletionItemKind.Function) : CompletionItemKind.Field,
          detail: memberSignature(m, binding.name),
          documentation: doc ? { kind: MarkupKind.Markdown, value: doc } : undefined,
          textEdit: { range: editRange, newText: m.name },
        };
      });
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
