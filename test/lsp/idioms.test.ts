// Navigation through gateway idioms over LSP (dist/server.js on the fixtures
// navigation-facade, navigation-reexport and navigation-unfollowable): each
// idiom answers definition, hover, completion, signature help and references;
// what cannot be followed answers nothing, and a re-export cycle ends.
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CompletionItem, CompletionList, Hover, Location, MarkupContent, SignatureHelp } from 'vscode-languageserver-protocol/node';
import { positionIn } from '../helpers/fixtureNav';
import { fileUri, LspClient, startServer } from '../helpers/lspClient';
import { fixture } from '../helpers/paths';

/** Requests at positions named by the code: `needle` in `rel`, `offset` characters in. */
function navigator(client: LspClient, root: string) {
  const text = (rel: string) => fs.readFileSync(path.join(root, rel), 'utf8');
  const uri = (rel: string) => fileUri(path.join(root, rel));
  const params = (rel: string, needle: string, offset = 0) => ({ textDocument: { uri: uri(rel) }, position: positionIn(text(rel), needle, offset) });
  /** The range of `word` where `needle` (which holds it) first occurs. */
  const range = (rel: string, needle: string, word = needle) => {
    const start = positionIn(text(rel), needle, needle.indexOf(word));
    return { start, end: { line: start.line, character: start.character + word.length } };
  };
  return {
    uri,
    range,
    location: (rel: string, needle: string, word?: string) => ({ uri: uri(rel), range: range(rel, needle, word) }),
    definition: (rel: string, needle: string, offset = 0) => client.request<Location | null>('textDocument/definition', params(rel, needle, offset)),
    hover: async (rel: string, needle: string, offset = 0) => ((await client.request<Hover | null>('textDocument/hover', params(rel, needle, offset)))?.contents as MarkupContent | undefined)?.value,
    signature: async (rel: string, needle: string, offset: number) => (await client.request<SignatureHelp | null>('textDocument/signatureHelp', params(rel, needle, offset)))?.signatures[0]?.label,
    completion: async (rel: string, needle: string, offset: number) => {
      const answer = await client.request<CompletionItem[] | CompletionList>('textDocument/completion', params(rel, needle, offset));
      return (Array.isArray(answer) ? answer : answer.items).map((i) => [i.label, i.detail]).sort((a, b) => String(a[0]).localeCompare(String(b[0])));
    },
    references: (rel: string, needle: string, offset = 0, includeDeclaration = true) =>
      client.request<Location[]>('textDocument/references', { ...params(rel, needle, offset), context: { includeDeclaration } }),
  };
}

