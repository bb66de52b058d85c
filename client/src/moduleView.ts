import * as path from 'node:path';
import * as vscode from 'vscode';
import { LanguageClient } from 'vscode-languageclient/node';
import { BuildProjectsRequest, ModuleMapEntry, ModuleMapRequest, ModuleMapResult, ModuleMapStatus } from '../../server/src/protocol/protocol';
import { isInside, projectLabel } from './projects';

export const MODULE_VIEW_ID = 'restyBuild.moduleMap';
/** Set while the workspace has a resty-build.json: the view's `when` clause. */
const HAS_MANIFEST_CONTEXT = 'restyBuild.hasManifest';

type GroupId = 'problems' | 'embedded' | 'runtime';

/** A project with a manifest; shown as a level of its own only when there are several. */
export interface ProjectNode {
  readonly kind: 'project';
  readonly dir: string;
  /** The manifest's path: with `dir`, what the build commands take as a project. */
  readonly manifest: string;
  readonly map: ModuleMapResult;
}

export interface GroupNode {
  readonly kind: 'group';
  readonly group: GroupId;
  readonly project: ProjectNode;
  readonly parent: ProjectNode | undefined;
  readonly entries: ModuleMapEntry[];
}

export interface ModuleNode {
  readonly kind: 'module';
  readonly entry: ModuleMapEntry;
  readonly parent: GroupNode;
}

export type ModuleViewNode = ProjectNode | GroupNode | ModuleNode;

const GROUPS: { id: GroupId; label: string; icon: string; statuses: readonly ModuleMapStatus[]; expanded: boolean }[] = [
  { id: 'problems', label: 'Problems', icon: 'warning', statuses: ['error', 'hyphen-name', 'unresolved', 'not-in-mapping', 'native'], expanded: true },
  { id: 'embedded', label: 'Embedded', icon: 'package', statuses: ['embedded'], expanded: true },
  { id: 'runtime', label: 'Provided by the runtime', icon: 'library', statuses: ['provided', 'builtin'], expanded: false },
];

const STATUS: Record<ModuleMapStatus, { text: string; icon: string; color?: string }> = {
  embedded: { text: 'embedded as bytecode', icon: 'pass', color: 'testing.iconPassed' },
  'not-in-mapping': { text: 'reached, but missing from embed', icon: 'warning', color: 'list.warningForeground' },
  native: { text: 'C module: cannot be bytecode, ship it with the runtime', icon: 'file-binary', color: 'list.warningForeground' },
  unresolved: { text: 'not found', icon: 'error', color: 'list.errorForeground' },
  'hyphen-name': { text: "never found: require cuts the name at '-'", icon: 'error', color: 'list.errorForeground' },
  error: { text: 'will not embed', icon: 'error', color: 'list.errorForeground' },
  provided: { text: 'provided by the runtime', icon: 'plug' },
  builtin: { text: 'built into the runtime', icon: 'library' },
};

/**
 * The module map as a tree in the Explorer: per project (when there are
 * several), the modules with problems, the embedded ones and what the
 * runtime provides. Each row shows the module, its `luaJIT_BC_` symbol and
 * its status; a click opens its file, or the place that names it.
 */
