// The embed closure through the language server: not-in-mapping published
// at the require site, quick fixes that edit the manifest (keeping its
// comments), and the module map request.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CodeAction, Diagnostic, TextEdit } from 'vscode-languageserver-protocol/node';
import { LineIndex } from '../../server/src/core/types';
import { ModuleMapRequest, ModuleMapResult } from '../../server/src/protocol/protocol';
import { fileUri, startServerOnCopy } from '../helpers/lspClient';
import { tempCopy } from '../helpers/paths';

function applyEdits(text: string, edits: TextEdit[]): string {
  const lines = new LineIndex(text);
  const sorted = edits
    .map((e) => ({ start: lines.offset(e.range.start), end: lines.offset(e.range.end), newText: e.newText }))
    .sort((a, b) => b.start - a.start);
  let out = text;
  for (const e of sorted) {
    out = out.slice(0, e.start) + e.newText + out.slice(e.end);
  }
  return out;
}

const notInMapping = (name: string) => (d: Diagnostic) => d.code === 'not-in-mapping' && (d.data as { module?: string })?.module === name;

test('not-in-mapping is published, fixed by a quick fix, and the closure moves on', async (t) => {
  const tmp = tempCopy('lsp-embedding');
  const client = await startServerOnCopy(t, tmp);
  const mainFile = path.join(tmp.dir, 'lib', 'app', 'main.lua');
  const utilUri = fileUri(path.join(tmp.dir, 'lib', 'app', 'util.lua'));
  const mainUri = fileUri(mainFile);
  const manifestFile = path.join(tmp.dir, 'resty-build.json');
  const manifestUri = fileUri(manifestFile);

  // Published for the whole workspace, without opening anything.
  const [diagnostic] = await client.waitForDiagnostics(mainUri, (ds) => ds.some(notInMapping('app.util')));
  assert.deepEqual(diagnostic.range, { start: { line: 0, character: 21 }, end: { line: 0, character: 31 } });
  assert.equal(diagnostic.severity, 1);
  await client.waitForDiagnostics(utilUri, (ds) => ds.some(notInMapping('app.deep')));

  await client.open(mainUri, fs.readFileSync(mainFile, 'utf8'));
  const actions = await client.request<CodeAction[]>('textDocument/codeAction', {
    textDocument: { uri: mainUri },
    range: diagnostic.range,
    context: { diagnostics: [diagnostic] },
  });
  assert.deepEqual(
    actions.map((a) => a.title),
    [
      "Add 'app.util' to embed in resty-build.json",
      'Add all 2 modules missing from the closure to embed',
      "Declare 'app.util' as provided by the runtime",
      'Ignore not-in-mapping on this line (resty-build: ignore)',
      'Ignore not-in-mapping in this file (resty-build: ignore-file)',
    ],
  );
  const addOne = actions[0].edit!.changes![manifestUri];
  const edited = applyEdits(fs.readFileSync(manifestFile, 'utf8'), addOne);
  assert.match(edited, /\/\/ Only the entry point is embedded so far\./, 'the comment survives');
  assert.match(edited, /"embed": \[\n {4}"app\.main",\n {4}"app\.util"\n {2}\]/, 'the layout of the array is kept');

  const addAll = applyEdits(fs.readFileSync(manifestFile, 'utf8'), actions[1].edit!.changes![manifestUri]);
  fs.writeFileSync(manifestFile, addAll);
  await client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: manifestUri, type: 2 }] });
  await client.waitForDiagnostics(mainUri, (ds) => ds.length === 0);
  await client.waitForDiagnostics(utilUri, (ds) => ds.length === 0);

  const map = await client.request<ModuleMapResult>(ModuleMapRequest.method, { uri: mainUri });
  assert.equal(map.manifestUri, manifestUri);
  assert.deepEqual(map.modules.map((m) => ({ module: m.module, status: m.status })), [
    { module: 'app.main', status: 'embedded' },
    { module: 'app.util', status: 'embedded' },
    { module: 'app.deep', status: 'embedded' },
  ]);
  assert.equal(map.embedded, 3);
  assert.equal(map.problems, 0);
  assert.match(map.markdown, /\| `app\.util` \| `app_util\.lua` \| `luaJIT_BC_app_util` \| workspace \| embedded \|/);
});

test('an unresolved module offers to create its file from the first workspace template', async (t) => {
  const tmp = tempCopy('lsp-embedding');
  fs.writeFileSync(path.join(tmp.dir, 'lib', 'app', 'deep.lua'), 'return require "app.missing"\n');
  const client = await startServerOnCopy(t, tmp);
  const deepUri = fileUri(path.join(tmp.dir, 'lib', 'app', 'deep.lua'));
  const [d] = await client.waitForDiagnostics(deepUri, (ds) => ds.some((x) => x.code === 'unresolved-module'));
  const actions = await client.request<CodeAction[]>('textDocument/codeAction', {
    textDocument: { uri: deepUri },
    range: d.range,
    context: { diagnostics: [d] },
  });
  const create = actions.find((a) => a.title.startsWith('Create '));
  assert.ok(create, `actions: ${actions.map((a) => a.title).join(', ')}`);
  assert.equal(create.title, "Create lib/app/missing.lua for 'app.missing'");
  const [createFile] = create.edit!.documentChanges!;
  assert.deepEqual(createFile, { kind: 'create', uri: fileUri(path.join(tmp.dir, 'lib', 'app', 'missing.lua')), options: { ignoreIfExists: true } });
});
