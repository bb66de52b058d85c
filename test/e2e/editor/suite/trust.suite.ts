/// <reference types="mocha" />
// Runs inside the extension host with workspace trust on and the folder not trusted (restricted
// mode): the extension declares limited support, so analysis works and building is refused, by
// the client and by the server. The folder is a copy of examples/ (test/e2e/editor/workspaces.ts).
import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { RestyBuildApi } from '../../../../client/src/extension';
import { CompileRequest } from '../../../../server/src/protocol/protocol';
import { EXTENSION_ID, definitionTargets, positionOf, waitForDiagnostics, waitForRunningClient } from './helpers';

suite('resty-build in an untrusted workspace', () => {
  let api: RestyBuildApi;
  let openresty: string;

  suiteSetup(async () => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'the runner opens a folder (?folder=...); none is open');
    openresty = join(folder.uri.fsPath, 'openresty-healthcheck');
    const extension = vscode.extensions.getExtension<RestyBuildApi>(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is not loaded in restricted mode: package.json capabilities.untrustedWorkspaces`);
    api = await extension.activate();
    await waitForRunningClient(api);
  });

  test('the workspace is not trusted', () => {
    assert.equal(vscode.workspace.isTrusted, false);
  });

  test('analysis works: diagnostics and go to definition', async () => {
    const uri = vscode.Uri.file(join(openresty, 'lib/resty/upstream/healthcheck.lua'));
    const editor = await vscode.window.showTextDocument(uri);
    assert.ok(await editor.edit((e) => e.insert(new vscode.Position(2, 0), 'local metrics = require "resty.metrics"\n')));
    try {
      await waitForDiagnostics(uri, (ds) => ds.some((d) => (typeof d.code === 'object' ? d.code.value : d.code) === 'unresolved-module'));
    } finally {
      await editor.edit((e) => e.delete(new vscode.Range(2, 0, 3, 0)));
    }
    const targets = await definitionTargets(uri, positionOf(editor.document, '"resty.upstream.probe"', 5));
    assert.deepEqual(targets.map((t) => t.file), [join(openresty, 'lib/resty/upstream/probe.lua')]);
  });

  test('Compile Bytecode, Verify Embedding and Audit Built nginx refuse and write nothing', async () => {
    await vscode.window.showTextDocument(vscode.Uri.file(join(openresty, 'lib/app/config.lua')));
    assert.equal(await vscode.commands.executeCommand('restyBuild.compileBytecode'), undefined);
    assert.equal(await vscode.commands.executeCommand('restyBuild.verifyEmbedding'), undefined);
    assert.equal(await vscode.commands.executeCommand('restyBuild.auditNginx'), undefined);
    assert.equal(existsSync(join(openresty, 'build')), false, 'an untrusted compile wrote build/');
  });

  test('the server refuses too: it got trusted=false in initializationOptions', async () => {
    // By method name: this suite is bundled apart from the extension, so its copy of the protocol
    // library's RequestType is not the one the extension's client recognises.
    await assert.rejects(api.client!.sendRequest(CompileRequest.method, { dir: openresty }), /untrusted workspace/);
    assert.equal(existsSync(join(openresty, 'build')), false);
  });

  test('the link flag preview, which runs nothing, still works', async () => {
    await vscode.commands.executeCommand('restyBuild.previewLinkFlags');
    assert.match(vscode.window.activeTextEditor?.document.getText() ?? '', /--with-ld-opt=/);
  });
});
