/// <reference types="mocha" />
// Runs inside the extension host against the real extension (the repo's dist/extension.js), with
// a copy of examples/ open (test/e2e/editor/workspaces.ts): openresty-healthcheck and luakit-go.
// Every wait is on a signal (diagnostics changed, a file written, the client running), bounded.
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { RestyBuildApi } from '../../../../client/src/extension';
import type { BuildResponse, VerifyResponse } from '../../../../server/src/protocol/protocol';
import { EXTENSION_ID, definitionTargets, findServerPid, positionOf, readModuleView, waitForDiagnostics, waitForModuleView, waitForRunningClient, type ModuleViewRow } from './helpers';
import { waitFor } from './waitFor';

const DOCS = 'https://github.com/resty-build/resty-build/blob/main/README.md';

suite('resty-build in a real workbench', () => {
  let api: RestyBuildApi;
  let openresty: string;
  let luakit: string;

  suiteSetup(async () => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'the runner opens a folder (?folder=...); none is open');
    openresty = join(folder.uri.fsPath, 'openresty-healthcheck');
    luakit = join(folder.uri.fsPath, 'luakit-go');
    const extension = vscode.extensions.getExtension<RestyBuildApi>(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is not loaded: is extensionDevelopmentPath the repo root?`);
    api = await extension.activate();
    await waitForRunningClient(api);
  });

  test('activates in a trusted workspace and registers every contributed command', async () => {
    assert.equal(vscode.workspace.isTrusted, true);
    const contributed = (vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON.contributes.commands as { command: string }[]).map((c) => c.command);
    const registered = new Set(await vscode.commands.getCommands(true));
    assert.deepEqual(contributed.filter((c) => !registered.has(c)), []);
    assert.ok(contributed.length >= 9, contributed.join(', '));
  });

  test('the status bar shows the embed state of the active project', async () => {
    await vscode.window.showTextDocument(vscode.Uri.file(join(openresty, 'lib/resty/upstream/healthcheck.lua')));
    await waitFor(() => (api.statusText === '$(package) 3 embedded' ? true : undefined), {
      what: () => `the status bar to read "$(package) 3 embedded" (it reads "${api.statusText}")`,
      timeoutMs: 20_000,
    });
  });

  test('diagnostics: an unresolved require and Lua 5.3 syntax typed into an embedded module, with codes, ranges and README links', async () => {
    const uri = vscode.Uri.file(join(openresty, 'lib/resty/upstream/healthcheck.lua'));
    const editor = await vscode.window.showTextDocument(uri);
    const added = 'local metrics = require "resty.metrics"\nlocal half = 10 // 2\n';
    assert.ok(await editor.edit((e) => e.insert(new vscode.Position(2, 0), added)));
    try {
      const found = await waitForDiagnostics(uri, (ds) => ds.some((d) => codeOf(d) === 'unresolved-module') && ds.some((d) => codeOf(d) === 'luajit-syntax'));
      const unresolved = found.find((d) => codeOf(d) === 'unresolved-module')!;
      assert.deepEqual(rangeOf(unresolved), [2, 24, 2, 39], 'the range is the string literal "resty.metrics"');
      assert.equal(unresolved.severity, vscode.DiagnosticSeverity.Error, 'inside the embed closure a missing module is an error');
      assert.equal(unresolved.source, 'resty-build');
      // The search trail is the related information of the (only) site, shown under it in the Problems panel.
      assert.equal(unresolved.message, "module 'resty.metrics' not found (part of the embed closure)");
      assert.ok(
        unresolved.relatedInformation?.some((r) => /no file '.*resty\/metrics\.lua'/.test(r.message) && r.location.uri.toString() === uri.toString()),
        JSON.stringify(unresolved.relatedInformation?.map((r) => r.message)),
      );
      assert.equal(docsLink(unresolved), `${DOCS}#code-unresolved-module`);
      const syntax = found.find((d) => codeOf(d) === 'luajit-syntax')!;
      assert.deepEqual(rangeOf(syntax), [3, 16, 3, 18], 'the range is the // token');
      assert.equal(docsLink(syntax), `${DOCS}#code-luajit-syntax`);
      // healthcheck.lua no longer compiles (//) and requires a missing module: two problems.
      await waitFor(() => (api.statusText === '$(package) 2 embedded, $(warning) 2 problems' ? true : undefined), {
        what: () => `the status bar to count the problems (it reads "${api.statusText}")`,
        timeoutMs: 10_000,
      });

      // restyBuild.diagnostics.enable hides them and brings them back, without a restart.
      const settings = vscode.workspace.getConfiguration('restyBuild');
      await settings.update('diagnostics.enable', false, vscode.ConfigurationTarget.Global);
      try {
        await waitForDiagnostics(uri, (ds) => ds.length === 0);
      } finally {
        await settings.update('diagnostics.enable', undefined, vscode.ConfigurationTarget.Global);
      }
      await waitForDiagnostics(uri, (ds) => ds.some((d) => codeOf(d) === 'unresolved-module'));
    } finally {
      await editor.edit((e) => e.delete(new vscode.Range(2, 0, 4, 0)));
    }
    await waitForDiagnostics(uri, (ds) => ds.length === 0);
    await editor.document.save();
  });

  test('go to definition: a require string opens the module, alias.member jumps to the member (OpenResty)', async () => {
    const uri = vscode.Uri.file(join(openresty, 'lib/resty/upstream/healthcheck.lua'));
    const doc = await vscode.workspace.openTextDocument(uri);
    const probeFile = join(openresty, 'lib/resty/upstream/probe.lua');
    const onModule = await definitionTargets(uri, positionOf(doc, '"resty.upstream.probe"', 5));
    assert.deepEqual(onModule.map((t) => t.file), [probeFile]);
    const onMember = await definitionTargets(uri, positionOf(doc, 'probe.check(', 'probe.'.length + 1));
    assert.deepEqual(
      onMember.map((t) => [t.file, t.line]),
      [[probeFile, lineOf(probeFile, 'function _M.check(')]],
    );
  });

  test('go to definition across luakit modules: require("libs.go") and go.build', async () => {
    const uri = vscode.Uri.file(join(luakit, 'build.lua'));
    const doc = await vscode.workspace.openTextDocument(uri);
    const goFile = join(luakit, 'libs/go.lua');
    assert.deepEqual((await definitionTargets(uri, positionOf(doc, '"libs.go"', 3))).map((t) => t.file), [goFile]);
    assert.deepEqual(
      (await definitionTargets(uri, positionOf(doc, 'go.build(', 4))).map((t) => [t.file, t.line]),
      [[goFile, lineOf(goFile, 'function M.build(')]],
    );
  });

  test('the module view lists each project, its modules grouped by status, with symbol, status icon and tooltip', async () => {
    const view = api.moduleView;
    const projects = await view.getChildren();
    assert.deepEqual(projects.map((p) => view.getTreeItem(p).label), ['luakit-go', 'openresty-healthcheck']);
    assert.equal(view.getTreeItem(projects[1]).description, '3 embedded');
    assert.equal(view.getTreeItem(projects[0]).collapsibleState, vscode.TreeItemCollapsibleState.None, 'luakit-go embeds nothing');
    const rows = (await readModuleView(view)).filter((r) => r.project === 'openresty-healthcheck');
    assert.deepEqual(
      rows.map((r) => [r.group, r.module, r.description, r.icon]),
      [
        ['Embedded', 'resty.upstream.healthcheck', 'luaJIT_BC_resty_upstream_healthcheck', 'pass'],
        ['Embedded', 'resty.upstream.probe', 'luaJIT_BC_resty_upstream_probe', 'pass'],
        ['Embedded', 'app.config', 'luaJIT_BC_app_config', 'pass'],
        ['Provided by the runtime', 'ngx.upstream', 'provided by the runtime', 'plug'],
        ['Provided by the runtime', 'table.new', 'built into the runtime', 'library'],
      ],
    );
    const config = rows.find((r) => r.module === 'app.config')!;
    assert.match(config.tooltip, /embedded as bytecode/);
    assert.match(config.tooltip, /File: lib\/app\/config\.lua/);
    assert.match(config.tooltip, /Origin: workspace/);
  });

  test('Show Module Map reveals the active project in the Explorer view', async () => {
    await vscode.window.showTextDocument(vscode.Uri.file(join(openresty, 'lib/app/config.lua')));
    await vscode.commands.executeCommand('restyBuild.showModuleMap');
    const tree = api.moduleView.treeView;
    // The workbench reports visibility and selection back to the extension host after the command.
    const selected = await waitFor(() => (tree.visible && tree.selection[0]?.kind === 'project' ? tree.selection[0] : undefined), {
      what: () => `the module view to be visible (${tree.visible}) with a project selected (${JSON.stringify(tree.selection.map((n) => n.kind))})`,
      timeoutMs: 10_000,
    });
    assert.equal(selected.dir, openresty);
  });

  test('clicking a module row opens its file; a module the runtime provides opens its manifest entry', async () => {
    const rows = await readModuleView(api.moduleView);
    const click = async (row: ModuleViewRow | undefined): Promise<vscode.TextEditor> => {
      const command = row?.item.command;
      assert.ok(command, `${row?.module} has no click command`);
      await vscode.commands.executeCommand(command.command, ...(command.arguments ?? []));
      const editor = vscode.window.activeTextEditor;
      assert.ok(editor, `clicking ${row?.module} opened no editor`);
      return editor;
    };
    const probe = await click(rows.find((r) => r.module === 'resty.upstream.probe'));
    assert.equal(probe.document.uri.fsPath, join(openresty, 'lib/resty/upstream/probe.lua'));
    const provided = await click(rows.find((r) => r.module === 'ngx.upstream'));
    assert.equal(provided.document.uri.fsPath, join(openresty, 'resty-build.json'));
    assert.equal(provided.selection.start.line, lineOf(join(openresty, 'resty-build.json'), '"provided"'));
    assert.equal(rows.find((r) => r.module === 'table.new')?.item.command, undefined, 'a built-in has nowhere to go');
  });

  test('the module view refreshes by itself when an edit changes a module status, and again when it is undone', async () => {
    const uri = vscode.Uri.file(join(openresty, 'lib/resty/upstream/healthcheck.lua'));
    const editor = await vscode.window.showTextDocument(uri);
    const view = api.moduleView;
    const rowOf = (rows: ModuleViewRow[], module: string) => rows.find((r) => r.project === 'openresty-healthcheck' && r.module === module);
    const broken = waitForModuleView(view, (rows) => (rowOf(rows, 'resty.upstream.healthcheck')?.group === 'Problems' ? rows : undefined), 'healthcheck under Problems');
    assert.ok(await editor.edit((e) => e.insert(new vscode.Position(2, 0), 'local half = 10 // 2\n')));
    try {
      const row = rowOf(await broken, 'resty.upstream.healthcheck')!;
      assert.equal(row.icon, 'error');
      assert.equal(row.description, 'luaJIT_BC_resty_upstream_healthcheck');
      assert.match(row.tooltip, /will not embed/);
      assert.match(row.tooltip, /`luajit-syntax`/);
      const project = (await view.getChildren()).find((p) => p.kind === 'project' && p.dir === openresty)!;
      assert.equal(view.getTreeItem(project).description, '2 embedded, 1 problem');
    } finally {
      const fixed = waitForModuleView(view, (rows) => (rowOf(rows, 'resty.upstream.healthcheck')?.group === 'Embedded' ? true : undefined), 'healthcheck embedded again');
      await editor.edit((e) => e.delete(new vscode.Range(2, 0, 3, 0)));
      await fixed;
      await editor.document.save();
    }
  });

  test('Preview nginx Link Flags shows the ./configure options with one object per module, read-only', async () => {
    await vscode.window.showTextDocument(vscode.Uri.file(join(openresty, 'lib/app/config.lua')));
    await vscode.commands.executeCommand('restyBuild.previewLinkFlags');
    const editor = vscode.window.activeTextEditor;
    assert.equal(editor?.document.uri.scheme, 'resty-build');
    const text = editor.document.getText();
    assert.match(text, /^# nginx \.\/configure flags for .*resty-build\.json \(objects mode\)$/m);
    assert.match(text, /^\.\/configure \\$/m);
    assert.match(text, /--with-compat/);
    for (const object of ['resty_upstream_healthcheck.o', 'resty_upstream_probe.o', 'app_config.o']) {
      assert.ok(text.includes(join(openresty, 'build', 'bytecode', object)), `the flags lack ${object}:\n${text}`);
    }
    // A read-only file system: the editor refuses typing (the UI check types into it), nothing can write it.
    const uri = editor.document.uri;
    assert.equal(vscode.workspace.fs.isWritableFileSystem(uri.scheme), false);
    assert.equal((await vscode.workspace.fs.stat(uri)).permissions, vscode.FilePermission.Readonly);
    await assert.rejects(Promise.resolve(vscode.workspace.fs.writeFile(uri, new TextEncoder().encode('./configure'))), (e: Error) => e instanceof vscode.FileSystemError && e.code === 'NoPermissions');
    assert.equal(new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)), text);
  });

  test("the preview's title-bar copy action puts that preview's flags on the clipboard", async () => {
    const menus = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON.contributes.menus as Record<string, { command: string; when?: string }[]>;
    const copyActions = menus['editor/title'].filter((m) => m.command === 'restyBuild.copyLinkFlags');
    assert.deepEqual(copyActions.map((m) => m.when), ["resourceScheme == 'resty-build'"], 'a title-bar action on the previews only');
    await vscode.window.showTextDocument(vscode.Uri.file(join(openresty, 'lib/app/config.lua')));
    await vscode.commands.executeCommand('restyBuild.previewLinkFlags');
    const openrestyPreview = vscode.window.activeTextEditor!.document.uri;
    // A later preview of another project: the palette's copy would take its flags now.
    await vscode.window.showTextDocument(vscode.Uri.file(join(luakit, 'build.lua')));
    await vscode.commands.executeCommand('restyBuild.previewLinkFlags');
    assert.notEqual(vscode.window.activeTextEditor!.document.uri.toString(), openrestyPreview.toString());
    await vscode.env.clipboard.writeText('');
    // What VS Code runs for a title-bar action: the command with the editor's resource.
    await vscode.commands.executeCommand('restyBuild.copyLinkFlags', openrestyPreview);
    assert.match(await vscode.env.clipboard.readText(), /^--with-compat '--with-ld-opt=.*app_config\.o'$/);
  });

  test('Compile Bytecode writes one object per embedded module and reports in the status bar', async () => {
    await vscode.window.showTextDocument(vscode.Uri.file(join(openresty, 'lib/app/config.lua')));
    const response = await vscode.commands.executeCommand<BuildResponse>('restyBuild.compileBytecode');
    assert.ok(response, 'the command returned nothing (failed or refused: see the "resty-build Build" output)');
    assert.equal(response.errors, 0, response.lines.join('\n'));
    assert.match(response.summary, /^compiled 3, up to date 0, failed 0/);
    const outDir = join(openresty, 'build', 'bytecode');
    assert.deepEqual(readdirSync(outDir).filter((n) => n.endsWith('.o')).sort(), ['app_config.o', 'resty_upstream_healthcheck.o', 'resty_upstream_probe.o']);
    assert.match(api.statusText, /\$\(check\) compile$/);
  });

  test('Verify Embedding links a probe like nginx and finds every module', async () => {
    await vscode.window.showTextDocument(vscode.Uri.file(join(openresty, 'lib/app/config.lua')));
    const response = await vscode.commands.executeCommand<VerifyResponse>('restyBuild.verifyEmbedding');
    assert.ok(response, 'the command returned nothing (failed or refused: see the "resty-build Build" output)');
    assert.deepEqual(
      response.modules.map((m) => [m.module, m.ok]),
      [['resty.upstream.healthcheck', true], ['resty.upstream.probe', true], ['app.config', true]],
      response.lines.join('\n'),
    );
    assert.match(api.statusText, /\$\(check\) verify$/);
  });

  test('the task provider offers compile and verify per project; the compile task runs the CLI', async () => {
    const tasks = await vscode.tasks.fetchTasks({ type: 'resty-build' });
    assert.deepEqual(tasks.map((t) => t.name).sort(), ['compile luakit-go', 'compile openresty-healthcheck', 'verify luakit-go', 'verify openresty-healthcheck']);
    for (const task of tasks) {
      assert.deepEqual(task.problemMatchers, ['$resty-build']);
      assert.equal(task.source, 'resty-build');
    }
    const compile = tasks.find((t) => t.name === 'compile openresty-healthcheck')!;
    assert.equal(compile.group?.id, vscode.TaskGroup.Build.id);
    const ended = new Promise<number | undefined>((resolve) => {
      const sub = vscode.tasks.onDidEndTaskProcess((e) => {
        if (e.execution.task.name === compile.name) {
          sub.dispose();
          resolve(e.exitCode);
        }
      });
    });
    await vscode.tasks.executeTask(compile);
    const exitCode = await withTimeout(ended, 30_000, 'the compile task to end');
    assert.equal(exitCode, 0);
  });

  test('with restyBuild.nginxPath set, audit tasks run verify --nginx; Audit Built nginx reports a binary that is not there', async () => {
    const settings = vscode.workspace.getConfiguration('restyBuild');
    const nginx = join(openresty, 'sbin', 'nginx');
    await settings.update('nginxPath', nginx, vscode.ConfigurationTarget.Global);
    try {
      const tasks = await vscode.tasks.fetchTasks({ type: 'resty-build' });
      const audit = tasks.find((t) => t.name === 'audit openresty-healthcheck');
      assert.ok(audit, `no audit task: ${tasks.map((t) => t.name).join(', ')}`);
      assert.deepEqual((audit.execution as vscode.ProcessExecution).args.slice(1), ['verify', 'openresty-healthcheck', '--nginx', nginx]);
      await vscode.window.showTextDocument(vscode.Uri.file(join(openresty, 'lib/app/config.lua')));
      assert.equal(await vscode.commands.executeCommand('restyBuild.auditNginx'), undefined, 'there is no nginx to audit');
      assert.match(api.statusText, /\$\(error\) audit: 1 error$/);
    } finally {
      await settings.update('nginxPath', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  test('Restart Language Server brings a working server back', async () => {
    const before = api.client;
    await vscode.commands.executeCommand('restyBuild.restartServer');
    await waitForRunningClient(api);
    assert.equal(api.client, before, 'the same client restarts');
    const uri = vscode.Uri.file(join(openresty, 'lib/resty/upstream/healthcheck.lua'));
    const doc = await vscode.workspace.openTextDocument(uri);
    assert.equal((await definitionTargets(uri, positionOf(doc, '"resty.upstream.probe"', 5))).length, 1);
  });

  test('a server that dies is restarted, counted, and answers again', async () => {
    const pid = findServerPid();
    assert.ok(pid, 'no child process of the extension host runs dist/server.js');
    const restarts = api.crashRestarts;
    const readies = api.readyCount;
    process.kill(pid, 'SIGKILL');
    // The real signal: the restarted server's own "analysed" notification.
    await waitFor(() => (api.crashRestarts === restarts + 1 && api.readyCount > readies ? true : undefined), {
      what: 'the client to restart the killed server and the new server to finish its analysis',
      timeoutMs: 30_000,
      onDidChange: api.onDidBecomeReady,
    });
    assert.notEqual(findServerPid(), pid);
    const uri = vscode.Uri.file(join(luakit, 'build.lua'));
    const doc = await vscode.workspace.openTextDocument(uri);
    assert.equal((await definitionTargets(uri, positionOf(doc, '"libs.go"', 3))).length, 1, 'definitions from the restarted server');
  });

  test('Copy nginx Link Flags puts the ./configure options on the clipboard; the output commands open their channels', async () => {
    await vscode.window.showTextDocument(vscode.Uri.file(join(openresty, 'lib/app/config.lua')));
    await vscode.env.clipboard.writeText('');
    await vscode.commands.executeCommand('restyBuild.copyLinkFlags');
    const copied = await vscode.env.clipboard.readText();
    assert.match(copied, /^--with-compat '--with-ld-opt=.*app_config\.o'$/);
    await vscode.commands.executeCommand('restyBuild.showOutput');
    await vscode.commands.executeCommand('restyBuild.showBuildOutput');
  });

  // Last: the new manifest at the workspace root makes it a project of its own.
  test('Create Manifest writes the inferred resty-build.json into a folder without one', async () => {
    const root = vscode.workspace.workspaceFolders![0].uri;
    const manifest = vscode.Uri.joinPath(root, 'resty-build.json');
    await vscode.commands.executeCommand('restyBuild.createManifest');
    try {
      const written = JSON.parse(readFileSync(manifest.fsPath, 'utf8')) as { profile?: string };
      assert.equal(written.profile, 'openresty');
      assert.equal(vscode.window.activeTextEditor?.document.uri.fsPath, manifest.fsPath);
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
      await vscode.workspace.fs.delete(manifest);
    }
  });
});

function codeOf(d: vscode.Diagnostic): string | undefined {
  return typeof d.code === 'object' ? String(d.code.value) : d.code === undefined ? undefined : String(d.code);
}

function docsLink(d: vscode.Diagnostic): string | undefined {
  return typeof d.code === 'object' ? d.code.target.toString(true) : undefined;
}

function rangeOf(d: vscode.Diagnostic): number[] {
  return [d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character];
}

/** 0-based line of the first line of `file` containing `needle`. */
function lineOf(file: string, needle: string): number {
  const line = readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(needle));
  assert.ok(line >= 0, `${needle} is not in ${file}`);
  return line;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms))),
  ]).finally(() => clearTimeout(timer));
}
