import { Diagnostic, DiagnosticSeverity } from 'vscode-languageserver/node';
import { URI } from 'vscode-uri';
import { codeInfo } from './core/codes';
import { DiagnosticCode, Finding, Severity } from './core/types';

export function uriToPath(uri: string): string | undefined {
  const parsed = URI.parse(uri);
  return parsed.scheme === 'file' ? parsed.fsPath : undefined;
}

export function pathToUri(file: string): string {
  return URI.file(file).toString();
}

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

/**
 * Where diagnostic codes are explained: the README's "Diagnostic codes" table,
 * generated from the code registry. Each code cell carries `<a name="…"></a>`
 * with the code's registry anchor; GitHub keeps such anchors (prefixed
 * `user-content-`, which its fragment handling resolves), so the link scrolls
 * to the code's row and stays stable when the table is reordered or headings
 * change.
 */
export const DOCS_URL = 'https://github.com/resty-build/resty-build/blob/main/README.md';

/** The link a diagnostic with `code` carries to its explanation. */
export function docsUrlFor(code: DiagnosticCode): string {
  return `${DOCS_URL}#${codeInfo(code).anchor}`;
}

export function toDiagnostic(f: Finding): Diagnostic {
  return {
    range: f.range,
    severity: SEVERITY[f.severity],
    code: f.code,
    codeDescription: { href: docsUrlFor(f.code) },
    source: 'resty-build',
    message: f.message,
    data: f.module !== undefined ? { module: f.module } : undefined,
  };
}
