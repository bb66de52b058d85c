import * as vscode from 'vscode';
import { LanguageClient } from 'vscode-languageclient/node';
import { InferManifestRequest } from '../../server/src/protocol/protocol';

/** Writes the manifest the server inferred for a folder, as one undoable edit, and opens it. */
export async function createManifest(client: LanguageClient | undefined): Promise<void> {
  if (!client) {
    void vscode.window.showErrorMessage('resty-build: the language server is not running.');
    return;
  }
  const folders = vscode.workspace.workspaceFolders ?? [];
  const folder =
    folders.length <= 1 ? folders[0] : await vscode.window.showWorkspaceFolderPick({ placeHolder: 'Folder to create resty-build.json in' });
  if (!folder) {
    void vscode.window.showErrorMessage('resty-build: open a folder first.');
    return;
  }
  const result = await client.sendRequest(InferManifestRequest.type, { folderUri: folder.uri.toString() });
  const uri = vscode.Uri.parse(result.uri);
  if (result.exists) {
    void vscode.window.showWarningMessage(`resty-build: ${vscode.workspace.asRelativePath(uri)} exists already; it was not changed.`);
    await vscode.window.showTextDocument(uri);
    return;
  }
  const edit = new vscode.WorkspaceEdit();
  edit.createFile(uri, { ignoreIfExists: true });
  edit.insert(uri, new vscode.Position(0, 0), result.text);
  await vscode.workspace.applyEdit(edit);
  const doc = await vscode.workspace.openTextDocument(uri);
  await doc.save();
  await vscode.window.showTextDocument(doc);
}
