// A hostile workspace against the running server: a huge open document, a
// huge manifest, a stdlib full of links back to itself. The server answers
// every request and its memory stays bounded.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CompletionItem, Location } from 'vscode-languageserver-protocol/node';
import { ModuleMapRequest, ModuleMapResult, StatusNotification } from '../../server/src/protocol/protocol';
import { fileUri, startServerOnCopy } from '../helpers/lspClient';
import { tempCopy, writeTree } from '../helpers/paths';

/** Peak resident set size of a process so far, in MB (Linux: VmHWM). */
function peakMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmHWM:\s+(\d+) kB/m.exec(status)![1]) / 1024;
}

test('a 20 MB open document of requires: diagnostics, references and symbols answer, the server stays under 500 MB', { timeout: 120_000 }, async (t) => {
  const tmp = tempCopy('lsp-missing-module');
  const client = await startServerOnCopy(t, tmp);
  const file = path.join(tmp.dir, 'big.lua');
  const line = 'local util = require("app.util") local gone = require "app.gone"\n';
  const text = line.repeat(Math.ceil((20 * 1024 * 1024) / line.length));
  const uri = fileUri(file);
  await client.open(uri, text);
  const diagnostics = await client.waitForDiagnostics(uri, (ds) => ds.some((d) => d.code === 'too-many-requires'), 60_000);
  assert.ok(diagnostics.some((d) => d.code === 'unresolved-module' && d.message.startsWith("module 'app.gone' not found")));
  const started = Date.now();
  const refs = await client.request<Location[]>('textDocument/references', { textDocument: { uri }, position: { line: 0, character: 25 }, context: { includeDeclaration: true } });
  t.diagnostic(`references: ${Date.now() - started} ms, ${refs.length} locations; peak RSS ${peakMb(client.pid).toFixed(0)} MB`);
  assert.ok(refs.length > 0 && refs.every((r) => r.uri === uri || r.uri.endsWith('/main.lua')));
  await client.request('textDocument/documentSymbol', { textDocument: { uri } });
  assert.ok(peakMb(client.pid) < 500, `peak RSS ${peakMb(client.pid).toFixed(0)} MB`);
});

test('a manifest of 470 000 embed entries: the module map answers, the server stays under 500 MB', { timeout: 120_000 }, async (t) => {
  const tmp = tempCopy('lsp-missing-module');
  const entries = Array.from({ length: 470_000 }, (_, i) => JSON.stringify(`gen.m${i}`)).join(',\n');
  fs.writeFileSync(path.join(tmp.dir, 'resty-build.json'), `{ "path": ["lib/?.lua"], "embed": ["app.util",\n${entries}] }\n`);
  const client = await startServerOnCopy(t, tmp);
  await client.nextNotification(StatusNotification.method, 60_000);
  const map = await client.request<ModuleMapResult>(ModuleMapRequest.method, { uri: fileUri(path.join(tmp.dir, 'main.lua')) });
  assert.ok(map.embedded >= 1, JSON.stringify({ embedded: map.embedded, problems: map.problems }));
  assert.ok(map.problems >= 49_999);
  // The list is bounded, problems first; the counts cover every row.
  assert.equal(map.modules.length, 5_000);
  assert.ok(map.omitted >= map.problems - 5_000, `${map.omitted} omitted`);
  assert.ok(map.modules.every((m) => m.status !== 'embedded'), 'the rows with problems come first');
  const manifestDiagnostics = client.diagnostics(fileUri(path.join(tmp.dir, 'resty-build.json'))) ?? [];
  assert.ok(manifestDiagnostics.some((d) => d.code === 'manifest-invalid' && d.message === 'embed has 470001 entries; only the first 50000 are read.'));
  assert.ok(peakMb(client.pid) < 500, `peak RSS ${peakMb(client.pid).toFixed(0)} MB`);
});

