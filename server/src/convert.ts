import { Diagnostic, DiagnosticSeverity } from 'vscode-languageserver/node';
import { URI } from 'vscode-uri';
import { Finding, Severity } from './core/types';

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

/** README anchors per code, so editors can link a diagnostic to its explanation. */
export const DOCS_URL = 'https://github.com/resty-build/resty-build#diagnostic-codes';

export function toDiagnostic(f: Finding): Diagnostic {
  return {
    range: f.range,
    severity: SEVERITY[f.severity],
    code: f.code,
    codeDescription: { href: `${DOCS_URL}` },
    source: 'resty-build',
    message: f.message,
    data: f.module !== undefined ? { module: f.module } : undefined,
  };
}
