// Navigation through the idioms of real OpenResty gateways, on fixture trees:
// facade tables of requires (navigation-facade), requires used in place,
// re-exports through fields and locals, pcall(require, …) and assignment
// facades (navigation-reexport), and what cannot be followed
// (navigation-unfollowable): each answers nothing rather than something wrong.
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { CompletionItem, CompletionItemKind, Hover, MarkupContent } from 'vscode-languageserver/node';
import { findCompletions } from '../../server/src/features/completion';
import { findHover } from '../../server/src/features/hover';
import { findDefinition } from '../../server/src/features/navigation';
import { findReferenceLocations } from '../../server/src/features/references';
import { findSignatureHelp } from '../../server/src/features/signatureHelp';
import { pathToUri } from '../../server/src/convert';
import { FixtureNav, fixtureNav } from '../helpers/fixtureNav';
import { navWorkspace } from '../helpers/nav';

const FILE_START = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

function hoverText(h: Hover | null): string {
  assert.ok(h, 'a hover');
  return (h.contents as MarkupContent).value;
}

/** Definition at `needle` (+offset) in `rel`, as [file relative to the fixture, range]. */
function definitionOf(n: FixtureNav, rel: string, needle: string, offset = 0, nth = 0) {
  const loc = findDefinition(n.ws, n.file(rel), n.at(rel, needle, offset, nth));
  return loc && { uri: loc.uri, range: loc.range };
}

function loc(n: FixtureNav, rel: string, needle: string, word?: string, nth = 0) {
  return { uri: pathToUri(n.file(rel)), range: n.range(rel, needle, word, nth) };
}

function brief(items: CompletionItem[]) {
  return items.map((i) => [i.label, i.kind, i.detail]).sort((a, b) => String(a[0]).localeCompare(String(b[0])));
}

