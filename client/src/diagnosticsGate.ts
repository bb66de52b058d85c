import * as vscode from 'vscode';
import { HandleDiagnosticsSignature } from 'vscode-languageclient/node';
import { Config, SECTION } from './config';

/**
 * restyBuild.diagnostics.enable: the server keeps analysing (navigation, the
 * module map and the status bar need it), the client just does not show the
 * findings. The last publication per file is kept, so turning the setting
 * back on shows them again without a restart.
 */
export class DiagnosticsGate {
  private readonly latest = new Map<string, { uri: vscode.Uri; diagnostics: vscode.Diagnostic[] }>();

  constructor(
    private readonly config: Config,
    private readonly collection: () => vscode.DiagnosticCollection | undefined,
  ) {}

  handle(uri: vscode.Uri, diagnostics: vscode.Diagnostic[], next: HandleDiagnosticsSignature): void {
    this.latest.set(uri.toString(), { uri, diagnostics });
    next(uri, this.config.diagnosticsEnabled ? diagnostics : []);
  }

  watch(): vscode.Disposable {
    return vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration(`${SECTION}.diagnostics.enable`)) {
        return;
      }
      const collection = this.collection();
      const enabled = this.config.diagnosticsEnabled;
      for (const { uri, diagnostics } of this.latest.values()) {
        collection?.set(uri, enabled ? diagnostics : []);
      }
    });
  }
}
