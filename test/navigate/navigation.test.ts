// Navigation across modules on inline sources with a `|` cursor marker:
// definition, hover, completion, references and symbols through require
// aliases (plain, pcall, re-assigned, shadowed), init.lua modules and
// a module with a syntax error.
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { CompletionItem, Hover, MarkupContent, SymbolKind, TextEdit } from 'vscode-languageserver/node';
import { findCompletions } from '../../server/src/features/completion';
import { findHover } from '../../server/src/features/hover';
import { findDefinition } from '../../server/src/features/navigation';
import { findReferenceLocations } from '../../server/src/features/references';
import { findSignatureHelp } from '../../server/src/features/signatureHelp';
import { findDocumentSymbols, findWorkspaceSymbols } from '../../server/src/features/symbols';
import { fuzzyMatch } from '../../server/src/core/navigate/symbols';
import { pathToUri } from '../../server/src/convert';
import { navWorkspace, rangeIn } from '../helpers/nav';

const GO = [
  'local M = {}', // 0
  '', // 1
  '--- Builds a Go binary in a state.', // 2
  '-- @param base the toolchain image', // 3
  'function M.build(base, src, opts)', // 4
  '  return base', // 5
  'end', // 6
  '', // 7
  '--[[ Module version. ]]', // 8
  'M.version = "1.0"', // 9
  '', // 10
  'function M:clean(path)', // 11
  '  return M.build(nil, path)', // 12
  'end', // 13
  '', // 14
  'return M', // 15
  '',
].join('\n');

const PKG_INIT = ['local function setup(name) end', 'return { setup = setup, flag = true }', ''].join('\n');
const BROKEN = ['local B = {}', 'function B.half(a, b)', '  if a then', 'function B.other(x)', 'return B', ''].join('\n');

function hoverText(h: Hover | null): string {
  assert.ok(h, 'a hover');
  return (h.contents as MarkupContent).value;
}

function labels(items: CompletionItem[]): string[] {
  return items.map((i) => i.label).sort();
}

