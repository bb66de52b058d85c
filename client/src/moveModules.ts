import * as path from 'node:path';
import * as vscode from 'vscode';
import { FileOperationsMiddleware } from 'vscode-languageclient/node';
import { Config } from './config';

type WillRename = NonNullable<FileOperationsMiddleware['willRenameFiles']>;

const YES: vscode.MessageItem = { title: 'Yes' };
const NO: vscode.MessageItem = { title: 'No', isCloseAffordance: true };
const ALWAYS: vscode.MessageItem = { title: 'Always' };
const NEVER: vscode.MessageItem = { title: 'Never' };

/**
 * The client side of moving a Lua module (restyBuild.updateRequiresOnMove):
 * the server's edit for the requires and embed entries is applied as it is
 * (`always`), after a question (`prompt`, the way TypeScript asks about
 * imports on a file move), or never asked for (`never`). The question is
 * modal: VS Code holds the move until it is answered, and applies the edit
 * before the files move.
 */
export function updateRequiresOnMove(config: Config): WillRename {
  return async (event, next) => {
    const scope = event.files[0]?.oldUri;
    const setting = config.updateRequiresOnMove(scope);
    if (setting === 'never') {
      return undefined;
    }
    const edit = await next(event);
    if (!edit || edit.size === 0 || setting === 'always') {
      return edit;
    }
    const edits = edit.entries().reduce((n, [, list]) => n + list.length, 0);
    const what = event.files.length === 1 ? `'${path.basename(event.files[0].oldUri.fsPath)}'` : `${event.files.length} moved items`;
    const choice = await vscode.window.showInformationMessage(
      `Update requires for ${what}?`,
      { modal: true, detail: `${edits === 1 ? '1 require or embed entry' : `${edits} requires and embed entries`} in ${edit.size} file${edit.size === 1 ? '' : 's'} name${edits === 1 ? 's' : ''} the moved modules.` },
      YES,
      NO,
      ALWAYS,
      NEVER,
    );
    if (choice === ALWAYS || choice === NEVER) {
      await config.rememberUpdateRequiresOnMove(choice === ALWAYS ? 'always' : 'never', scope);
    }
    return choice === YES || choice === ALWAYS ? edit : undefined;
  };
}