test('completion inside require(" with a stdlib outside the workspace full of links back to itself answers with its modules', { timeout: 60_000 }, async (t) => {
  const tmp = tempCopy();
  const stdlib = tempCopy();
  t.after(() => stdlib.cleanup());
  writeTree(stdlib.dir, { 'strings.lua': 'return {}\n', 'sub/deep.lua': 'return {}\n' });
  for (const name of ['l1', 'l2', 'l3', 'l4', 'l5']) {
    fs.symlinkSync('.', path.join(stdlib.dir, name));
    fs.symlinkSync('..', path.join(stdlib.dir, 'sub', name));
  }
  writeTree(tmp.dir, { 'build.lua': 'local s = require("")\nbk.go()\n', 'resty-build.json': JSON.stringify({ profile: 'luakit', stdlib: stdlib.dir }) });
  const client = await startServerOnCopy(t, tmp);
  const uri = fileUri(path.join(tmp.dir, 'build.lua'));
  await client.open(uri, 'local s = require("")\nbk.go()\n');
  for (const root of [stdlib.dir, '/proc']) {
    if (root === '/proc') {
      fs.writeFileSync(path.join(tmp.dir, 'resty-build.json'), JSON.stringify({ profile: 'luakit', stdlib: '/proc' }));
      await client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: fileUri(path.join(tmp.dir, 'resty-build.json')), type: 2 }] });
    }
    const started = Date.now();
    const items = await client.request<CompletionItem[] | { items: CompletionItem[] }>('textDocument/completion', { textDocument: { uri }, position: { line: 0, character: 19 } });
    const labels = (Array.isArray(items) ? items : items.items).map((i) => i.label);
    t.diagnostic(`${root}: completion in ${Date.now() - started} ms, ${labels.length} items`);
    assert.ok(labels.includes('string'), labels.join(' '));
    if (root === stdlib.dir) {
      assert.ok(labels.includes('strings') && labels.includes('sub.deep'), labels.join(' '));
    }
  }
});

test('nginxConf a FIFO, buildScript /dev/urandom, an embed file /dev/zero: the server reads none, publishes unsafe-input and answers', { timeout: 60_000 }, async (t) => {
  const tmp = tempCopy('lsp-missing-module');
  fs.mkdirSync(path.join(tmp.dir, 'conf'));
  assert.equal(spawnSync('mkfifo', [path.join(tmp.dir, 'conf', 'nginx.conf')]).status, 0);
  const manifestFile = path.join(tmp.dir, 'resty-build.json');
  fs.writeFileSync(manifestFile, JSON.stringify({ path: ['lib/?.lua'], nginxConf: 'conf/nginx.conf', buildScript: '/dev/urandom', embed: ['app.util', { module: 'zero', file: '/dev/zero' }] }, null, 1));
  const client = await startServerOnCopy(t, tmp);
  const diagnostics = await client.waitForDiagnostics(fileUri(manifestFile), (ds) => ds.filter((d) => d.code === 'unsafe-input').length === 3, 30_000);
  assert.deepEqual(
    diagnostics.filter((d) => d.code === 'unsafe-input').map((d) => d.message.replace(tmp.dir, '<dir>')),
    [
      '"nginxConf" names <dir>/conf/nginx.conf, which is a FIFO (named pipe): it is not read. Name a regular Lua or nginx configuration file.',
      '"buildScript" names /dev/urandom, which is a device: it is not read. Name a regular Lua file.',
      '"embed" names /dev/zero, which is a device: it is not read. Name a regular Lua file.',
    ],
  );
  const uri = fileUri(path.join(tmp.dir, 'main.lua'));
  const hover = await client.request<{ contents: { value: string } } | null>('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 25 } });
  assert.ok(hover !== null);
  assert.ok(peakMb(client.pid) < 300, `peak RSS ${peakMb(client.pid).toFixed(0)} MB`);
});

test('a Lua file whose name is not UTF-8: the server publishes non-utf8-file-name at its folder, naming its bytes', { timeout: 60_000 }, async (t) => {
  const tmp = tempCopy('lsp-missing-module');
  const lib = path.join(tmp.dir, 'lib');
  fs.mkdirSync(lib, { recursive: true });
  // Latin-1 'lé.lua', made from its bytes: no such name is committed to the repository.
  fs.writeFileSync(Buffer.concat([Buffer.from(lib + '/'), Buffer.from([0x6c, 0xe9, 0x2e, 0x6c, 0x75, 0x61])]), 'return 1\n');
  const client = await startServerOnCopy(t, tmp);
  const diagnostics = await client.waitForDiagnostics(fileUri(lib), (ds) => ds.some((d) => d.code === 'non-utf8-file-name'), 30_000);
  assert.deepEqual(
    diagnostics.map((d) => [d.code, d.range.start.line, d.message.split(':')[0]]),
    [['non-utf8-file-name', 0, "Lua file 'l\\xe9.lua' not analysed"]],
  );
});
