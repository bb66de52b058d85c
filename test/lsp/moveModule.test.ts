// workspace/willRenameFiles over LSP on a copy of test/fixtures/move-module: the
// capability and its filters, a file move and a folder move whose edits (applied
// to disk, then the move done, as a client does) leave a tree `resty-build check`
// finds clean, and moves that are refused with a window/showMessage saying why.
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Location, MessageType, ShowMessageParams, TextEdit, WorkspaceEdit } from 'vscode-languageserver-protocol/node';
import { URI } from 'vscode-uri';
import { checkJson, runCli } from '../helpers/cli';
import { fileUri, LspClient, startServerOnCopy } from '../helpers/lspClient';
import { tempCopy } from '../helpers/paths';
import { StatusNotification } from '../../server/src/protocol/protocol';

async function started(t: { after: (fn: () => unknown) => void }): Promise<{ dir: string; client: LspClient }> {
  const copy = tempCopy('move-module');
  const client = await startServerOnCopy(t, copy);
  await client.nextNotification(StatusNotification.method);
  return { dir: copy.dir, client };
}

const willRename = (client: LspClient, dir: string, from: string, to: string) =>
  client.request<WorkspaceEdit | null>('workspace/willRenameFiles', { files: [{ oldUri: fileUri(path.join(dir, from)), newUri: fileUri(path.join(dir, to)) }] });

/** What a client does: the edit first (on the files as they are), then the move; then the server is told. */
async function applyAndMove(client: LspClient, dir: string, edit: WorkspaceEdit, from: string, to: string): Promise<void> {
  for (const [uri, edits] of Object.entries(edit.changes ?? {})) {
    const file = URI.parse(uri).fsPath;
    const text = fs.readFileSync(file, 'utf8');
    const lines = text.split('\n');
    const offset = (p: { line: number; character: number }) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
    let result = text;
    for (const e of [...edits].sort((a: TextEdit, b: TextEdit) => offset(b.range.start) - offset(a.range.start))) {
      result = result.slice(0, offset(e.range.start)) + e.newText + result.slice(offset(e.range.end));
    }
    fs.writeFileSync(file, result);
  }
  fs.mkdirSync(path.dirname(path.join(dir, to)), { recursive: true });
  fs.renameSync(path.join(dir, from), path.join(dir, to));
  await client.notify('workspace/didChangeWatchedFiles', {
    changes: [
      { uri: fileUri(path.join(dir, from)), type: 3 },
      { uri: fileUri(path.join(dir, to)), type: 1 },
      ...Object.keys(edit.changes ?? {}).map((uri) => ({ uri, type: 2 })),
    ],
  });
}

/** Findings of `resty-build check` at warning or error severity: none when every require and entry still resolves. */
function seriousFindings(dir: string): string[] {
  const run = runCli(['check', dir, '--format', 'json']);
  const found = checkJson(run.stdout).diagnostics;
  return found.filter((d) => d.severity !== 'info').map((d) => `${d.file} ${d.code}: ${d.message}`);
}

const read = (dir: string, rel: string) => fs.readFileSync(path.join(dir, rel), 'utf8');

