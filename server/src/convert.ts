import { Diagnostic, DiagnosticSeverity } from './lsp';
import { URI } from 'vscode-uri';
import { docsUrlFor } from './core/codes';
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

export { docsUrlFor };

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