describe('go to definition across modules', () => {
  test('alias.member jumps to the member; the alias and the string to the file', () => {
    const main = 'local go = require("libs.go")\nlocal b = go.bu|ild(1)\n';
    const n = navWorkspace({ 'main.lua': main, 'libs/go.lua': GO });
    const goUri = pathToUri(n.file('libs/go.lua'));
    assert.deepEqual(findDefinition(n.ws, n.file('main.lua'), n.cursor('main.lua')), { uri: goUri, range: rangeIn(GO, 4, 'build') });
    const fileStart = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    assert.deepEqual(findDefinition(n.ws, n.file('main.lua'), { line: 1, character: 10 }), { uri: goUri, range: fileStart }, 'on the alias');
    assert.deepEqual(findDefinition(n.ws, n.file('main.lua'), { line: 0, character: 22 }), { uri: goUri, range: fileStart }, 'in the string');
  });

  test('through pcall(require, …), a method, and a field', () => {
    const main = ['local ok, m = pcall(require, "libs.go")', 'if ok then m:clean("x") end', 'print(m.version)', ''].join('\n');
    const n = navWorkspace({ 'main.lua': main, 'libs/go.lua': GO });
    const goUri = pathToUri(n.file('libs/go.lua'));
    assert.deepEqual(findDefinition(n.ws, n.file('main.lua'), { line: 1, character: 15 }), { uri: goUri, range: rangeIn(GO, 11, 'clean') });
    assert.deepEqual(findDefinition(n.ws, n.file('main.lua'), { line: 2, character: 9 }), { uri: goUri, range: rangeIn(GO, 9, 'version') });
    assert.equal(findDefinition(n.ws, n.file('main.lua'), { line: 1, character: 3 }), undefined, 'ok is not the module');
  });

  test('re-assignment in the same scope and shadowing locals', () => {
    const main = [
      'local a = require "libs.go"', // 0
      'a.build()', // 1
      'a = require "pkg"', // 2
      'a.setup()', // 3
      'local function f(a) return a.setup end', // 4
      'local b = a', // 5
      'b.flag = 1', // 6
      'do local a = 5; print(a.setup) end', // 7
      'print(a.setup)', // 8
      '',
    ].join('\n');
    const n = navWorkspace({ 'main.lua': main, 'libs/go.lua': GO, 'pkg/init.lua': PKG_INIT });
    const def = (line: number, character: number) => findDefinition(n.ws, n.file('main.lua'), { line, character });
    const go = pathToUri(n.file('libs/go.lua'));
    const pkg = pathToUri(n.file('pkg/init.lua'));
    assert.deepEqual(def(1, 3), { uri: go, range: rangeIn(GO, 4, 'build') });
    assert.deepEqual(def(3, 3), { uri: pkg, range: rangeIn(PKG_INIT, 0, 'setup') }, 'after a = require "pkg" (an init.lua module), local function g is the target');
    assert.equal(def(4, 30), undefined, 'the parameter a shadows the module');
    assert.deepEqual(def(6, 3), { uri: pkg, range: rangeIn(PKG_INIT, 1, 'flag') }, 'an alias of an alias');
    assert.equal(def(7, 25), undefined, 'a block-local a shadows it');
    assert.deepEqual(def(8, 9), { uri: pkg, range: rangeIn(PKG_INIT, 0, 'setup') }, 'and after the block the module is back');
  });

  test('a module with a syntax error still navigates', () => {
    const main = 'local b = require "broken"\nb.oth|er(1)\n';
    const n = navWorkspace({ 'main.lua': main, 'broken.lua': BROKEN });
    assert.deepEqual(findDefinition(n.ws, n.file('main.lua'), n.cursor('main.lua')), { uri: pathToUri(n.file('broken.lua')), range: rangeIn(BROKEN, 3, 'other') });
  });

  test('a member the module does not export has no definition', () => {
    const n = navWorkspace({ 'main.lua': 'local go = require "libs.go"\ngo.nope|()\n', 'libs/go.lua': GO });
    assert.equal(findDefinition(n.ws, n.file('main.lua'), n.cursor('main.lua')), undefined);
    assert.match(hoverText(findHover(n.ws, n.file('main.lua'), n.cursor('main.lua'))), /`nope` is not exported by module `libs\.go`/);
  });
});

describe('hover', () => {
  test('a member: signature and the LDoc comment above it', () => {
    const n = navWorkspace({ 'main.lua': 'local go = require "libs.go"\ngo.bu|ild()\n', 'libs/go.lua': GO });
    const h = findHover(n.ws, n.file('main.lua'), n.cursor('main.lua'));
    assert.equal(
      hoverText(h),
      ['```lua', 'function go.build(base, src, opts)', '```', '', 'Builds a Go binary in a state.', '', '- *@param* `base` the toolchain image', '', 'Defined in `libs/go.lua:5` (module `libs.go`)'].join('\n'),
    );
    assert.deepEqual(h!.range, rangeIn('go.build()', 0, 'build') && { start: { line: 1, character: 3 }, end: { line: 1, character: 8 } });
  });

  test('a member with a --[[ ]] doc, and a method', () => {
    const n = navWorkspace({ 'main.lua': 'local go = require "libs.go"\nprint(go.version, go:clean())\n', 'libs/go.lua': GO });
    assert.match(hoverText(findHover(n.ws, n.file('main.lua'), { line: 1, character: 11 })), /^```lua\ngo\.version\n```\n\nModule version\.\n/);
    assert.match(hoverText(findHover(n.ws, n.file('main.lua'), { line: 1, character: 22 })), /^```lua\nfunction go:clean\(path\)\n```/);
  });

  test('a module string: file, origin, embedding and symbol; an unresolved one: the trail', () => {
    const manifest = JSON.stringify({ profile: 'openresty', path: ['lib/?.lua'], cpath: [], embed: ['app.util'] });
    const main = 'local u = require "app.util"\nlocal o = require "app.other"\nlocal x = require "app.none"\n';
    const n = navWorkspace({ 'resty-build.json': manifest, 'main.lua': main, 'lib/app/util.lua': 'return {}', 'lib/app/other.lua': 'return {}' });
    const at = (line: number) => hoverText(findHover(n.ws, n.file('main.lua'), { line, character: 22 }));
    assert.equal(at(0), ['**module** `app.util`', '', '`lib/app/util.lua` — from the workspace', '', 'Embedded as bytecode: symbol `luaJIT_BC_app_util`'].join('\n'));
    assert.equal(at(1), ['**module** `app.other`', '', '`lib/app/other.lua` — from the workspace', '', 'Not embedded (not in "embed" of resty-build.json); require would look its bytecode up as `luaJIT_BC_app_other`'].join('\n'));
    assert.equal(at(2), ['**module** `app.none`', '', 'Not found. The loaders looked at:', '', '```', "no field package.preload['app.none']", "no file 'lib/app/none.lua'", '```'].join('\n'));
    const onAlias = hoverText(findHover(n.ws, n.file('main.lua'), { line: 0, character: 6 }));
    assert.match(onAlias, /^\*\*module\*\* `app\.util`/, 'the alias hovers like its module');
  });
});