describe('moving Lua modules over LSP', () => {
  test('the server registers willRename for Lua files and folders', async (t) => {
    const { client } = await started(t);
    assert.deepEqual(client.initializeResult.capabilities.workspace?.fileOperations?.willRename, {
      filters: [
        { scheme: 'file', pattern: { glob: '**/*.lua', matches: 'file' } },
        { scheme: 'file', pattern: { glob: '**/*', matches: 'folder' } },
      ],
    });
  });

  test('a file move rewrites every require form and the embed entries, and the moved tree checks clean', async (t) => {
    const { dir, client } = await started(t);
    const edit = await willRename(client, dir, 'lib/app/cache.lua', 'lib/app/store.lua');
    assert.ok(edit?.changes, 'an edit');
    assert.deepEqual(Object.keys(edit.changes).sort(), ['conf/nginx.conf', 'lib/app/handler.lua', 'resty-build.json'].map((f) => fileUri(path.join(dir, f))).sort());
    await applyAndMove(client, dir, edit, 'lib/app/cache.lua', 'lib/app/store.lua');
    assert.equal(
      read(dir, 'lib/app/handler.lua'),
      [
        'local cache = require "app.store"',
        'local util = require("app.util")',
        "local ok, optional = pcall(require, 'app.store')",
        '',
        'local _M = {}',
        '',
        'function _M.serve(key)',
        '    local get = require [[app.store]].get',
        '    return util.trim(get(key) or cache.get(key)), ok and optional',
        'end',
        '',
        'return _M',
        '',
      ].join('\n'),
    );
    assert.match(read(dir, 'conf/nginx.conf'), /local cache = require\('app\.store'\)\n {16}require\("app\.handler"\)/);
    const manifest = read(dir, 'resty-build.json');
    assert.match(manifest, /"app\.handler", \/\/ the entry point\n {4}"app\.store",\n {4}"app\.util",\n {4}\/\* kept under its historical name \*\/\n {4}\{ "module": "legacy\.cache", "file": "lib\/app\/store\.lua" \}/);
    assert.deepEqual(seriousFindings(dir), []);
    // The server follows the moved module too.
    const handler = fileUri(path.join(dir, 'lib/app/handler.lua'));
    const definition = await client.request<Location>('textDocument/definition', { textDocument: { uri: handler }, position: { line: 0, character: 25 } });
    assert.equal(definition.uri, fileUri(path.join(dir, 'lib/app/store.lua')));
  });

  test('a folder move renames every module under it, an init.lua module included', async (t) => {
    const { dir, client } = await started(t);
    const edit = await willRename(client, dir, 'lib/app', 'lib/web');
    assert.ok(edit?.changes, 'an edit');
    await applyAndMove(client, dir, edit, 'lib/app', 'lib/web');
    assert.match(read(dir, 'lib/web/handler.lua'), /^local cache = require "web\.cache"\nlocal util = require\("web\.util"\)\nlocal ok, optional = pcall\(require, 'web\.cache'\)/);
    assert.match(read(dir, 'conf/nginx.conf'), /require\('web\.cache'\)\n {16}require\("web\.handler"\)/);
    assert.match(read(dir, 'resty-build.json'), /"web\.handler", \/\/ the entry point\n {4}"web\.cache",\n {4}"web\.util",[^]*"file": "lib\/web\/cache\.lua"/);
    assert.deepEqual(seriousFindings(dir), []);
  });

  test('a move onto another module is refused with a message', async (t) => {
    const { dir, client } = await started(t);
    const message = client.nextNotification<ShowMessageParams>('window/showMessage');
    assert.equal(await willRename(client, dir, 'lib/app/cache.lua', 'lib/app/util.lua'), null);
    const shown = await message;
    assert.equal(shown.type, MessageType.Warning);
    assert.equal(shown.message, "resty-build: Moving lib/app/cache.lua to lib/app/util.lua would collide with module 'app.util' (lib/app/util/init.lua): requires were left as they are.");
  });

  test('a move out of the search path is refused with a message', async (t) => {
    const { dir, client } = await started(t);
    const message = client.nextNotification<ShowMessageParams>('window/showMessage');
    assert.equal(await willRename(client, dir, 'lib/app/cache.lua', 'tools/cache.lua'), null);
    assert.equal(
      (await message).message,
      "resty-build: Moving lib/app/cache.lua to tools/cache.lua takes it out of the search path: no package.path template of its project finds it there, so the requires of 'app.cache' were left as they are.",
    );
    const folderMessage = client.nextNotification<ShowMessageParams>('window/showMessage');
    assert.equal(await willRename(client, dir, 'lib/app', 'tools/app'), null, 'a folder');
    assert.match((await folderMessage).message, /^resty-build: Moving lib\/app\/\S+\.lua to tools\/app\/\S+\.lua takes it out of the search path: .*\(and \d+ more problems?\)$/);
    assert.equal(await willRename(client, dir, 'tools/lint.lua', 'tools/check.lua'), null, 'a script nothing requires: nothing to do, nothing said');
  });
});
