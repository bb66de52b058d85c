import * as vscode from 'vscode';
import { LanguageClient } from 'vscode-languageclient/node';
import { ModuleMapRequest, ModuleMapResult } from '../../server/src/protocol/protocol';

/** The module map of the project holding the active file (else the first project with a manifest). */
async function activeModuleMap(client: LanguageClient | undefined): Promise<ModuleMapResult | undefined> {
  if (!client) {
    return undefined;
  }
  const active = vscode.window.activeTextEditor?.document.uri;
  return client.sendRequest(ModuleMapRequest.type, { uri: active?.scheme === 'file' ? active.toString() : undefined, rows: false });
}

/** The outcome of the last compile or verify, shown next to the embed state. */
export interface BuildOutcome {
  title: string;
  summary: string;
  errors: number;
  cancelled: boolean;
  at: Date;
}

/**
 * Shows the embed state (modules embedded, problems), the last build's
 * outcome, a spinner while a build runs, and a stopped server; opens the
 * module map when clicked.
 */
export class EmbedStatusItem implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('restyBuild.embedState', vscode.StatusBarAlignment.Left, 50);
  private timer: NodeJS.Timeout | undefined;
  private map: ModuleMapResult | undefined;
  private lastBuild: BuildOutcome | undefined;
  private running: string | undefined;
  private stopped = false;
  private visible = false;

  constructor(private readonly client: () => LanguageClient | undefined) {
    this.item.name = 'resty-build embed state';
  }

  /** The text shown now ('' when hidden), for the tests. */
  get text(): string {
    return this.visible ? this.item.text : '';
  }

  /** Coalesces bursts of diagnostics changes into one refresh. */
  schedule(): void {
    if (this.timer) {
      clearTimeout(this.timer);
    }
    this.timer = setTimeout(() => void this.refresh(), 300);
  }

  async refresh(): Promise<void> {
    try {
      this.map = await activeModuleMap(this.client());
      this.stopped = false;
    } catch {
      this.map = undefined;
    }
    this.render();
  }

  buildStarted(title: string): void {
    this.running = title;
    this.render();
  }

  buildFinished(outcome: BuildOutcome | undefined): void {
    this.running = undefined;
    this.lastBuild = outcome ?? this.lastBuild;
    this.render();
  }

  serverStopped(): void {
    this.stopped = true;
    this.render();
  }

  private render(): void {
    if (this.stopped) {
      this.item.text = '$(debug-disconnect) resty-build stopped';
      this.item.tooltip = 'The resty-build language server is not running. Click for its output.';
      this.item.command = 'restyBuild.showOutput';
      this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
      this.visible = true;
      this.item.show();
      return;
    }
    const map = this.map;
    if (!map || map.manifestUri === null) {
      this.visible = false;
      this.item.hide();
      return;
    }
    const problems = map.problems;
    const parts = [`$(package) ${map.embedded} embedded${problems > 0 ? `, $(warning) ${problems} problem${problems === 1 ? '' : 's'}` : ''}`];
    const build = this.lastBuild;
    if (this.running) {
      parts.push(`$(sync~spin) ${this.running}`);
    } else if (build) {
      parts.push(build.cancelled ? `$(circle-slash) ${build.title}` : build.errors > 0 ? `$(error) ${build.title}: ${build.errors} error${build.errors === 1 ? '' : 's'}` : `$(check) ${build.title}`);
    }
    this.item.text = parts.join('  ');
    const tooltip = new vscode.MarkdownString(`**resty-build**: ${map.embedded} module${map.embedded === 1 ? '' : 's'} embedded as LuaJIT bytecode${problems > 0 ? `, ${problems} with problems` : ''}.`);
    if (build) {
      tooltip.appendMarkdown(`\n\nLast build: ${build.title} at ${build.at.toLocaleTimeString()}: ${build.cancelled ? 'cancelled' : build.summary}`);
    }
    tooltip.appendMarkdown('\n\nClick to show the module map.');
    this.item.tooltip = tooltip;
    this.item.command = 'restyBuild.showModuleMap';
    this.visible = true;
    this.item.backgroundColor =
      build && !this.running && build.errors > 0 ? new vscode.ThemeColor('statusBarItem.errorBackground') : problems > 0 ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.show();
  }

  dispose(): void {
    if (this.timer) {
      clearTimeout(this.timer);
    }
    this.item.dispose();
  }
}
