import * as path from 'node:path';
import { CodeAction, CodeActionKind, Diagnostic, TextEdit, WorkspaceEdit } from '../lsp';
import { safeFixes } from '../core/embed/safeFixes';
import { appendToArray } from '../core/manifest/manifestEdits';
import { displayPath } from '../core/paths';
import { LineIndex } from '../core/types';
import { Workspace } from '../core/workspace/workspace';
import { substitute } from '../core/resolve/resolver';
import { NEWEST_OPENRESTY_PRESET, RUNTIME_PRESETS } from '../core/resolve/runtimePresets';
import { pathToUri } from '../convert';
import { suppressionActions } from './suppressionActions';

function manifestEdit(workspace: Workspace, manifestFile: string, key: 'embed' | 'provided', names: string[]): WorkspaceEdit | undefined {
  const text = workspace.readText(manifestFile);
  if (text === undefined) {
    return undefined;
  }
  const edits = appendToArray(text, key, names);
  if (edits.length === 0) {
    return undefined;
  }
  const lines = new LineIndex(text);
  const textEdits: TextEdit[] = edits.map((e) => ({ range: lines.range(e.offset, e.offset + e.length), newText: e.content }));
  return { changes: { [pathToUri(manifestFile)]: textEdits } };
}

const MODULE_TEMPLATE = (name: string) => `-- ${name}\nlocal _M = {}\n\nreturn _M\n`;

/** Quick fixes for the diagnostics of one file. Each edit of the manifest keeps its formatting and comments. */
export function findCodeActions(workspace: Workspace, file: string, diagnostics: Diagnostic[]): CodeAction[] {
  const project = workspace.projectFor(file);
  const manifestFile = project.manifest?.file;
  const actions: CodeAction[] = [];
  for (const diagnostic of diagnostics) {
    const name = (diagnostic.data as { module?: string } | undefined)?.module;
    if (diagnostic.source !== 'resty-build') {
      continue;
    }
    const fix = (title: string, edit: WorkspaceEdit | undefined, preferred = false) => {
      if (edit) {
        actions.push({ title, kind: CodeActionKind.QuickFix, diagnostics: [diagnostic], edit, isPreferred: preferred || undefined });
      }
    };
    if (diagnostic.code === 'not-in-mapping' && manifestFile) {
      if (name) {
        fix(`Add '${name}' to embed in resty-build.json`, manifestEdit(workspace, manifestFile, 'embed', [name]), true);
      }
      // What `resty-build fix` adds to embed: the same list, one action.
      const embedding = workspace.embedding(project);
      const missing = embedding ? safeFixes(embedding).embed : [];
      // A finding without a module lists several (from files outside the project): adding them all is its fix.
      if (missing.length > 1 || (!name && missing.length > 0)) {
        fix(`Add all ${missing.length} modules missing from the closure to embed`, manifestEdit(workspace, manifestFile, 'embed', missing), !name);
      }
    }
    if (!name) {
      continue;
    }
    if ((diagnostic.code === 'not-in-mapping' || diagnostic.code === 'unresolved-module') && manifestFile && project.profile === 'openresty') {
      fix(`Declare '${name}' as provided by the runtime`, manifestEdit(workspace, manifestFile, 'provided', [name]));
      const preset = RUNTIME_PRESETS[NEWEST_OPENRESTY_PRESET];
      if (preset.modules.includes(name) && !project.manifest?.providedPresets.includes(NEWEST_OPENRESTY_PRESET)) {
        fix(`Declare ${preset.title} as provided (${NEWEST_OPENRESTY_PRESET})`, manifestEdit(workspace, manifestFile, 'provided', [NEWEST_OPENRESTY_PRESET]));
      }
    }
    if (diagnostic.code === 'unresolved-module') {
      const template = project.resolver.lua.find((t) => t.origin === 'workspace' && t.template.includes('?') && !t.template.includes(`${path.sep}init.lua`));
      const target = template ? path.normalize(substitute(template.template, name)) : undefined;
      if (target) {
        const uri = pathToUri(target);
        actions.push({
          title: `Create ${displayPath(project.root, target)} for '${name}'`,
          kind: CodeActionKind.QuickFix,
          diagnostics: [diagnostic],
          edit: {
            documentChanges: [
              { kind: 'create', uri, options: { ignoreIfExists: true } },
              { textDocument: { uri, version: null }, edits: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: MODULE_TEMPLATE(name) }] },
            ],
          },
        });
      }
    }
  }
  return [...actions, ...suppressionActions(file, workspace.readText(file), diagnostics)];
}