describe('facade tables of requires', () => {
  const n = fixtureNav('navigation-facade');
  const LIMIT = 'lib/gw/plugins/limit.lua';
  const JSON = 'lib/gw/core/json.lua';
  const encodeDef = () => loc(n, JSON, 'function _M.encode(', 'encode');

  test('a field set from a require in a returned table constructor, two levels deep', () => {
    assert.deepEqual(definitionOf(n, LIMIT, 'core.request.header(', 'core.request.'.length), loc(n, 'lib/gw/core/request.lua', 'function _M.header(', 'header'));
    assert.deepEqual(definitionOf(n, LIMIT, 'core.request.header(', 'core.'.length), { uri: pathToUri(n.file('lib/gw/core/request.lua')), range: FILE_START }, 'the field is the module');
    assert.deepEqual(definitionOf(n, LIMIT, 'core.json.encode({', 'core.json.'.length), encodeDef());
    assert.deepEqual(definitionOf(n, LIMIT, "core.table.deepcopy", 'core.table.'.length), loc(n, 'lib/gw/core/table.lua', 'function _M.deepcopy(', 'deepcopy'), 'a ["table"] key');
    assert.deepEqual(definitionOf(n, LIMIT, 'core.log.warn', 'core.log.'.length), loc(n, 'lib/gw/core/log.lua', 'function _M.warn(', 'warn'), 'a field set from a local holding a require');
  });

  test('string keys and locals bound to a member', () => {
    assert.deepEqual(definitionOf(n, LIMIT, 'core["json"].encode', 'core["json"].'.length), encodeDef());
    assert.deepEqual(definitionOf(n, LIMIT, 'core["json"]', 'core["'.length), { uri: pathToUri(n.file(JSON)), range: FILE_START });
    assert.deepEqual(definitionOf(n, LIMIT, 'local encode = core.json.encode', 'local encode = core.json.'.length), encodeDef());
    assert.deepEqual(definitionOf(n, LIMIT, 'local encode', 'local '.length), encodeDef(), 'on the local itself');
    assert.deepEqual(definitionOf(n, LIMIT, 'encode(copy)'), encodeDef(), 'a call through the local');
  });

  test('a re-export of a C module stops at the field that sets it; a built-in member and a dynamic require answer nothing', () => {
    assert.deepEqual(definitionOf(n, LIMIT, 'core.json.decode', 'core.json.'.length), loc(n, JSON, '_M.decode =', 'decode'));
    const hover = hoverText(findHover(n.ws, n.file(LIMIT), n.at(LIMIT, 'core.json.decode', 'core.json.'.length)));
    assert.equal(hover, ['```lua', 'cjson.safe.decode', '```', '', 'A member of module `cjson.safe` (provided by the runtime (resty-build.json "provided")).', '', 'Set in `lib/gw/core/json.lua:11`'].join('\n'));
    assert.equal(definitionOf(n, LIMIT, 'C.getpid', 2), undefined);
    assert.match(hoverText(findHover(n.ws, n.file(LIMIT), n.at(LIMIT, 'C.getpid', 2))), /^```lua\nffi\.C\.getpid\n```\n\nA member of module `ffi` \(built into the runtime\)\.$/);
    assert.equal(definitionOf(n, LIMIT, 'core.config.get', 'core.config.'.length), undefined, 'config = require("gw.core.config_" .. provider)');
  });

  test('hover and signature help name the function as it is used', () => {
    const hover = hoverText(findHover(n.ws, n.file(LIMIT), n.at(LIMIT, 'core.json.encode({', 'core.json.'.length)));
    assert.equal(
      hover,
      ['```lua', 'function core.json.encode(data, opts)', '```', '', 'Encodes a value as JSON text.', '', '- *@param* `data` the value to encode', '', 'Defined in `lib/gw/core/json.lua:7` (module `gw.core.json`)'].join('\n'),
    );
    const help = findSignatureHelp(n.ws, n.file(LIMIT), n.at(LIMIT, 'core.json.encode({', 'core.json.encode('.length));
    assert.equal(help?.signatures[0].label, 'core.json.encode(data, opts)');
    assert.equal(help?.activeParameter, 0);
    assert.equal(findSignatureHelp(n.ws, n.file(LIMIT), n.at(LIMIT, 'encode(copy)', 'encode('.length))?.signatures[0].label, 'encode(data, opts)');
  });

  test('completion lists the facade fields (modules) and the members of a module two levels down', () => {
    const text = 'local core = require("gw.core")\nlocal x = core.\nlocal y = core.json.\n';
    n.ws.setDocument(n.file('lib/gw/plugins/new.lua'), text);
    try {
      const top = brief(findCompletions(n.ws, n.file('lib/gw/plugins/new.lua'), { line: 1, character: 15 }));
      assert.deepEqual(top, [
        ['config', CompletionItemKind.Field, 'core.config'],
        ['empty_tab', CompletionItemKind.Field, 'core.empty_tab'],
        ['json', CompletionItemKind.Module, 'module gw.core.json'],
        ['log', CompletionItemKind.Module, 'module gw.core.log'],
        ['request', CompletionItemKind.Module, 'module gw.core.request'],
        ['table', CompletionItemKind.Module, 'module gw.core.table'],
        ['version', CompletionItemKind.Module, 'module gw.core.version'],
      ]);
      const json = brief(findCompletions(n.ws, n.file('lib/gw/plugins/new.lua'), { line: 2, character: 20 }));
      assert.deepEqual(json, [
        ['decode', CompletionItemKind.Field, 'core.json.decode'],
        ['encode', CompletionItemKind.Function, 'core.json.encode(data, opts)'],
      ]);
    } finally {
      n.ws.closeDocument(n.file('lib/gw/plugins/new.lua'));
    }
  });

  test('references of a function: through the facade, a string key, a local bound to it and its uses', () => {
    const expected = [
      encodeDef(),
      // On `local encode = core.json.encode` the field is a use; the local's name is not.
      loc(n, LIMIT, 'core.json.encode\n', 'encode'),
      loc(n, LIMIT, 'local body = core.json.encode', 'encode'),
      loc(n, LIMIT, 'encode(copy)', 'encode'),
      loc(n, LIMIT, 'core["json"].encode', 'encode'),
    ];
    assert.deepEqual(findReferenceLocations(n.ws, n.file(JSON), n.at(JSON, 'function _M.encode', 'function _M.'.length), true), expected);
    assert.deepEqual(findReferenceLocations(n.ws, n.file(LIMIT), n.at(LIMIT, 'encode(copy)'), false), expected.slice(1), 'from a use through the local');
  });
});

