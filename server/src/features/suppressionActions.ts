import * as path from 'node:path';
import { CodeAction, CodeActionKind, Diagnostic } from '../lsp';
import { ignoreInFileEdit, ignoreOnLineEdit, TextEdit } from '../core/checks/suppressionEdits';
import { isDiagnosticCode } from '../core/codes';
import { CommentSyntax } from '../core/lua/suppressionComments';
import { MANIFEST_NAME } from '../core/manifest/manifest';
import { LineIndex } from '../core/types';
import { pathToUri } from '../convert';

function syntaxOf(file: string): CommentSyntax | undefined {
  return path.basename(file) === MANIFEST_NAME ? 'json' : file.endsWith('.lua') ? 'lua' : undefined;
}

/**
 * Quick fixes that write a suppression comment for a finding: on its line
 * (`-- resty-build: ignore <code>`) or for the file (`ignore-file`), in Lua
 * files and the manifest. One pair per code, whatever the number of its
 * diagnostics in the request.
 */
export function suppressionActions(file: string, text: string | undefined, diagnostics: Diagnostic[]): CodeAction[] {
  const syntax = syntaxOf(file);
  if (!syntax || text === undefined) {
    return [];
  }
  const lines = new LineIndex(text);
  const uri = pathToUri(file);
  const action = (title: string, edit: TextEdit | undefined, diagnostic: Diagnostic): CodeAction[] =>
    edit
      ? [
          {
            title,
            kind: CodeActionKind.QuickFix,
            diagnostics: [diagnostic],
            edit: { changes: { [uri]: [{ range: lines.range(edit.offset, edit.offset + edit.length), newText: edit.content }] } },
          },
        ]
      : [];
  const actions: CodeAction[] = [];
  const offered = new Set<string>();
  for (const d of diagnostics) {
    const code = typeof d.code === 'string' ? d.code : undefined;
    if (d.source !== 'resty-build' || !code || !isDiagnosticCode(code)) {
      continue;
    }
    const line = d.range.start.line;
    if (!offered.has(`${code}:${line}`)) {
      offered.add(`${code}:${line}`);
      actions.push(...action(`Ignore ${code} on this line (resty-build: ignore)`, ignoreOnLineEdit(text, syntax, line, code), d));
    }
    if (!offered.has(code)) {
      offered.add(code);
      actions.push(...action(`Ignore ${code} in this file (resty-build: ignore-file)`, ignoreInFileEdit(text, syntax, code), d));
    }
  }
  return actions;
}
