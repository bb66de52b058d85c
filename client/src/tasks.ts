import * as path from 'node:path';
import * as vscode from 'vscode';
import { Config } from './config';

/** The `resty-build` task type (package.json taskDefinitions). */
interface RestyBuildTaskDefinition extends vscode.TaskDefinition {
  type: 'resty-build';
  /** audit: `verify --nginx` with the restyBuild.nginxPath setting. */
  command: 'compile' | 'verify' | 'audit';
  /** The project folder, relative to the workspace folder (default: the folder itself). */
  dir?: string;
}

const TYPE = 'resty-build';

/**
 * Runs the bundled CLI (dist/cli.js) with the editor's own Node runtime:
 * process.execPath is Electron here, which acts as Node with
 * ELECTRON_RUN_AS_NODE=1. The working folder is the workspace folder, so the
 * CLI prints paths relative to it, where the $resty-build matcher looks.
 */
function createTask(context: vscode.ExtensionContext, config: Config, definition: RestyBuildTaskDefinition, folder: vscode.WorkspaceFolder): vscode.Task {
  const cli = context.asAbsolutePath(path.join('dist', 'cli.js'));
  const args = [cli, definition.command === 'audit' ? 'verify' : definition.command, definition.dir ?? '.'];
  if (definition.command === 'audit' && config.nginxPath) {
    args.push('--nginx', config.nginxPath);
  }
  if (config.luajitPath) {
    args.push('--luajit', config.luajitPath);
  }
  // verify's probe is linked with $CC (the CLI's findProbeToolchain), so the setting travels that way.
  const env: Record<string, string> = { ELECTRON_RUN_AS_NODE: '1', ...(config.cc ? { CC: config.cc } : {}) };
  const execution = new vscode.ProcessExecution(process.execPath, args, { cwd: folder.uri.fsPath, env });
  const name = definition.dir && definition.dir !== '.' ? `${definition.command} ${definition.dir}` : definition.command;
  const task = new vscode.Task(definition, folder, name, TYPE, execution, ['$resty-build']);
  task.group = definition.command === 'compile' ? vscode.TaskGroup.Build : vscode.TaskGroup.Test;
  return task;
}

class RestyBuildTaskProvider implements vscode.TaskProvider {
  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly config: Config,
  ) {}

  async provideTasks(): Promise<vscode.Task[]> {
    const tasks: vscode.Task[] = [];
    const manifests = await vscode.workspace.findFiles('**/resty-build.json', '**/node_modules/**', 50);
    for (const manifest of manifests) {
      const folder = vscode.workspace.getWorkspaceFolder(manifest);
      if (!folder) {
        continue;
      }
      const dir = path.relative(folder.uri.fsPath, path.dirname(manifest.fsPath)) || '.';
      // The audit needs a built nginx: offered once restyBuild.nginxPath names one.
      for (const command of this.config.nginxPath ? (['compile', 'verify', 'audit'] as const) : (['compile', 'verify'] as const)) {
        tasks.push(createTask(this.context, this.config, { type: TYPE, command, dir }, folder));
      }
    }
    return tasks;
  }

  resolveTask(task: vscode.Task): vscode.Task | undefined {
    const definition = task.definition as RestyBuildTaskDefinition;
    if (definition.type !== TYPE || !['compile', 'verify', 'audit'].includes(definition.command) || (definition.command === 'audit' && !this.config.nginxPath)) {
      return undefined;
    }
    const folder = typeof task.scope === 'object' ? task.scope : vscode.workspace.workspaceFolders?.[0];
    return folder ? createTask(this.context, this.config, definition, folder) : undefined;
  }
}

export function registerTasks(context: vscode.ExtensionContext, config: Config): vscode.Disposable {
  return vscode.tasks.registerTaskProvider(TYPE, new RestyBuildTaskProvider(context, config));
}
