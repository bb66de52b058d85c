import { Connection } from 'vscode-languageserver/node';
import { Workspace } from '../core/workspace';
import { pathToUri, toDiagnostic } from '../convert';

/**
 * Publishes findings for the whole workspace and for open documents, and
 * clears files that no longer have any (or no longer exist).
 */
export class DiagnosticsPublisher {
  private published = new Set<string>();

  constructor(private readonly connection: Connection) {}

  publishAll(workspace: Workspace, openFiles: Iterable<string>): void {
    const next = new Set<string>();
    const all = workspace.checkAll();
    for (const file of openFiles) {
      if (!all.has(file)) {
        all.set(file, workspace.checkFile(file));
      }
    }
    for (const [file, findings] of all) {
      const uri = pathToUri(file);
      if (findings.length > 0 || this.published.has(uri)) {
        void this.connection.sendDiagnostics({ uri, diagnostics: findings.map(toDiagnostic) });
      }
      if (findings.length > 0) {
        next.add(uri);
      }
    }
    for (const uri of this.published) {
      if (!next.has(uri) && ![...all.keys()].some((f) => pathToUri(f) === uri)) {
        void this.connection.sendDiagnostics({ uri, diagnostics: [] });
      }
    }
    this.published = next;
  }

  publishFile(workspace: Workspace, file: string, isManifest: boolean): void {
    const findings = isManifest ? workspace.checkManifest(file) : workspace.checkFile(file);
    const uri = pathToUri(file);
    if (findings.length > 0 || this.published.has(uri)) {
      void this.connection.sendDiagnostics({ uri, diagnostics: findings.map(toDiagnostic) });
    }
    if (findings.length > 0) {
      this.published.add(uri);
    } else {
      this.published.delete(uri);
    }
  }
}
