// The module map request's rows (what the editor's module view shows: file, symbol, origin,
// reasons, where a click goes) and the notification that a project's map changed.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ModuleMapChanges } from '../../server/src/features/moduleMapChanges';
import { ModuleMapChangedNotification, ModuleMapChangedParams, ModuleMapEntry, ModuleMapRequest, ModuleMapResult, StatusNotification, StatusParams } from '../../server/src/protocol/protocol';
import { MemoryFileSystem } from '../../server/src/core/memoryFileSystem';
import { Workspace } from '../../server/src/core/workspace/workspace';
import { MEM_ROOT, memWorkspace } from '../helpers/core';
import { fileUri, startServerOnCopy } from '../helpers/lspClient';
import { tempCopy } from '../helpers/paths';

/** The 0-based line of `file` holding `needle`. */
function lineOf(file: string, needle: string): number {
  const line = fs.readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(needle));
  assert.ok(line >= 0, `${needle} is not in ${file}`);
  return line;
}

test('module map rows carry file, symbol, origin and reasons, and where a click on them goes', async (t) => {
  const tmp = tempCopy('embed-problems');
  const client = await startServerOnCopy(t, tmp);
  await client.nextNotification<StatusParams>(StatusNotification.method);
  const manifestFile = path.join(tmp.dir, 'resty-build.json');
  const mainFile = path.join(tmp.dir, 'lib', 'app', 'main.lua');
  const map = await client.request<ModuleMapResult>(ModuleMapRequest.method, { uri: fileUri(manifestFile) });
  assert.equal(map.manifestUri, fileUri(manifestFile));
  assert.equal(map.projectDir, tmp.dir);
  const row = (name: string): ModuleMapEntry => {
    const found = map.modules.find((m) => m.module === name);
    assert.ok(found, `no row for ${name}: ${map.modules.map((m) => m.module).join(', ')}`);
    return found;
  };
  const start = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

  assert.deepEqual(row('app.main'), {
    module: 'app.main',
    status: 'embedded',
    fileUri: fileUri(mainFile),
    location: { uri: fileUri(mainFile), range: start },
    flatName: 'app_main.lua',
    object: path.join(tmp.dir, 'build', 'bytecode', 'app_main.o'),
    symbol: 'luaJIT_BC_app_main',
    origin: 'workspace',
    reasons: [],
  });
  // An embed entry whose file does not exist: the click goes to the entry in the manifest.
  const noFile = row('app.nofile');
  assert.equal(noFile.fileUri, null);
  assert.equal(noFile.location?.uri, fileUri(manifestFile));
  assert.equal(noFile.location?.range.start.line, lineOf(manifestFile, '"app.nofile"'));
  assert.deepEqual(noFile.reasons.map((r) => r.code), ['mapping-file-missing']);
  // A module the closure reaches but nothing finds: the click goes to the require.
  const gone = row('app.gone');
  assert.equal(gone.status, 'unresolved');
  assert.equal(gone.fileUri, null);
  assert.equal(gone.origin, null);
  assert.equal(gone.location?.uri, fileUri(mainFile));
  assert.equal(gone.location?.range.start.line, lineOf(mainFile, '"app.gone"'));
  assert.match(gone.reasons[0].message, /module 'app\.gone' not found/);
  const newer = row('app.newer');
  assert.equal(newer.status, 'error');
  assert.deepEqual(newer.reasons.map((r) => r.code), ['luajit-syntax']);
  assert.equal(row('cjson').origin, 'native');
  assert.equal(row('cjson').fileUri, fileUri(path.join(tmp.dir, 'lib', 'cjson.so')));
  // Built into LuaJIT: nowhere to go.
  assert.equal(row('ffi').status, 'builtin');
  assert.equal(row('ffi').location, null);
});

test('an edit that changes a module status, and a new manifest, are announced with the manifests they concern', async (t) => {
  const tmp = tempCopy('lsp-embedding');
  const client = await startServerOnCopy(t, tmp);
  await client.nextNotification<StatusParams>(StatusNotification.method);
  const manifestUri = fileUri(path.join(tmp.dir, 'resty-build.json'));
  const mainFile = path.join(tmp.dir, 'lib', 'app', 'main.lua');
  const mainUri = fileUri(mainFile);
  const text = fs.readFileSync(mainFile, 'utf8');
  const statusOf = async (name: string) =>
    (await client.request<ModuleMapResult>(ModuleMapRequest.method, { uri: mainUri })).modules.find((m) => m.module === name)?.status;

  await client.open(mainUri, text);
  await client.notify('textDocument/didChange', { textDocument: { uri: mainUri, version: 2 }, contentChanges: [{ text: `${text}local half = 10 // 2\n` }] });
  assert.deepEqual(await client.nextNotification<ModuleMapChangedParams>(ModuleMapChangedNotification.method), { manifestUris: [manifestUri] });
  assert.equal(await statusOf('app.main'), 'error', 'the embedded module no longer compiles');

  await client.notify('textDocument/didChange', { textDocument: { uri: mainUri, version: 3 }, contentChanges: [{ text }] });
  assert.deepEqual(await client.nextNotification<ModuleMapChangedParams>(ModuleMapChangedNotification.method), { manifestUris: [manifestUri] });
  assert.equal(await statusOf('app.main'), 'embedded');

  // A manifest written in a subfolder makes a project of its own.
  const subManifest = path.join(tmp.dir, 'sub', 'resty-build.json');
  fs.mkdirSync(path.dirname(subManifest));
  fs.writeFileSync(path.join(tmp.dir, 'sub', 'tool.lua'), 'return {}\n');
  fs.writeFileSync(subManifest, '{ "profile": "openresty", "path": ["?.lua"], "embed": ["tool"] }\n');
  await client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: fileUri(subManifest), type: 1 }] });
  const changed = await client.nextNotification<ModuleMapChangedParams>(ModuleMapChangedNotification.method);
  assert.ok(changed.manifestUris.includes(fileUri(subManifest)), JSON.stringify(changed));
});

