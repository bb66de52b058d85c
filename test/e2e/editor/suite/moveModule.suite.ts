/// <reference types="mocha" />
// Moving Lua modules in a real workbench, with restyBuild.updateRequiresOnMove at `always`: a file
// and then a folder are renamed through vscode.workspace.applyEdit (WorkspaceEdit.renameFile, which
// runs the language client's willRenameFiles participant like a rename in the explorer does), and
// the requires and the manifest's embed entries come out rewritten. The project is a copy of the
// repo's test/fixtures/move-module, written into the open folder when the suite starts (so the
// other suites' projects stay as they are). Every wait is on a signal, bounded.
import * as assert from 'node:assert/strict';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { RestyBuildApi } from '../../../../client/src/extension';
import { EXTENSION_ID, definitionTargets, positionOf, waitForRunningClient } from './helpers';

suite('moving Lua modules in a real workbench', () => {
  let project: string;
  const settings = () => vscode.workspace.getConfiguration('restyBuild');
  const text = async (rel: string) => (await vscode.workspace.openTextDocument(vscode.Uri.file(join(project, rel)))).getText();

  /**
   * Resolves once the server resolves the require `needle` of `rel` to `target`. It learns of a
   * move through file events and says so by republishing diagnostics and the module map: each
   * of those is a reason to ask again (a definition request), until one answers (bounded).
   */
  async function serverResolves(rel: string, needle: string, target: string): Promise<void> {
    const uri = vscode.Uri.file(join(project, rel));
    const expected = join(project, target);
    const api = vscode.extensions.getExtension<RestyBuildApi>(EXTENSION_ID)!.exports;
    const deadline = Date.now() + 30_000;
    for (;;) {
      // Subscribed before asking, so a change between the answer and the wait is not missed.
      let signalled: () => void = () => undefined;
      const signal = new Promise<void>((resolve) => (signalled = resolve));
      const subs = [vscode.languages.onDidChangeDiagnostics(() => signalled()), api.moduleView.onDidChangeTreeData(() => signalled())];
      try {
        const doc = await vscode.workspace.openTextDocument(uri);
        const found = (await definitionTargets(uri, positionOf(doc, needle, 2))).map((t) => t.file);
        if (found.includes(expected)) {
          return;
        }
        const left = deadline - Date.now();
        assert.ok(left > 0, `the server did not resolve ${needle} in ${rel} to ${target} within 30 s (it answers ${JSON.stringify(found)})`);
        let timer: NodeJS.Timeout | undefined;
        const bound = new Promise<void>((resolve) => (timer = setTimeout(resolve, left)));
        await Promise.race([signal, bound]);
        clearTimeout(timer);
      } finally {
        subs.forEach((s) => s.dispose());
      }
    }
  }

  suiteSetup(async () => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'the runner opens a folder (?folder=...); none is open');
    const extension = vscode.extensions.getExtension<RestyBuildApi>(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is not loaded`);
    const api = await extension.activate();
    await waitForRunningClient(api);
    project = join(folder.uri.fsPath, 'move-module');
    cpSync(join(extension.extensionPath, 'test', 'fixtures', 'move-module'), project, { recursive: true });
    await settings().update('updateRequiresOnMove', 'always', vscode.ConfigurationTarget.Global);
    await serverResolves('lib/app/handler.lua', '"app.cache"', 'lib/app/cache.lua');
  });

  suiteTeardown(async () => {
    await settings().update('updateRequiresOnMove', undefined, vscode.ConfigurationTarget.Global);
  });

  test('renaming a file rewrites its requires (each in its form) and embed entries', async () => {
    const edit = new vscode.WorkspaceEdit();
    edit.renameFile(vscode.Uri.file(join(project, 'lib/app/cache.lua')), vscode.Uri.file(join(project, 'lib/app/store.lua')));
    assert.ok(await vscode.workspace.applyEdit(edit), 'the rename was applied');
    const handler = await text('lib/app/handler.lua');
    assert.match(handler, /^local cache = require "app\.store"$/m);
    assert.match(handler, /^local ok, optional = pcall\(require, 'app\.store'\)$/m);
    assert.match(handler, /^ {4}local get = require \[\[app\.store\]\]\.get$/m);
    assert.match(await text('conf/nginx.conf'), /local cache = require\('app\.store'\)/);
    const manifest = await text('resty-build.json');
    assert.match(manifest, /"app\.handler", \/\/ the entry point\n {4}"app\.store",/);
    assert.match(manifest, /\/\* kept under its historical name \*\/\n {4}\{ "module": "legacy\.cache", "file": "lib\/app\/store\.lua" \}/);
    await vscode.workspace.saveAll(false);
    await serverResolves('lib/app/handler.lua', '"app.store"', 'lib/app/store.lua');
  });

  test('renaming a folder rewrites the requires of every module under it, init.lua modules included', async () => {
    const edit = new vscode.WorkspaceEdit();
    edit.renameFile(vscode.Uri.file(join(project, 'lib/app')), vscode.Uri.file(join(project, 'lib/web')));
    assert.ok(await vscode.workspace.applyEdit(edit), 'the rename was applied');
    const handler = await text('lib/web/handler.lua');
    assert.match(handler, /^local cache = require "web\.store"\nlocal util = require\("web\.util"\)$/m);
    assert.match(await text('conf/nginx.conf'), /require\('web\.store'\)\n {16}require\("web\.handler"\)/);
    const manifest = await text('resty-build.json');
    assert.match(manifest, /"web\.handler", \/\/ the entry point\n {4}"web\.store",\n {4}"web\.util",/);
    assert.match(manifest, /"file": "lib\/web\/store\.lua"/);
    await vscode.workspace.saveAll(false);
    await serverResolves('lib/web/handler.lua', '"web.util"', 'lib/web/util/init.lua');
  });

  test('with the setting at never, a move edits nothing', async () => {
    await settings().update('updateRequiresOnMove', 'never', vscode.ConfigurationTarget.Global);
    const before = await text('lib/web/handler.lua');
    const edit = new vscode.WorkspaceEdit();
    edit.renameFile(vscode.Uri.file(join(project, 'lib/web/util')), vscode.Uri.file(join(project, 'lib/web/strings')));
    assert.ok(await vscode.workspace.applyEdit(edit), 'the rename was applied');
    assert.equal(await text('lib/web/handler.lua'), before);
    assert.match(await text('resty-build.json'), /"web\.util",/);
  });
});