describe('completion', () => {
  test('module names inside a require string replace the whole name', () => {
    const manifest = JSON.stringify({ profile: 'openresty', path: ['lib/?.lua', 'lib/?/init.lua'], provided: ['ngx.upstream'] });
    const main = 'local x = require "app.u|til"\n';
    const n = navWorkspace({ 'resty-build.json': manifest, 'main.lua': main, 'lib/app/util.lua': '', 'lib/app/pkg/init.lua': '', 'lib/readme.txt': '' });
    const items = findCompletions(n.ws, n.file('main.lua'), n.cursor('main.lua'));
    const names = labels(items);
    for (const expected of ['app.util', 'app.pkg', 'ngx.upstream', 'ngx', 'string.buffer', 'table.new']) {
      assert.ok(names.includes(expected), `${expected} offered`);
    }
    assert.ok(!names.includes('app.pkg.init'), 'init.lua gives the package name only');
    const util = items.find((i) => i.label === 'app.util')!;
    assert.deepEqual(util.textEdit, { range: { start: { line: 0, character: 19 }, end: { line: 0, character: 27 } }, newText: 'app.util' });
    assert.equal(util.detail, 'workspace: lib/app/util.lua');
  });

  test('members after alias. with signature and doc', () => {
    const n = navWorkspace({ 'main.lua': 'local go = require "libs.go"\ngo.|\n', 'libs/go.lua': GO });
    const items = findCompletions(n.ws, n.file('main.lua'), n.cursor('main.lua'));
    assert.deepEqual(labels(items), ['build', 'clean', 'version']);
    const build = items.find((i) => i.label === 'build')!;
    assert.equal(build.detail, 'go.build(base, src, opts)');
    assert.equal((build.documentation as MarkupContent).value, 'Builds a Go binary in a state.\n\n- *@param* `base` the toolchain image');
    assert.deepEqual((build.textEdit as TextEdit).range, { start: { line: 1, character: 3 }, end: { line: 1, character: 3 } });
    const typed = navWorkspace({ 'main.lua': 'local go = require "libs.go"\ngo.bu|\n', 'libs/go.lua': GO });
    const partial = findCompletions(typed.ws, typed.file('main.lua'), typed.cursor('main.lua'));
    assert.deepEqual((partial.find((i) => i.label === 'build')?.textEdit as TextEdit).range, { start: { line: 1, character: 3 }, end: { line: 1, character: 5 } });
  });

  test('signature help inside alias.fn(…)', () => {
    const n = navWorkspace({ 'main.lua': 'local go = require "libs.go"\ngo.build(a, |)\n', 'libs/go.lua': GO });
    const help = findSignatureHelp(n.ws, n.file('main.lua'), n.cursor('main.lua'));
    assert.equal(help?.signatures[0].label, 'go.build(base, src, opts)');
    assert.equal(help?.activeParameter, 1);
  });
});