test('the module maps are compared by their rows: an edit that leaves every status alone announces nothing', () => {
  const ws = memWorkspace({
    'resty-build.json': JSON.stringify({ profile: 'openresty', path: ['lib/?.lua'], embed: ['app.main'] }),
    'lib/app/main.lua': 'local util = require "app.util"\nreturn util\n',
    'lib/app/util.lua': 'return {}\n',
  });
  const sent: ModuleMapChangedParams[] = [];
  const changes = new ModuleMapChanges((p) => sent.push(p), (err) => assert.fail(String(err)));
  changes.reset(ws);
  const main = path.join(MEM_ROOT, 'lib', 'app', 'main.lua');

  ws.setDocument(main, '-- the entry point\nlocal util = require "app.util"\nreturn util\n');
  assert.deepEqual(changes.compare(ws), []);
  assert.deepEqual(sent, []);

  ws.setDocument(main, 'return {}\n');
  assert.deepEqual(changes.compare(ws), [path.join(MEM_ROOT, 'resty-build.json')], 'app.util is no longer reached');
  assert.equal(sent.length, 1);
  assert.deepEqual(changes.compare(ws), [], 'nothing changed since');
});

test('a change past the listed rows of a large map is announced too: its counts changed', () => {
  // 5,002 embedded modules whose files are missing: all problems, and only the first 5,000 are listed.
  const names = Array.from({ length: 5_002 }, (_, i) => `gen.m${i}`);
  const disk = new MemoryFileSystem({ [path.join(MEM_ROOT, 'resty-build.json')]: JSON.stringify({ profile: 'openresty', path: ['lib/?.lua'], embed: names }) });
  const ws = new Workspace(disk, { roots: [MEM_ROOT], env: { PATH: '' } });
  const changes = new ModuleMapChanges(() => undefined, (err) => assert.fail(String(err)));
  changes.reset(ws);
  // The last module's file appears on disk: a row past the list is now embedded.
  disk.write(path.join(MEM_ROOT, 'lib', 'gen', 'm5001.lua'), 'return {}\n');
  ws.refresh();
  assert.deepEqual(changes.compare(ws), [path.join(MEM_ROOT, 'resty-build.json')]);
});

test('the baseline is taken once the ready status is out; an edit before then has every map announced', async (t) => {
  const ws = memWorkspace({
    'resty-build.json': JSON.stringify({ profile: 'openresty', path: ['lib/?.lua'], embed: ['app.main'] }),
    'lib/app/main.lua': 'local util = require "app.util"\nreturn util\n',
    'lib/app/util.lua': 'return {}\n',
  });
  const main = path.join(MEM_ROOT, 'lib', 'app', 'main.lua');
  const sent: ModuleMapChangedParams[] = [];
  const changes = new ModuleMapChanges((p) => sent.push(p), (err) => assert.fail(String(err)), 60_000);
  t.after(() => changes.dispose());

  // Written without an edit meanwhile: a baseline, and nothing announced.
  let written!: () => void;
  changes.resetWhen(new Promise<void>((resolve) => (written = resolve)), ws);
  written();
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(sent, []);
  ws.setDocument(main, '-- the entry point\nlocal util = require "app.util"\nreturn util\n');
  assert.deepEqual(changes.compare(ws), [], 'compared with the baseline taken');

  // An edit while the status is on its way: the client may have read the maps before it.
  changes.resetWhen(new Promise<void>((resolve) => (written = resolve)), ws);
  ws.setDocument(main, 'return {}\n');
  changes.schedule(ws);
  written();
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(sent, [{ manifestUris: [fileUri(path.join(MEM_ROOT, 'resty-build.json'))] }]);
  assert.deepEqual(changes.compare(ws), [], 'the baseline is the edited state');

  // A reset meanwhile supersedes a pending one.
  sent.length = 0;
  changes.resetWhen(new Promise<void>((resolve) => (written = resolve)), ws);
  changes.schedule(ws);
  changes.reset(ws);
  written();
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(sent, []);
});
