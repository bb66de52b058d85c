// Findings in the editor as a team tunes them: a search trail carried by one
// diagnostic (the other sites point to it), findings from outside the project
// at the entry point with the original place as related information,
// suppression comments and their quick fixes, and the manifest's severity key.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CodeAction, Diagnostic, TextEdit } from 'vscode-languageserver-protocol/node';
import { LineIndex } from '../../server/src/core/types';
import { fileUri, LspClient, startServerOnCopy } from '../helpers/lspClient';
import { tempCopy } from '../helpers/paths';

function applyEdits(text: string, edits: TextEdit[]): string {
  const lines = new LineIndex(text);
  return edits
    .map((e) => ({ start: lines.offset(e.range.start), end: lines.offset(e.range.end), newText: e.newText }))
    .sort((a, b) => b.start - a.start)
    .reduce((out, e) => out.slice(0, e.start) + e.newText + out.slice(e.end), text);
}

const twice = (d: Diagnostic) => d.code === 'unresolved-module' && (d.data as { module?: string } | undefined)?.module === 'nowhere.twice';

async function edit(client: LspClient, uri: string, text: string, version: number): Promise<void> {
  await client.notify('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });
}

test('the trail of a module missing at three sites is carried by its first site; it moves when that site goes', async (t) => {
  const tmp = tempCopy('cli-report');
  const dir = path.join(tmp.dir, 'app');
  const client = await startServerOnCopy(t, tmp, { root: dir });
  const appFile = path.join(dir, 'lib', 'app.lua');
  const appUri = fileUri(appFile);
  const toolUri = fileUri(path.join(dir, 'lib', 'tool.lua'));
  const app = await client.waitForDiagnostics(appUri, (ds) => ds.filter(twice).length === 2);
  const tool = await client.waitForDiagnostics(toolUri, (ds) => ds.some(twice));

  const [first, second] = app.filter(twice);
  assert.equal(first.message, "module 'nowhere.twice' not found (part of the embed closure)");
  assert.deepEqual(first.relatedInformation?.slice(0, 2), [
    { location: { uri: appUri, range: first.range }, message: "no field package.preload['nowhere.twice']" },
    { location: { uri: appUri, range: first.range }, message: "no file 'lib/nowhere/twice.lua'" },
  ]);
  const pointer = { location: { uri: appUri, range: first.range }, message: "the search trail of 'nowhere.twice' (3 sites)" };
  assert.deepEqual(second.relatedInformation, [pointer]);
  assert.deepEqual(tool.map((d) => [d.code, d.message, d.relatedInformation]), [['unresolved-module', "module 'nowhere.twice' not found", [pointer]]], 'dynamic-require is off in the manifest');

  // The finding in ../shared/dep.lua is published at app.lua's require of 'dep', pointing back there.
  const moved = app.find((d) => (d.data as { module?: string } | undefined)?.module === 'nowhere.deep')!;
  assert.deepEqual(moved.range, { start: { line: 0, character: 20 }, end: { line: 0, character: 25 } });
  assert.match(moved.message, /^In .*shared\/dep\.lua:1, outside the project, reached through this require of 'dep': module 'nowhere\.deep' not found/);
  assert.deepEqual(moved.relatedInformation?.at(-1), {
    location: { uri: fileUri(path.join(tmp.dir, 'shared', 'dep.lua')), range: { start: { line: 0, character: 21 }, end: { line: 0, character: 35 } } },
    message: "unresolved-module 'nowhere.deep', in a file outside the project",
  });
  assert.equal(client.diagnostics(fileUri(path.join(tmp.dir, 'shared', 'dep.lua'))), undefined, 'nothing is published in the file outside the project');

  // app.lua stops requiring it: tool.lua's site holds the trail now, and says so.
  const text = fs.readFileSync(appFile, 'utf8');
  await client.open(appUri, text);
  await edit(client, appUri, text.replace(/^local [ab] = .*\n/gm, ''), 2);
  const [holder] = await client.waitForDiagnostics(toolUri, (ds) => ds.some((d) => twice(d) && d.relatedInformation?.[0].message === "no field package.preload['nowhere.twice']"));
  assert.equal(holder.relatedInformation![0].location.uri, toolUri);
});

test('a quick fix writes the suppression comment, and the finding goes; the manifest sets severities', async (t) => {
  const tmp = tempCopy('cli-report');
  const dir = path.join(tmp.dir, 'app');
  const client = await startServerOnCopy(t, tmp, { root: dir });
  const toolFile = path.join(dir, 'lib', 'tool.lua');
  const toolUri = fileUri(toolFile);
  const [diagnostic] = await client.waitForDiagnostics(toolUri, (ds) => ds.some(twice));
  const text = fs.readFileSync(toolFile, 'utf8');
  await client.open(toolUri, text);
  const actions = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri: toolUri }, range: diagnostic.range, context: { diagnostics: [diagnostic] } });
  const titles = actions.map((a) => a.title);
  assert.ok(titles.includes('Ignore unresolved-module in this file (resty-build: ignore-file)'), titles.join(', '));
  const onLine = actions.find((a) => a.title === 'Ignore unresolved-module on this line (resty-build: ignore)')!;
  const fixed = applyEdits(text, onLine.edit!.changes![toolUri]);
  assert.equal(fixed.split('\n')[0], 'local t = require "nowhere.twice" -- resty-build: ignore unresolved-module');
  await edit(client, toolUri, fixed, 2);
  await client.waitForDiagnostics(toolUri, (ds) => ds.length === 0);

  // The same code on the same line again: the fix adds to the comment rather than writing a second one.
  const again = applyEdits(fixed, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: 'local u = require(x) ' }]);
  await edit(client, toolUri, again, 3);
  const manifestFile = path.join(dir, 'resty-build.json');
  fs.writeFileSync(manifestFile, fs.readFileSync(manifestFile, 'utf8').replace('"dynamic-require": "off"', '"dynamic-require": "error"'));
  await client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: fileUri(manifestFile), type: 2 }] });
  const [dynamic] = await client.waitForDiagnostics(toolUri, (ds) => ds.some((d) => d.code === 'dynamic-require' && d.severity === 1 && d.range.start.line === 0));
  const more = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri: toolUri }, range: dynamic.range, context: { diagnostics: [dynamic] } });
  const extend = more.find((a) => a.title === 'Ignore dynamic-require on this line (resty-build: ignore)')!;
  assert.equal(applyEdits(again, extend.edit!.changes![toolUri]).split('\n')[0], 'local u = require(x) local t = require "nowhere.twice" -- resty-build: ignore unresolved-module, dynamic-require');
});