describe('requires used in place, re-exports and pcall', () => {
  const n = fixtureNav('navigation-reexport');
  const INIT = 'lib/gk/init.lua';
  const uuidDef = () => loc(n, 'lib/gk/tools/uuid.lua', 'function _M.uuid(', 'uuid');
  const loadDef = () => loc(n, 'lib/gk/db/declarative/import.lua', 'function _M.load_into_cache(', 'load_into_cache');

  test('require("m").member, require("m")["member"], pcall(require, …) and a field set from a require', () => {
    assert.deepEqual(definitionOf(n, INIT, 'require("gk.tools.uuid").uuid', 'require("gk.tools.uuid").'.length), uuidDef());
    assert.deepEqual(definitionOf(n, INIT, 'local id = uuid()', 'local id = '.length), uuidDef(), 'a local holding require("m").member');
    assert.deepEqual(definitionOf(n, INIT, '["uuid"]', 2), uuidDef());
    assert.deepEqual(definitionOf(n, INIT, 'tools.uuid()', 'tools.'.length), uuidDef());
    assert.deepEqual(definitionOf(n, INIT, 'pdk.uuid.uuid()', 'pdk.uuid.'.length), uuidDef());
  });

  test('hover, signature help and completion through require("m").member, ["member"], pcall(require, …) and a field set from a require', () => {
    const hoverAt = (needle: string, offset: number) => hoverText(findHover(n.ws, n.file(INIT), n.at(INIT, needle, offset)));
    const defined = 'Defined in `lib/gk/tools/uuid.lua:4` (module `gk.tools.uuid`)';
    for (const [needle, offset, name] of [
      ['require("gk.tools.uuid").uuid', 'require("gk.tools.uuid").'.length, 'gk.tools.uuid.uuid'],
      ['["uuid"]', 2, 'gk.tools.uuid.uuid'],
      ['local id = uuid()', 'local id = '.length, 'uuid'],
      ['tools.uuid()', 'tools.'.length, 'tools.uuid'],
      ['pdk.uuid.uuid()', 'pdk.uuid.'.length, 'pdk.uuid.uuid'],
    ] as const) {
      assert.equal(hoverAt(needle, offset), ['```lua', `function ${name}()`, '```', '', 'A random version 4 UUID.', '', defined].join('\n'), needle);
    }
    const signature = (needle: string, offset: number) => findSignatureHelp(n.ws, n.file(INIT), n.at(INIT, needle, offset))?.signatures[0].label;
    assert.equal(signature('["uuid"]()', '["uuid"]('.length), 'gk.tools.uuid.uuid()', 'a call through a string key');
    assert.equal(signature('local id = uuid()', 'local id = uuid('.length), 'uuid()');
    assert.equal(signature('tools.uuid()', 'tools.uuid('.length), 'tools.uuid()');
    assert.equal(signature('pdk.uuid.uuid()', 'pdk.uuid.uuid('.length), 'pdk.uuid.uuid()');
    const completion = (needle: string, offset: number) => brief(findCompletions(n.ws, n.file(INIT), n.at(INIT, needle, offset)));
    assert.deepEqual(completion('tools.uuid()', 'tools.'.length), [['uuid', CompletionItemKind.Function, 'tools.uuid()']]);
    assert.deepEqual(completion('pdk.uuid.uuid()', 'pdk.'.length), [
      ['declarative', CompletionItemKind.Module, 'module gk.db.declarative'],
      ['uuid', CompletionItemKind.Module, 'module gk.tools.uuid'],
    ]);
    assert.deepEqual(completion('pdk.uuid.uuid()', 'pdk.uuid.'.length), [['uuid', CompletionItemKind.Function, 'pdk.uuid.uuid()']]);
    assert.deepEqual(completion('require("gk.tools.uuid").uuid', 'require("gk.tools.uuid").'.length), [['uuid', CompletionItemKind.Function, 'require("gk.tools.uuid").uuid()']]);
  });

  test('re-exports reach the function itself, never the re-export line', () => {
    assert.deepEqual(definitionOf(n, INIT, 'declarative.load_into_cache({}, nil', 'declarative.'.length), loadDef(), '_M.x = other.x');
    assert.deepEqual(definitionOf(n, INIT, 'pdk.declarative.load_into_cache', 'pdk.declarative.'.length), loadDef(), 'through an assignment facade too');
    assert.deepEqual(definitionOf(n, 'lib/gk/db/declarative/init.lua', '_M.load_into_cache', 3), loadDef(), 'from the re-export line itself');
    assert.deepEqual(definitionOf(n, 'conf/nginx.conf', '.load_into_cache', 1), loadDef(), 'from nginx.conf Lua');
    assert.deepEqual(
      definitionOf(n, INIT, 'balancer.stop_healthcheckers', 'balancer.'.length),
      loc(n, 'lib/gk/runloop/balancer/healthcheckers.lua', 'function healthcheckers.stop_healthcheckers(', 'stop_healthcheckers'),
      'local x = other.x; return { x = x }',
    );
  });

  test('hover, signature help and completion describe the re-exported function', () => {
    assert.equal(
      hoverText(findHover(n.ws, n.file(INIT), n.at(INIT, 'declarative.load_into_cache({}, nil', 'declarative.'.length))),
      [
        '```lua',
        'function declarative.load_into_cache(entities, meta, hash)',
        '```',
        '',
        'Loads the entities of a declarative configuration into the cache.',
        '',
        '- *@param* `entities` the entities by name',
        '',
        'Defined in `lib/gk/db/declarative/import.lua:5` (module `gk.db.declarative.import`)',
      ].join('\n'),
    );
    const help = findSignatureHelp(n.ws, n.file(INIT), n.at(INIT, 'balancer.stop_healthcheckers(0)', 'balancer.stop_healthcheckers('.length));
    assert.equal(help?.signatures[0].label, 'balancer.stop_healthcheckers(delay)');
    assert.deepEqual(help?.signatures[0].documentation, { kind: 'markdown', value: 'Stops every health checker after `delay` seconds.' });
    const items = findCompletions(n.ws, n.file(INIT), n.at(INIT, 'declarative.load_into_cache({}, nil', 'declarative.load'.length));
    assert.deepEqual(brief(items), [['load_into_cache', CompletionItemKind.Function, 'declarative.load_into_cache(entities, meta, hash)']]);
  });

  test('references of a function follow every path to it', () => {
    const refs = findReferenceLocations(n.ws, n.file('lib/gk/db/declarative/import.lua'), n.at('lib/gk/db/declarative/import.lua', 'function _M.load_into_cache', 'function _M.'.length), true);
    const DECL = 'lib/gk/db/declarative/init.lua';
    assert.deepEqual(refs, [
      loadDef(),
      loc(n, 'conf/nginx.conf', 'load_into_cache'),
      loc(n, DECL, '_M.load_into_cache', 'load_into_cache'),
      loc(n, DECL, 'declarative_import.load_into_cache', 'load_into_cache'),
      loc(n, INIT, 'declarative.load_into_cache({}, nil', 'load_into_cache'),
      loc(n, INIT, 'pdk.declarative.load_into_cache', 'load_into_cache'),
    ]);
    const HC = 'lib/gk/runloop/balancer/healthcheckers.lua';
    const BALANCER = 'lib/gk/runloop/balancer/init.lua';
    assert.deepEqual(findReferenceLocations(n.ws, n.file(HC), n.at(HC, 'function healthcheckers.stop_healthcheckers', 'function healthcheckers.'.length), false), [
      loc(n, INIT, 'balancer.stop_healthcheckers', 'stop_healthcheckers'),
      // `local stop_healthcheckers = healthcheckers.stop_healthcheckers`, then `{ stop_healthcheckers = stop_healthcheckers }`.
      loc(n, BALANCER, 'healthcheckers.stop_healthcheckers', 'stop_healthcheckers'),
      loc(n, BALANCER, '    stop_healthcheckers = stop_healthcheckers', 'stop_healthcheckers'),
      { uri: pathToUri(n.file(BALANCER)), range: { start: n.at(BALANCER, '= stop_healthcheckers,', 2), end: n.at(BALANCER, '= stop_healthcheckers,', 2 + 'stop_healthcheckers'.length) } },
    ]);
    const uuids = findReferenceLocations(n.ws, n.file(INIT), n.at(INIT, 'tools.uuid()', 'tools.'.length), false);
    assert.deepEqual(uuids, [
      loc(n, INIT, '").uuid\n', 'uuid'),
      loc(n, INIT, 'uuid()', 'uuid'),
      loc(n, INIT, '["uuid"]', 'uuid'),
      loc(n, INIT, 'tools.uuid()', 'uuid'),
      { uri: pathToUri(n.file(INIT)), range: { start: n.at(INIT, 'pdk.uuid.uuid()', 'pdk.uuid.'.length), end: n.at(INIT, 'pdk.uuid.uuid()', 'pdk.uuid.uuid'.length) } },
    ]);
  });
});

