import { DocumentSymbol, Location, SymbolInformation, SymbolKind } from '../lsp';
import { documentSymbols, OutlineKind, OutlineSymbol, workspaceSymbols } from '../core/navigate/symbols';
import { Workspace } from '../core/workspace/workspace';
import { pathToUri } from '../convert';

const KIND: Record<OutlineKind, SymbolKind> = {
  module: SymbolKind.Module,
  function: SymbolKind.Function,
  method: SymbolKind.Method,
  field: SymbolKind.Field,
  variable: SymbolKind.Variable,
};

function toDocumentSymbol(s: OutlineSymbol): DocumentSymbol {
  return {
    name: s.name,
    kind: KIND[s.kind],
    detail: s.detail,
    range: s.range,
    selectionRange: s.selectionRange,
    children: s.children?.map(toDocumentSymbol),
  };
}

export function findDocumentSymbols(workspace: Workspace, file: string): DocumentSymbol[] {
  const text = workspace.readText(file);
  const facts = file.endsWith('.lua') && text !== undefined ? workspace.facts(file) : undefined;
  return facts && text !== undefined ? documentSymbols(text, facts).map(toDocumentSymbol) : [];
}

export function findWorkspaceSymbols(workspace: Workspace, query: string): SymbolInformation[] {
  return workspaceSymbols(workspace, query).map((s) => ({
    name: s.name,
    kind: KIND[s.kind],
    containerName: s.container,
    location: Location.create(pathToUri(s.file), s.range),
  }));
}
