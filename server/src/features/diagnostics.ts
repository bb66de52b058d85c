import { Connection, Diagnostic } from 'vscode-languageserver/node';
import { checkAll, checkFile, checkFileLocal } from '../core/checks/fileChecks';
import { sameRange } from '../core/types';
import { Workspace } from '../core/workspace/workspace';
import { pathToUri, toDiagnostic } from '../convert';

/**
 * Publishes findings, sending a file's diagnostics only when they changed,
 * and clearing files that no longer have any (or no longer exist).
 */
function sameDiagnostics(a: readonly Diagnostic[], b: readonly Diagnostic[]): boolean {
  if (a.length !== b.length) {
    return false;
  }
  return a.every((x, i) => {
    const y = b[i];
    return (
      x.code === y.code &&
      x.severity === y.severity &&
      x.message === y.message &&
      sameRange(x.range, y.range) &&
      (x.data as { module?: string } | undefined)?.module === (y.data as { module?: string } | undefined)?.module
    );
  });
}

export class DiagnosticsPublisher {
  private readonly last = new Map<string, Diagnostic[]>();

  constructor(private readonly connection: Connection) {}

  private send(uri: string, diagnostics: Diagnostic[]): void {
    if (sameDiagnostics(this.last.get(uri) ?? [], diagnostics)) {
      return;
    }
    if (diagnostics.length === 0) {
      this.last.delete(uri);
    } else {
      this.last.set(uri, diagnostics);
    }
    void this.connection.sendDiagnostics({ uri, diagnostics });
  }

  /** Everything: after start-up, file creations/deletions, manifest or closure changes. */
  publishAll(workspace: Workspace, openFiles: Iterable<string>): void {
    const all = checkAll(workspace);
    for (const file of openFiles) {
      if (!all.has(file)) {
        all.set(file, checkFile(workspace, file));
      }
    }
    const seen = new Set<string>();
    for (const [file, findings] of all) {
      const uri = pathToUri(file);
      seen.add(uri);
      this.send(uri, findings.map(toDiagnostic));
    }
    for (const uri of [...this.last.keys()]) {
      if (!seen.has(uri)) {
        this.send(uri, []);
      }
    }
  }

  /** One file: an edit that cannot affect any other file's findings. `local`: skip the closure (still loading). */
  publishFile(workspace: Workspace, file: string, local = false): void {
    const findings = local ? checkFileLocal(workspace, file) : checkFile(workspace, file);
    this.send(pathToUri(file), findings.map(toDiagnostic));
  }

  /** How many files currently have diagnostics. */
  fileCount(): number {
    return this.last.size;
  }

  clear(file: string): void {
    this.send(pathToUri(file), []);
  }
}
