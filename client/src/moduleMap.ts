import * as vscode from 'vscode';
import { LanguageClient } from 'vscode-languageclient/node';
import { ModuleMapRequest, ModuleMapResult } from '../../server/src/protocol';

export const MODULE_MAP_SCHEME = 'resty-build-map';
const MAP_URI = vscode.Uri.parse(`${MODULE_MAP_SCHEME}:/Module%20Map.md`);

/** The module map as a read-only Markdown document, refreshed from the server on demand. */
export class ModuleMapProvider implements vscode.TextDocumentContentProvider {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private text = '';

  constructor(private readonly client: () => LanguageClient | undefined) {}

  async fetch(): Promise<ModuleMapResult | undefined> {
    const client = this.client();
    if (!client) {
      return undefined;
    }
    const active = vscode.window.activeTextEditor?.document.uri;
    return client.sendRequest(ModuleMapRequest.type, { uri: active?.scheme === 'file' ? active.toString() : undefined });
  }

  provideTextDocumentContent(): string {
    return this.text;
  }

  async show(): Promise<void> {
    const result = await this.fetch();
    this.text = result?.markdown ?? 'The resty-build language server is not running.';
    this.changed.fire(MAP_URI);
    const doc = await vscode.workspace.openTextDocument(MAP_URI);
    await vscode.languages.setTextDocumentLanguage(doc, 'markdown');
    await vscode.window.showTextDocument(doc, { preview: true });
  }
}

/** Shows the embed state (modules embedded, problems) and opens the module map when clicked. */
export class EmbedStatusItem implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('restyBuild.embedState', vscode.StatusBarAlignment.Left, 50);
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly provider: ModuleMapProvider) {
    this.item.name = 'resty-build embed state';
    this.item.command = 'restyBuild.showModuleMap';
  }

  /** Coalesces bursts of diagnostics changes into one refresh. */
  schedule(): void {
    if (this.timer) {
      clearTimeout(this.timer);
    }
    this.timer = setTimeout(() => void this.refresh(), 300);
  }

  async refresh(): Promise<void> {
    let result: ModuleMapResult | undefined;
    try {
      result = await this.provider.fetch();
    } catch {
      result = undefined;
    }
    if (!result || result.manifestUri === null) {
      this.item.hide();
      return;
    }
    const problems = result.problems;
    this.item.text = `$(package) ${result.embedded} embedded${problems > 0 ? `, $(warning) ${problems} problem${problems === 1 ? '' : 's'}` : ''}`;
    this.item.tooltip = 'resty-build: modules embedded as LuaJIT bytecode. Click to show the module map.';
    this.item.backgroundColor = problems > 0 ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.show();
  }

  dispose(): void {
    if (this.timer) {
      clearTimeout(this.timer);
    }
    this.item.dispose();
  }
}