describe('what cannot be followed answers nothing', () => {
  const n = fixtureNav('navigation-unfollowable');
  const USER = 'lib/neg/user.lua';

  test('a followable use in the same file, for contrast', () => {
    assert.deepEqual(definitionOf(n, USER, 'local enc = json.encode', 'local enc = json.'.length), loc(n, 'lib/neg/json.lua', 'function _M.encode(', 'encode'));
  });

  for (const [what, needle, offset] of [
    ['a re-export cycle (a.x = b.x, b.x = a.x)', 'a.x()', 2],
    ['a parameter shadowing the module', 'facade.json.encode(1)', 'facade.json.'.length],
    ['a block-local table shadowing the module', 'json.encode(2)', 'json.'.length],
    ['a field the file assigns (written.json = …)', 'written.json.encode(3)', 'written.json.'.length],
    ['a computed key', 'facade[key].encode(4)', 'facade[key].'.length],
    ['a reassigned local', 'enc(5)', 0],
    ['a dynamic require', 'mod.encode(6)', 'mod.'.length],
    ['a member defined twice at top level', 'json.pretty(7)', 'json.'.length],
  ] as const) {
    test(what, () => {
      assert.equal(definitionOf(n, USER, needle, offset), undefined);
      assert.equal(findHover(n.ws, n.file(USER), n.at(USER, needle, offset)), null);
      assert.equal(findSignatureHelp(n.ws, n.file(USER), n.at(USER, needle, needle.indexOf('(') + 1)), null);
    });
  }

  test('completion and references answer nothing where the chain is not followed', () => {
    for (const [needle, offset] of [
      ['facade.json.encode(1)', 'facade.json.'.length],
      ['json.encode(2)', 'json.'.length],
      ['written.json.encode(3)', 'written.json.'.length],
      ['facade[key].encode(4)', 'facade[key].'.length],
      ['mod.encode(6)', 'mod.'.length],
    ] as const) {
      assert.deepEqual(findCompletions(n.ws, n.file(USER), n.at(USER, needle, offset)), [], `completion at ${needle}`);
      assert.deepEqual(findReferenceLocations(n.ws, n.file(USER), n.at(USER, needle, offset), true), [], `references at ${needle}`);
    }
  });

  test('the cycle also ends for references and on the re-export line', () => {
    assert.equal(definitionOf(n, 'lib/neg/a.lua', '_M.x', 3), undefined);
    assert.deepEqual(findReferenceLocations(n.ws, n.file('lib/neg/a.lua'), n.at('lib/neg/a.lua', '_M.x', 3), true), []);
  });
});

