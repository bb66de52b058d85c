// Navigation over LSP on a multi-module fixture (test/fixtures/navigation-modules):
// definition, hover, completion, references and symbols with exact results.
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { CompletionItem, CompletionList, Hover, Location, MarkupContent, SignatureHelp, SymbolInformation } from 'vscode-languageserver-protocol/node';
import { fileUri, startServer, startServerOnCopy } from '../helpers/lspClient';
import { fixture, tempCopy, writeTree } from '../helpers/paths';

const root = fixture('navigation-modules');
const uri = (rel: string) => fileUri(path.join(root, rel));
const MAIN = uri('main.lua');
const HANDLER = uri('lib/app/handler.lua');
const CACHE = uri('lib/app/cache/init.lua');
const at = (line: number, character: number, endCharacter: number) => ({ start: { line, character }, end: { line, character: endCharacter } });

describe('navigation over LSP', () => {
  test('definition, hover, completion, references, symbols and signature help', async (t) => {
    const client = await startServer(root);
    t.after(() => client.stop());
    const caps = client.initializeResult.capabilities;
    assert.equal(caps.hoverProvider, true);
    assert.equal(caps.referencesProvider, true);
    assert.deepEqual(caps.completionProvider?.triggerCharacters, ['.', ':', '"', "'"]);

    const pos = (textUri: string, line: number, character: number) => ({ textDocument: { uri: textUri }, position: { line, character } });

    // handler.serve -> lib/app/handler.lua, line 6 `serve`
    assert.deepEqual(await client.request<Location>('textDocument/definition', pos(MAIN, 3, 10)), { uri: HANDLER, range: at(6, 12, 17) });
    // cache:get through pcall(require, …) -> the init.lua module's method
    assert.deepEqual(await client.request<Location>('textDocument/definition', pos(MAIN, 5, 9)), { uri: CACHE, range: at(3, 12, 15) });

    const hover = await client.request<Hover>('textDocument/hover', pos(MAIN, 3, 10));
    assert.deepEqual(hover.range, at(3, 8, 13));
    assert.equal(
      (hover.contents as MarkupContent).value,
      ['```lua', 'function handler.serve(uri)', '```', '', 'Serves one request.', '', '- *@param* `uri` the request path', '', 'Defined in `lib/app/handler.lua:7` (module `app.handler`)'].join('\n'),
    );
    const moduleHover = await client.request<Hover>('textDocument/hover', pos(MAIN, 1, 36));
    assert.equal(
      (moduleHover.contents as MarkupContent).value,
      ['**module** `app.cache`', '', '`lib/app/cache/init.lua` — from the workspace', '', 'Embedded as bytecode: symbol `luaJIT_BC_app_cache`'].join('\n'),
    );

    const completion = await client.request<CompletionItem[] | CompletionList>('textDocument/completion', pos(MAIN, 3, 8));
    const items = Array.isArray(completion) ? completion : completion.items;
    assert.deepEqual(
      items.map((i) => [i.label, i.detail]),
      [
        ['_VERSION', 'handler._VERSION'],
        ['serve', 'handler.serve(uri)'],
      ],
    );
    const names = await client.request<CompletionItem[]>('textDocument/completion', pos(MAIN, 0, 27));
    assert.deepEqual(
      names.filter((i) => i.label.startsWith('app.')).map((i) => [i.label, i.textEdit]),
      [
        ['app.cache', { range: at(0, 25, 36), newText: 'app.cache' }],
        ['app.handler', { range: at(0, 25, 36), newText: 'app.handler' }],
      ],
    );

    const refs = await client.request<Location[]>('textDocument/references', { ...pos(HANDLER, 6, 14), context: { includeDeclaration: true } });
    assert.deepEqual(refs, [
      { uri: HANDLER, range: at(6, 12, 17) },
      // `require("app.handler").serve(…)` in a content_by_lua_block.
      { uri: uri('conf/nginx.conf'), range: at(4, 39, 44) },
      { uri: MAIN, range: at(3, 8, 13) },
    ]);
    const moduleRefs = await client.request<Location[]>('textDocument/references', { ...pos(MAIN, 1, 36), context: { includeDeclaration: true } });
    assert.deepEqual(moduleRefs, [
      { uri: HANDLER, range: at(0, 23, 32) },
      { uri: MAIN, range: at(1, 34, 43) },
    ]);

    const symbols = await client.request<SymbolInformation[]>('workspace/symbol', { query: 'serve' });
    assert.deepEqual(symbols.map((s) => [s.containerName, s.name, s.location]), [['app.handler', 'serve', { uri: HANDLER, range: at(6, 12, 17) }]]);

    const help = await client.request<SignatureHelp>('textDocument/signatureHelp', pos(MAIN, 3, 14));
    assert.equal(help.signatures[0].label, 'handler.serve(uri)');
  });

  test('in nginx.conf: a definition from a by_lua_block require', async (t) => {
    const client = await startServer(root);
    t.after(() => client.stop());
    const conf = uri('conf/nginx.conf');
    assert.deepEqual(await client.request<Location>('textDocument/definition', { textDocument: { uri: conf }, position: { line: 4, character: 30 } }), {
      uri: HANDLER,
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    });
  });

  test("hover shows a module in a folder named '..x' relative to the project, not as an outside path", async (t) => {
    const tmp = tempCopy();
    writeTree(tmp.dir, {
      'resty-build.json': JSON.stringify({ profile: 'openresty', path: ['..x/?.lua'], embed: [] }),
      'main.lua': 'local helper = require "helper"\nreturn helper\n',
      '..x/helper.lua': 'return {}\n',
    });
    const client = await startServerOnCopy(t, tmp);
    const hover = await client.request<Hover>('textDocument/hover', { textDocument: { uri: fileUri(path.join(tmp.dir, 'main.lua')) }, position: { line: 0, character: 26 } });
    const value = (hover.contents as MarkupContent).value;
    assert.match(value, /^`\.\.x\/helper\.lua` — from /m, value);
  });
});
