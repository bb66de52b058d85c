import { createHash } from 'node:crypto';
import { Connection, Diagnostic, PublishDiagnosticsParams } from '../lsp';
import { Finding } from '../core/types';
import { pathToUri, toDiagnostic, uriToPath } from '../convert';

/**
 * Findings of the last build per project, merged into every diagnostics
 * publication for their files: the analysis publisher replaces a file's
 * diagnostics wholesale, so this sits between it and the connection. A
 * build finding is dropped once its file's text differs from what was built.
 */
export class BuildDiagnostics {
  private readonly build = new Map<string, { findings: Finding[]; textHash: string | undefined }>();
  private readonly analysis = new Map<string, Diagnostic[]>();
  private byProject = new Map<string, Set<string>>();
  private connection?: Connection;

  constructor(private readonly readText: (file: string) => string | undefined) {}

  /** The connection to hand the analysis publisher: its sendDiagnostics merges build findings in. */
  wrap(connection: Connection): Connection {
    this.connection = connection;
    return new Proxy(connection, {
      get: (target, prop, receiver) =>
        prop === 'sendDiagnostics' ? (params: PublishDiagnosticsParams) => this.onAnalysis(params) : Reflect.get(target, prop, receiver),
    });
  }

  private onAnalysis(params: PublishDiagnosticsParams): Promise<void> {
    this.analysis.set(params.uri, params.diagnostics);
    return this.send(params.uri);
  }

  private send(uri: string): Promise<void> {
    const entry = this.build.get(uri);
    // Parsed only for a file with build findings: every publish passes here.
    const file = entry && uriToPath(uri);
    if (entry && file && hash(this.readText(file)) !== entry.textHash) {
      this.build.delete(uri);
    }
    const extra = this.build.get(uri)?.findings.map(toDiagnostic) ?? [];
    return this.connection!.sendDiagnostics({ uri, diagnostics: [...(this.analysis.get(uri) ?? []), ...extra] });
  }

  /** Replaces the build findings of one project and republishes the files concerned. */
  set(projectDir: string, findings: Finding[]): void {
    const old = this.byProject.get(projectDir) ?? new Set<string>();
    const next = new Set<string>();
    const grouped = new Map<string, Finding[]>();
    for (const f of findings) {
      const uri = pathToUri(f.file);
      grouped.set(uri, [...(grouped.get(uri) ?? []), f]);
      next.add(uri);
    }
    for (const uri of old) {
      this.build.delete(uri);
    }
    for (const [uri, list] of grouped) {
      this.build.set(uri, { findings: list, textHash: hash(this.readText(list[0].file)) });
    }
    this.byProject.set(projectDir, next);
    for (const uri of new Set([...old, ...next])) {
      void this.send(uri);
    }
  }
}

function hash(text: string | undefined): string | undefined {
  return text === undefined ? undefined : createHash('sha1').update(text).digest('hex');
}