describe('gateway idioms over LSP', () => {
  test('facade tables: core.request.header, core.json.encode, core["json"], a local bound to a member, a re-exported C function', async (t) => {
    const root = fixture('navigation-facade');
    const client = await startServer(root);
    t.after(() => client.stop());
    const nav = navigator(client, root);
    const LIMIT = 'lib/gw/plugins/limit.lua';
    const encode = nav.location('lib/gw/core/json.lua', 'function _M.encode(', 'encode');

    assert.deepEqual(await nav.definition(LIMIT, 'core.request.header(', 'core.request.'.length), nav.location('lib/gw/core/request.lua', 'function _M.header(', 'header'));
    assert.deepEqual(await nav.definition(LIMIT, 'core.json.encode({', 'core.json.'.length), encode);
    assert.deepEqual(await nav.definition(LIMIT, 'core["json"].encode', 'core["json"].'.length), encode);
    assert.deepEqual(await nav.definition(LIMIT, 'encode(copy)'), encode);
    assert.deepEqual(await nav.definition(LIMIT, 'core.log.warn', 'core.log.'.length), nav.location('lib/gw/core/log.lua', 'function _M.warn(', 'warn'));
    assert.deepEqual(await nav.definition(LIMIT, 'core.json.decode', 'core.json.'.length), nav.location('lib/gw/core/json.lua', '_M.decode =', 'decode'));
    assert.equal(await nav.definition(LIMIT, 'core.config.get', 'core.config.'.length), null);

    assert.match((await nav.hover(LIMIT, 'core.json.encode({', 'core.json.'.length)) ?? '', /^```lua\nfunction core\.json\.encode\(data, opts\)\n```\n\nEncodes a value as JSON text\./);
    assert.match((await nav.hover(LIMIT, 'C.getpid', 2)) ?? '', /A member of module `ffi` \(built into the runtime\)/);
    assert.equal(await nav.signature(LIMIT, 'core.json.encode({', 'core.json.encode('.length), 'core.json.encode(data, opts)');
    assert.deepEqual(await nav.completion(LIMIT, 'core.request.header', 'core.re'.length), [
      ['config', 'core.config'],
      ['empty_tab', 'core.empty_tab'],
      ['json', 'module gw.core.json'],
      ['log', 'module gw.core.log'],
      ['request', 'module gw.core.request'],
      ['table', 'module gw.core.table'],
      ['version', 'module gw.core.version'],
    ]);
    assert.deepEqual(await nav.references('lib/gw/core/json.lua', 'function _M.encode', 'function _M.'.length), [
      encode,
      nav.location(LIMIT, 'core.json.encode\n', 'encode'),
      nav.location(LIMIT, 'local body = core.json.encode', 'encode'),
      nav.location(LIMIT, 'encode(copy)', 'encode'),
      nav.location(LIMIT, 'core["json"].encode', 'encode'),
    ]);
  });

  test('re-exports, require("m").member, ["member"], pcall(require, …) and an assignment facade', async (t) => {
    const root = fixture('navigation-reexport');
    const client = await startServer(root);
    t.after(() => client.stop());
    const nav = navigator(client, root);
    const INIT = 'lib/gk/init.lua';
    const uuid = nav.location('lib/gk/tools/uuid.lua', 'function _M.uuid(', 'uuid');
    const load = nav.location('lib/gk/db/declarative/import.lua', 'function _M.load_into_cache(', 'load_into_cache');

    assert.deepEqual(await nav.definition(INIT, 'require("gk.tools.uuid").uuid', 'require("gk.tools.uuid").'.length), uuid);
    assert.deepEqual(await nav.definition(INIT, 'local id = uuid()', 'local id = '.length), uuid);
    assert.deepEqual(await nav.definition(INIT, '["uuid"]', 2), uuid);
    assert.deepEqual(await nav.definition(INIT, 'tools.uuid()', 'tools.'.length), uuid);
    assert.deepEqual(await nav.definition(INIT, 'pdk.uuid.uuid()', 'pdk.uuid.'.length), uuid);
    assert.deepEqual(await nav.definition(INIT, 'declarative.load_into_cache({}, nil', 'declarative.'.length), load);
    assert.deepEqual(await nav.definition(INIT, 'pdk.declarative.load_into_cache', 'pdk.declarative.'.length), load);
    assert.deepEqual(await nav.definition('conf/nginx.conf', '.load_into_cache', 1), load);
    assert.deepEqual(
      await nav.definition(INIT, 'balancer.stop_healthcheckers', 'balancer.'.length),
      nav.location('lib/gk/runloop/balancer/healthcheckers.lua', 'function healthcheckers.stop_healthcheckers(', 'stop_healthcheckers'),
    );

    assert.match((await nav.hover(INIT, 'declarative.load_into_cache({}, nil', 'declarative.'.length)) ?? '', /Defined in `lib\/gk\/db\/declarative\/import\.lua:5` \(module `gk\.db\.declarative\.import`\)$/);
    for (const [needle, offset] of [
      ['require("gk.tools.uuid").uuid', 'require("gk.tools.uuid").'.length],
      ['["uuid"]', 2],
      ['tools.uuid()', 'tools.'.length],
      ['pdk.uuid.uuid()', 'pdk.uuid.'.length],
    ] as const) {
      assert.match((await nav.hover(INIT, needle, offset)) ?? '', /^```lua\nfunction .*uuid\(\)\n```\n\nA random version 4 UUID\.\n\nDefined in `lib\/gk\/tools\/uuid\.lua:4`/, needle);
    }
    assert.equal(await nav.signature(INIT, '["uuid"]()', '["uuid"]('.length), 'gk.tools.uuid.uuid()');
    assert.equal(await nav.signature(INIT, 'tools.uuid()', 'tools.uuid('.length), 'tools.uuid()');
    assert.deepEqual(await nav.completion(INIT, 'tools.uuid()', 'tools.'.length), [['uuid', 'tools.uuid()']]);
    assert.deepEqual(await nav.completion(INIT, 'pdk.uuid.uuid()', 'pdk.uuid.'.length), [['uuid', 'pdk.uuid.uuid()']]);
    assert.equal(await nav.signature(INIT, 'balancer.stop_healthcheckers(0)', 'balancer.stop_healthcheckers('.length), 'balancer.stop_healthcheckers(delay)');
    assert.deepEqual(await nav.completion(INIT, 'balancer.stop_healthcheckers', 'balancer.st'.length), [['stop_healthcheckers', 'balancer.stop_healthcheckers(delay)']]);
    const DECL = 'lib/gk/db/declarative/init.lua';
    assert.deepEqual(await nav.references('lib/gk/db/declarative/import.lua', 'function _M.load_into_cache', 'function _M.'.length, false), [
      nav.location('conf/nginx.conf', 'load_into_cache'),
      nav.location(DECL, '_M.load_into_cache', 'load_into_cache'),
      nav.location(DECL, 'declarative_import.load_into_cache', 'load_into_cache'),
      nav.location(INIT, 'declarative.load_into_cache({}, nil', 'load_into_cache'),
      nav.location(INIT, 'pdk.declarative.load_into_cache', 'load_into_cache'),
    ]);
    const uuids = await nav.references('lib/gk/tools/uuid.lua', 'function _M.uuid', 'function _M.'.length, false);
    assert.deepEqual(
      uuids.map((l) => [path.relative(root, new URL(l.uri).pathname), l.range.start.line, l.range.start.character]),
      [
        [INIT, 0, 38],
        [INIT, 9, 15],
        [INIT, 13, 44],
        [INIT, 15, 21],
        [INIT, 15, 38],
      ],
    );
  });

  test('what cannot be followed answers nothing, and a re-export cycle ends', async (t) => {
    const root = fixture('navigation-unfollowable');
    const client = await startServer(root);
    t.after(() => client.stop());
    const nav = navigator(client, root);
    const USER = 'lib/neg/user.lua';
    assert.deepEqual(await nav.definition(USER, 'local enc = json.encode', 'local enc = json.'.length), nav.location('lib/neg/json.lua', 'function _M.encode(', 'encode'));
    for (const [needle, offset] of [
      ['a.x()', 2],
      ['facade.json.encode(1)', 'facade.json.'.length],
      ['json.encode(2)', 'json.'.length],
      ['written.json.encode(3)', 'written.json.'.length],
      ['facade[key].encode(4)', 'facade[key].'.length],
      ['enc(5)', 0],
      ['mod.encode(6)', 'mod.'.length],
      ['json.pretty(7)', 'json.'.length],
    ] as const) {
      assert.equal(await nav.definition(USER, needle, offset), null, needle);
      assert.equal(await nav.hover(USER, needle, offset), undefined, needle);
      assert.equal(await nav.signature(USER, needle, needle.indexOf('(') + 1), undefined, needle);
    }
    for (const [needle, offset] of [
      ['written.json.encode(3)', 'written.json.'.length],
      ['facade[key].encode(4)', 'facade[key].'.length],
      ['mod.encode(6)', 'mod.'.length],
    ] as const) {
      assert.deepEqual(await nav.completion(USER, needle, offset), [], needle);
      assert.deepEqual(await nav.references(USER, needle, offset), [], needle);
    }
    assert.deepEqual(await nav.references('lib/neg/a.lua', '_M.x', 3), []);
  });
});