export class ModuleView implements vscode.TreeDataProvider<ModuleViewNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<ModuleViewNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  /** The Explorer view it feeds. */
  readonly treeView: vscode.TreeView<ModuleViewNode>;
  private projects: ProjectNode[] | undefined;

  constructor(private readonly client: () => LanguageClient | undefined) {
    this.treeView = vscode.window.createTreeView(MODULE_VIEW_ID, { treeDataProvider: this, showCollapseAll: true });
  }

  /** Reads every map again (the server said one changed, it restarted, or the user asked). */
  refresh(): void {
    this.projects = undefined;
    void this.updateContext();
    this.changed.fire(undefined);
  }

  /** Shows the view, with the project of the active file revealed when there are several. */
  async show(): Promise<void> {
    const projects = this.projects ?? (await this.load());
    if (projects.length === 0) {
      // Not awaited: it settles only when the message is closed.
      void vscode.window
        .showInformationMessage('resty-build: no resty-build.json in this workspace, so there is no module map yet.', 'Create Manifest')
        .then((choice) => choice && vscode.commands.executeCommand('restyBuild.createManifest'));
      return;
    }
    await vscode.commands.executeCommand(`${MODULE_VIEW_ID}.focus`);
    const active = vscode.window.activeTextEditor?.document.uri;
    if (active?.scheme !== 'file') {
      return;
    }
    try {
      await this.revealOwner(projects, active.fsPath);
    } catch {
      // The maps were read again meanwhile (the server said one changed): reveal in what the view shows now.
      await this.revealOwner(this.projects ?? (await this.load()), active.fsPath);
    }
  }

  private async revealOwner(projects: readonly ProjectNode[], file: string): Promise<void> {
    const owner = projects.filter((p) => isInside(p.dir, file)).sort((a, b) => b.dir.length - a.dir.length)[0];
    if (projects.length > 1 && owner) {
      await this.treeView.reveal(owner, { select: true, focus: true, expand: true });
    }
  }

  getTreeItem(node: ModuleViewNode): vscode.TreeItem {
    switch (node.kind) {
      case 'project':
        return projectItem(node);
      case 'group':
        return groupItem(node);
      case 'module':
        return moduleItem(node);
    }
  }

  async getChildren(node?: ModuleViewNode): Promise<ModuleViewNode[]> {
    if (!node) {
      // The maps as last read (refresh forgets them): show() reveals one of these very nodes.
      const projects = this.projects ?? (await this.load());
      return projects.length === 1 ? groupsOf(projects[0], undefined) : projects;
    }
    if (node.kind === 'project') {
      return groupsOf(node, node);
    }
    if (node.kind === 'group') {
      return node.entries.map((entry) => ({ kind: 'module', entry, parent: node }));
    }
    return [];
  }

  getParent(node: ModuleViewNode): ModuleViewNode | undefined {
    return node.kind === 'project' ? undefined : node.parent;
  }

  private async load(): Promise<ProjectNode[]> {
    const client = this.client();
    if (!client?.isRunning()) {
      // The view's welcome text says so and offers the server's output.
      this.treeView.message = undefined;
      return [];
    }
    try {
      const infos = await client.sendRequest(BuildProjectsRequest.type);
      const projects = await Promise.all(
        infos.map(async (info): Promise<ProjectNode> => ({
          kind: 'project',
          dir: info.dir,
          manifest: info.manifest,
          map: await client.sendRequest(ModuleMapRequest.type, { uri: vscode.Uri.file(info.manifest).toString() }),
        })),
      );
      this.projects = projects.sort((a, b) => projectLabel(a.dir).localeCompare(projectLabel(b.dir)));
      this.treeView.message = undefined;
      return this.projects;
    } catch (e) {
      this.treeView.message = `The module map could not be read: ${e instanceof Error ? e.message : String(e)}`;
      return [];
    }
  }

  /** Shows or hides the view by whether a project has a manifest; a stopped server leaves it shown, with its welcome text. */
  private async updateContext(): Promise<void> {
    const client = this.client();
    if (!client?.isRunning()) {
      return;
    }
    const has = await client.sendRequest(BuildProjectsRequest.type).then(
      (projects) => projects.length > 0,
      () => undefined,
    );
    if (has !== undefined) {
      await vscode.commands.executeCommand('setContext', HAS_MANIFEST_CONTEXT, has);
    }
  }

  dispose(): void {
    this.treeView.dispose();
    this.changed.dispose();
  }
}

