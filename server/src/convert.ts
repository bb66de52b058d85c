import { Diagnostic, DiagnosticSeverity } from './lsp';
import { URI } from 'vscode-uri';
import { docsUrlFor } from './core/codes';
import { Finding, Severity } from './core/types';

export function uriToPath(uri: string): string | undefined {
  const parsed = URI.parse(uri);
  return parsed.scheme === 'file' ? parsed.fsPath : undefined;
}

/** URIs already made: publishing a workspace's diagnostics asks again for the same files' (vscode-uri encodes each path anew). */
const uris = new Map<string, string>();
const MAX_CACHED_URIS = 50_000;

export function pathToUri(file: string): string {
  let uri = uris.get(file);
  if (uri === undefined) {
    uri = URI.file(file).toString();
    if (uris.size >= MAX_CACHED_URIS) {
      uris.clear();
    }
    uris.set(file, uri);
  }
  return uri;
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
