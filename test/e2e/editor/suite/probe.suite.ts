/// <reference types="mocha" />
// Runs inside the extension host against the stand-in probe extension
// (test/e2e/editor/fixtures/probe-extension), with the probe workspace open.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { waitFor } from './waitFor';

const PROBE_ID = 'resty-build-e2e.probe';

interface ProbeApi {
  status: vscode.StatusBarItem;
  diagnostics: vscode.DiagnosticCollection;
  HELLO_FILE: string;
  DIAGNOSTIC_FILE: string;
}

suite('probe extension in a real workbench', () => {
  let api: ProbeApi;
  let folder: vscode.Uri;

  suiteSetup(async () => {
    const workspaceFolder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(workspaceFolder, 'the runner opens a folder (?folder=...); none is open');
    folder = workspaceFolder.uri;
    const extension = vscode.extensions.getExtension<ProbeApi>(PROBE_ID);
    assert.ok(extension, `${PROBE_ID} is not loaded: is extensionDevelopmentPath the probe-extension folder?`);
    api = await extension.activate();
  });

  test('runs with workspace trust off (the launcher turns it off unless a test asks for it)', () => {
    assert.equal(vscode.workspace.isTrusted, true);
  });

  test('contributes probe.hello to the command list', async () => {
    const commands = await vscode.commands.getCommands(true);
    assert.ok(commands.includes('probe.hello'), 'probe.hello is not registered');
  });

  test('probe.hello writes a file into the workspace and updates the status bar item', async () => {
    const written = await vscode.commands.executeCommand<string>('probe.hello');
    const target = vscode.Uri.joinPath(folder, api.HELLO_FILE);
    assert.equal(written, target.fsPath);
    const content = Buffer.from(await vscode.workspace.fs.readFile(target)).toString('utf8');
    assert.match(content, /^hello from probe at /);
    assert.equal(api.status.text, 'probe: hello ran');
  });

  test('publishes one warning on sample.lua', async () => {
    const uri = vscode.Uri.joinPath(folder, api.DIAGNOSTIC_FILE);
    const diagnostics = await waitFor(
      () => {
        const found = vscode.languages.getDiagnostics(uri);
        return found.length > 0 ? found : undefined;
      },
      { what: `diagnostics on ${uri.fsPath}`, timeoutMs: 10_000, onDidChange: vscode.languages.onDidChangeDiagnostics },
    );
    assert.equal(diagnostics.length, 1);
    const [diagnostic] = diagnostics;
    assert.equal(diagnostic.message, 'probe: module "missing.mod" not found');
    assert.equal(diagnostic.severity, vscode.DiagnosticSeverity.Warning);
    assert.equal(diagnostic.code, 'probe-unresolved');
    assert.deepEqual([diagnostic.range.start.line, diagnostic.range.start.character], [0, 20]);
  });

  test("opens a .lua file with VS Code's built-in Lua language", async () => {
    const document = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(folder, 'sample.lua'));
    const editor = await vscode.window.showTextDocument(document);
    assert.equal(document.languageId, 'lua');
    assert.equal(editor.document.getText(document.getWordRangeAtPosition(new vscode.Position(0, 6))), 'mod');
  });
});