function groupsOf(project: ProjectNode, parent: ProjectNode | undefined): GroupNode[] {
  return GROUPS.map((g) => ({
    kind: 'group' as const,
    group: g.id,
    project,
    parent,
    entries: project.map.modules.filter((m) => g.statuses.includes(m.status)),
  })).filter((g) => g.entries.length > 0);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function projectItem(node: ProjectNode): vscode.TreeItem {
  const item = new vscode.TreeItem(projectLabel(node.dir), node.map.modules.length > 0 ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
  item.id = node.manifest;
  const omitted = node.map.omitted > 0 ? `; ${node.map.omitted} more not listed (resty-build map lists all)` : '';
  item.description = `${node.map.embedded} embedded${node.map.problems > 0 ? `, ${plural(node.map.problems, 'problem')}` : ''}${omitted}`;
  item.iconPath = new vscode.ThemeIcon('project');
  item.tooltip = node.manifest;
  item.contextValue = 'project';
  return item;
}

function groupItem(node: GroupNode): vscode.TreeItem {
  const group = GROUPS.find((g) => g.id === node.group)!;
  const item = new vscode.TreeItem(group.label, group.expanded ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
  item.id = `${node.project.manifest}#${node.group}`;
  item.description = String(node.entries.length);
  item.iconPath = new vscode.ThemeIcon(group.icon);
  item.contextValue = `group.${node.group}`;
  return item;
}

function moduleItem(node: ModuleNode): vscode.TreeItem {
  const { entry } = node;
  const status = STATUS[entry.status];
  const item = new vscode.TreeItem(entry.module, vscode.TreeItemCollapsibleState.None);
  item.id = `${node.parent.project.manifest}#${node.parent.group}#${entry.module}`;
  item.description = entry.status === 'builtin' || entry.status === 'provided' ? status.text : entry.symbol;
  item.iconPath = new vscode.ThemeIcon(status.icon, status.color ? new vscode.ThemeColor(status.color) : undefined);
  item.tooltip = moduleTooltip(entry, node.parent.project.dir);
  item.contextValue = `module.${entry.status}`;
  if (entry.location) {
    const { start, end } = entry.location.range;
    item.command = {
      command: 'vscode.open',
      title: 'Open',
      arguments: [vscode.Uri.parse(entry.location.uri), { selection: new vscode.Range(start.line, start.character, end.line, end.character), preview: true }],
    };
  }
  return item;
}

/** A path as the user reads it: relative to the project when inside it. */
function shownPath(dir: string, file: string): string {
  return isInside(dir, file) ? path.relative(dir, file) : file;
}

/**
 * Escapes Markdown's punctuation but keeps the spaces: MarkdownString.appendText
 * writes them as &nbsp;, and a long message then wraps inside its words.
 */
function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>~&]/g, '\\$&');
}

function moduleTooltip(entry: ModuleMapEntry, dir: string): vscode.MarkdownString {
  const tip = new vscode.MarkdownString();
  const line = (label: string, value: string): void => {
    tip.appendMarkdown(`\n\n${label}: ${escapeMarkdown(value)}`);
  };
  tip.appendMarkdown(`**${escapeMarkdown(entry.module)}**: ${escapeMarkdown(STATUS[entry.status].text)}`);
  if (entry.fileUri) {
    line('File', shownPath(dir, vscode.Uri.parse(entry.fileUri).fsPath));
  }
  if (entry.origin) {
    line('Origin', entry.origin);
  }
  if (entry.status !== 'builtin' && entry.status !== 'provided') {
    line('Symbol', entry.symbol);
    line('Object', shownPath(dir, entry.object));
  }
  for (const reason of entry.reasons) {
    const [first, ...rest] = reason.message.split('\n');
    // Codes are kebab-case words: nothing in them needs escaping inside backticks.
    tip.appendMarkdown(`\n\n\`${reason.code}\`: ${escapeMarkdown(first)}`);
    if (rest.length > 0) {
      tip.appendCodeblock(rest.join('\n'), 'text');
    }
  }
  return tip;
}