describe('references', () => {
  const files = {
    'a.lua': 'local go = require "libs.go"\ngo.build()\nlocal v = go.version\n',
    'b.lua': 'local ok, g = pcall(require, "libs.go")\ng.build(1)\nlocal build = 1\n',
    'libs/go.lua': GO,
  };

  test('of a module: every require of it', () => {
    const n = navWorkspace(files);
    const refs = findReferenceLocations(n.ws, n.file('a.lua'), { line: 0, character: 22 }, true);
    assert.deepEqual(refs, [
      { uri: pathToUri(n.file('a.lua')), range: rangeIn(files['a.lua'], 0, 'libs.go') },
      { uri: pathToUri(n.file('b.lua')), range: rangeIn(files['b.lua'], 0, 'libs.go') },
    ]);
    // From the module table in its own file.
    assert.deepEqual(findReferenceLocations(n.ws, n.file('libs/go.lua'), { line: 15, character: 7 }, true), refs);
  });

  test('of a member: from a use or from its definition', () => {
    const n = navWorkspace(files);
    const expected = [
      { uri: pathToUri(n.file('libs/go.lua')), range: rangeIn(GO, 4, 'build') },
      { uri: pathToUri(n.file('a.lua')), range: rangeIn(files['a.lua'], 1, 'build') },
      { uri: pathToUri(n.file('b.lua')), range: rangeIn(files['b.lua'], 1, 'build') },
      { uri: pathToUri(n.file('libs/go.lua')), range: rangeIn(GO, 12, 'build') },
    ];
    assert.deepEqual(findReferenceLocations(n.ws, n.file('b.lua'), { line: 1, character: 3 }, true), expected);
    assert.deepEqual(findReferenceLocations(n.ws, n.file('libs/go.lua'), { line: 4, character: 12 }, true), expected);
    assert.deepEqual(findReferenceLocations(n.ws, n.file('libs/go.lua'), { line: 4, character: 12 }, false), expected.slice(1));
  });
});

describe('symbols', () => {
  test('document symbols: top-level locals and functions, module members nested', () => {
    const text = ['local util = require "util"', 'local M = {}', 'local function helper(x) end', 'function M.build(base) end', 'M.version = 1', 'return M', ''].join('\n');
    const n = navWorkspace({ 'mod.lua': text });
    const symbols = findDocumentSymbols(n.ws, n.file('mod.lua'));
    const brief = (s: (typeof symbols)[number]): unknown => ({ name: s.name, kind: s.kind, ...(s.children ? { children: s.children.map(brief) } : {}) });
    assert.deepEqual(symbols.map(brief), [
      { name: 'util', kind: SymbolKind.Variable },
      { name: 'M', kind: SymbolKind.Module, children: [{ name: 'build', kind: SymbolKind.Function }, { name: 'version', kind: SymbolKind.Field }] },
      { name: 'helper', kind: SymbolKind.Function },
    ]);
    assert.deepEqual(symbols[2].range, { start: { line: 2, character: 0 }, end: { line: 2, character: 28 } });
  });

  test('workspace symbols: modules and exported functions, substring then fuzzy', () => {
    const n = navWorkspace({ 'libs/go.lua': GO, 'pkg/init.lua': PKG_INIT });
    const found = findWorkspaceSymbols(n.ws, 'build').map((s) => `${s.containerName ?? ''}/${s.name}/${s.kind}`);
    assert.deepEqual(found, ['libs.go/build/12']);
    const all = findWorkspaceSymbols(n.ws, '').map((s) => s.name);
    assert.deepEqual(all, ['libs.go', 'build', 'clean', 'pkg', 'setup']);
    assert.ok(fuzzyMatch('lgb', 'libs.go.build'));
    assert.ok(!fuzzyMatch('zz', 'libs.go.build'));
  });
});