describe('chain depth', () => {
  /** m1.f re-exports m2.f … which re-exports m<count>.f, the function; main calls m1.f. */
  function chainOf(count: number) {
    const files: Record<string, string> = { 'main.lua': 'local m = require "m1"\nm.f()\n' };
    for (let k = 1; k < count; k++) {
      files[`m${k}.lua`] = `local next = require "m${k + 1}"\nlocal _M = {}\n_M.f = next.f\nreturn _M\n`;
    }
    files[`m${count}.lua`] = 'local _M = {}\nfunction _M.f() end\nreturn _M\n';
    return navWorkspace(files);
  }

  test('a re-export chain through 60 modules reaches the function', () => {
    const n = chainOf(60);
    assert.deepEqual(findDefinition(n.ws, n.file('main.lua'), { line: 1, character: 2 }), {
      uri: pathToUri(n.file('m60.lua')),
      range: { start: { line: 1, character: 12 }, end: { line: 1, character: 13 } },
    });
    assert.equal(findReferenceLocations(n.ws, n.file('m60.lua'), { line: 1, character: 12 }, false).length, 2 * 59 + 1, 'both sides of every re-export line, and the call');
  });

  test('a chain through 300 modules is bounded: no answer, no stack overflow', () => {
    const n = chainOf(300);
    assert.equal(findDefinition(n.ws, n.file('main.lua'), { line: 1, character: 2 }), undefined);
  });
});

describe('references through a facade of a re-exporting module', () => {
  test('found whichever of the two is read first', () => {
    const n = navWorkspace({
      't.lua': 'local _M = {}\nfunction _M.f() end\nfunction _M.other() end\nreturn _M\n',
      // Read before z_reexport.lua: it requires t directly, for another member.
      'a_facade.lua': 'local t = require "t"\nreturn { z = require "z_reexport", helper = t.other }\n',
      'z_reexport.lua': 'local t = require "t"\nlocal _M = {}\n_M.f = t.f\nreturn _M\n',
      'user.lua': 'local facade = require "a_facade"\nfacade.z.f()\n',
    });
    const refs = findReferenceLocations(n.ws, n.file('t.lua'), { line: 1, character: 12 }, false);
    assert.deepEqual(
      refs.map((r) => [r.uri.slice(r.uri.lastIndexOf('/') + 1), r.range.start.line, r.range.start.character]),
      [
        ['user.lua', 1, 9],
        ['z_reexport.lua', 2, 3],
        ['z_reexport.lua', 2, 9],
      ],
    );
  });
});
