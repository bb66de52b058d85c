// Shared by the extension-host suites of the real extension: waits on real signals, bounded.
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import type { RestyBuildApi } from '../../../../client/src/extension';
import type { ModuleView, ModuleViewNode } from '../../../../client/src/moduleView';
import { waitFor } from './waitFor';

export const EXTENSION_ID = 'resty-build.resty-build';

/** Resolves once the language client is running (after activation or a restart). */
export function waitForRunningClient(api: RestyBuildApi, timeoutMs = 30_000): Promise<true> {
  return waitFor(() => (api.client?.isRunning() ? true : undefined), { what: 'the resty-build language client to be running', timeoutMs });
}

/** Resolves with the diagnostics of `uri` once `ok` holds for them; re-checked on every change. */
export function waitForDiagnostics(uri: vscode.Uri, ok: (ds: vscode.Diagnostic[]) => boolean, timeoutMs = 20_000): Promise<vscode.Diagnostic[]> {
  return waitFor(
    () => {
      const ds = vscode.languages.getDiagnostics(uri);
      return ok(ds) ? ds : undefined;
    },
    {
      what: () => `diagnostics of ${uri.fsPath} to match (now: ${JSON.stringify(vscode.languages.getDiagnostics(uri).map((d) => [d.code, d.message.split('\n')[0]]))})`,
      timeoutMs,
      onDidChange: vscode.languages.onDidChangeDiagnostics,
    },
  );
}

/** The position `offset` characters into the first occurrence of `needle`. */
export function positionOf(doc: vscode.TextDocument, needle: string, offset = 0): vscode.Position {
  const index = doc.getText().indexOf(needle);
  assert.ok(index >= 0, `${needle} is not in ${doc.uri.fsPath}`);
  return doc.positionAt(index + offset);
}

/** Go to definition through VS Code's command, as F12 does: target files and 0-based lines. */
export async function definitionTargets(uri: vscode.Uri, position: vscode.Position): Promise<{ file: string; line: number }[]> {
  const found = (await vscode.commands.executeCommand<(vscode.Location | vscode.LocationLink)[]>('vscode.executeDefinitionProvider', uri, position)) ?? [];
  return found.map((l) =>
    'targetUri' in l ? { file: l.targetUri.fsPath, line: (l.targetSelectionRange ?? l.targetRange).start.line } : { file: l.uri.fsPath, line: l.range.start.line },
  );
}

/** The pid of the language server: the child of this extension host running dist/server.js (Linux /proc). */
export function findServerPid(): number | undefined {
  for (const name of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      // The command name (field 2) is in parentheses and may hold spaces: the ppid follows the last ')'.
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid && readFileSync(`/proc/${name}/cmdline`, 'utf8').includes('server.js')) {
        return Number(name);
      }
    } catch {
      // the process ended while being read
    }
  }
  return undefined;
}


/** One module row of the module view, with the group and project it is shown under. */
export interface ModuleViewRow {
  /** The project's label; '' when the view shows a single project without that level. */
  project: string;
  group: string;
  module: string;
  description: string;
  icon: string | undefined;
  tooltip: string;
  item: vscode.TreeItem;
}

function labelOf(item: vscode.TreeItem): string {
  return typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
}

/** Markdown as a reader sees its words: without the backslashes that escape punctuation. */
function readableMarkdown(value: string): string {
  return value.replace(/\\([\\`*_{}[\]()#+\-.!~|<>&])/g, '$1');
}

/** Every module row of the module view, read through its data provider as the Explorer reads it. */
export async function readModuleView(view: ModuleView): Promise<ModuleViewRow[]> {
  const rows: ModuleViewRow[] = [];
  const walk = async (node: ModuleViewNode | undefined, project: string, group: string): Promise<void> => {
    for (const child of await view.getChildren(node)) {
      const item = view.getTreeItem(child);
      if (child.kind === 'project') {
        await walk(child, labelOf(item), '');
      } else if (child.kind === 'group') {
        await walk(child, project, labelOf(item));
      } else {
        const tooltip = typeof item.tooltip === 'object' ? readableMarkdown(item.tooltip.value) : (item.tooltip ?? '');
        const icon = (item.iconPath as { id?: string } | undefined)?.id;
        rows.push({ project, group, module: labelOf(item), description: String(item.description ?? ''), icon, tooltip, item });
      }
    }
  };
  await walk(undefined, '', '');
  return rows;
}

/**
 * Resolves with `check`'s value once the module view refreshes by itself (its onDidChangeTreeData)
 * and then shows rows for which `check` holds. Call it before the change it waits for.
 */
export function waitForModuleView<T>(view: ModuleView, check: (rows: ModuleViewRow[]) => T | undefined, what: string, timeoutMs = 20_000): Promise<T> {
  return new Promise((resolve, reject) => {
    let last: ModuleViewRow[] = [];
    let reading = false;
    let again = false;
    const finish = (): void => {
      subscription.dispose();
      clearTimeout(timer);
    };
    const read = async (): Promise<void> => {
      if (reading) {
        again = true;
        return;
      }
      reading = true;
      try {
        do {
          again = false;
          last = await readModuleView(view);
          const value = check(last);
          if (value !== undefined) {
            finish();
            resolve(value);
            return;
          }
        } while (again);
      } catch (err) {
        finish();
        reject(err instanceof Error ? err : new Error(String(err)));
      } finally {
        reading = false;
      }
    };
    const subscription = view.onDidChangeTreeData(() => void read());
    const timer = setTimeout(() => {
      finish();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for the module view to refresh and show ${what}; it shows ${JSON.stringify(last.map((r) => [r.project, r.group, r.module, r.icon]))}`));
    }, timeoutMs);
  });
}
