import { Connection, Diagnostic, DiagnosticRelatedInformation } from '../lsp';
import { checkAll, checkFile, checkFileLocal } from '../core/checks/fileChecks';
import { messageWithoutTrail, trailKey } from '../core/findingFormat';
import { Finding, sameRange } from '../core/types';
import { Workspace } from '../core/workspace/workspace';
import { pathToUri, toDiagnostic } from '../convert';
import { TrailHolders } from './trailHolders';

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
      (x.data as { module?: string } | undefined)?.module === (y.data as { module?: string } | undefined)?.module &&
      JSON.stringify(x.relatedInformation) === JSON.stringify(y.relatedInformation)
    );
  });
}

export class DiagnosticsPublisher {
  private readonly last = new Map<string, Diagnostic[]>();
  /** The findings last sent per file: a file is re-sent from them when the holder of one of its trails moves. */
  private readonly findings = new Map<string, Finding[]>();
  private readonly trails = new TrailHolders();

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

  /**
   * A finding as a diagnostic. A search trail goes to the related
   * information of one site per trail (TrailHolders); the other sites
   * point there, so sixty requires of a missing module show it once.
   */
  private toDiagnostic(f: Finding): Diagnostic {
    const diagnostic = toDiagnostic(f);
    const related: DiagnosticRelatedInformation[] = (f.related ?? []).map((r) => ({ location: { uri: pathToUri(r.file), range: r.range }, message: r.message }));
    const key = trailKey(f);
    const holder = key === undefined ? undefined : this.trails.holder(key);
    if (holder && f.trail) {
      diagnostic.message = messageWithoutTrail(f);
      if (holder.file === f.file && sameRange(holder.range, f.range)) {
        const here = { uri: pathToUri(f.file), range: f.range };
        related.unshift(...f.trail.map((line) => ({ location: here, message: line })));
      } else {
        related.unshift({ location: { uri: pathToUri(holder.file), range: holder.range }, message: `the search trail of '${f.module}' (${holder.sites} sites)` });
      }
    }
    if (related.length > 0) {
      diagnostic.relatedInformation = related;
    }
    return diagnostic;
  }

  private sendFindings(file: string): void {
    this.send(pathToUri(file), (this.findings.get(file) ?? []).map((f) => this.toDiagnostic(f)));
  }

  /** Records a file's findings; returns the other files whose trail diagnostics change with them. */
  private record(file: string, findings: Finding[]): Set<string> {
    const keys = [...new Set([...this.trails.keysOf(file), ...findings.map(trailKey).filter((k): k is string => k !== undefined)])];
    const before = keys.map((k) => this.trails.holder(k));
    this.keep(file, findings);
    const affected = new Set<string>();
    keys.forEach((key, i) => {
      const was = before[i];
      const now = this.trails.holder(key);
      if (was?.file !== now?.file || was?.sites !== now?.sites || (was && now && !sameRange(was.range, now.range))) {
        this.trails.filesOf(key).forEach((f) => affected.add(f));
      }
    });
    affected.delete(file);
    return affected;
  }

  private keep(file: string, findings: Finding[]): void {
    if (findings.length === 0) {
      this.findings.delete(file);
    } else {
      this.findings.set(file, findings);
    }
    this.trails.update(file, findings);
  }

  /** Everything: after start-up, file creations/deletions, manifest or closure changes. */
  publishAll(workspace: Workspace, openFiles: Iterable<string>): void {
    const all = checkAll(workspace);
    for (const file of openFiles) {
      if (!all.has(file)) {
        all.set(file, checkFile(workspace, file));
      }
    }
    for (const file of [...this.findings.keys()]) {
      if (!all.has(file)) {
        all.set(file, []);
      }
    }
    // Every file's trails first, so each diagnostic knows which site holds its trail.
    // No file needs telling which others its findings affect: every file is sent below.
    for (const [file, findings] of all) {
      this.keep(file, findings);
    }
    const seen = new Set<string>();
    for (const file of all.keys()) {
      seen.add(pathToUri(file));
      this.sendFindings(file);
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
    const others = this.record(file, findings);
    this.sendFindings(file);
    for (const other of others) {
      this.sendFindings(other);
    }
  }

  /** How many files currently have diagnostics. */
  fileCount(): number {
    return this.last.size;
  }

  clear(file: string): void {
    this.record(file, []);
    this.sendFindings(file);
  }
}
