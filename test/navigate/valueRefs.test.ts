// The token-level reading of references: which expressions are a require or
// a name followed by fields, in both directions, and which statements write
// a field. Checked against how LuaJIT parses the same text.
import { before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { tokenize } from '../../server/src/core/lua/luaLexer';
import { scanLua } from '../../server/src/core/lua/luaScan';
import { findFieldWrites, refEndingAt, refStartingAt, requireCalls } from '../../server/src/core/navigate/valueRefs';
import { spawnSync } from 'node:child_process';
import { LUAJIT, requireLuajit } from '../helpers/luajit';

/** Whether the real LuaJIT compiles the chunk. */
function syntaxOk(code: string): boolean {
  return spawnSync(LUAJIT, ['-e', 'assert(loadstring(io.read("*a")))'], { input: code, encoding: 'utf8' }).status === 0;
}

before(requireLuajit);

/** The reference of the expression after the first `=` of `code`, as `root:path` text, or undefined. */
function forward(code: string): string | undefined {
  const tokens = tokenize(code);
  const eq = tokens.findIndex((t) => t.value === '=');
  const r = refStartingAt(tokens, eq + 1, requireCalls(scanLua(code).requires), 0);
  return r && `${r.ref.root.kind === 'require' ? `require ${r.ref.root.name}` : r.ref.root.name}:${r.ref.path.join('.')}`;
}

/** The reference ending at the last token before the first `@` marker's position (the marker is removed). */
function backward(marked: string): string | undefined {
  const at = marked.indexOf('@');
  const code = marked.slice(0, at) + marked.slice(at + 1);
  const tokens = tokenize(code);
  const k = tokens.findIndex((t) => t.end === at);
  const r = refEndingAt(tokens, k, requireCalls(scanLua(code).requires));
  return r && `${r.ref.root.kind === 'require' ? `require ${r.ref.root.name}` : r.ref.root.name}:${r.ref.path.join('.')}`;
}

describe('references read forward from a value', () => {
  const cases: [string, string | undefined][] = [
    ['local x = require "a.b"', 'require a.b:'],
    ['local x = require("a.b").f', 'require a.b:f'],
    ['local x = require "a.b".f', 'require a.b:f'],
    ["local x = require('a')['f'].g", 'require a:f.g'],
    ['local x = core.json.encode', 'core:json.encode'],
    ['local x = core.json.encode\nlocal y = 1', 'core:json.encode'],
    ['local x = core.json.encode;', 'core:json.encode'],
    ['local x = a.b or {}', undefined],
    ['local x = a.b .. "s"', undefined],
    ['local x = a.b(1)', undefined],
    ['local x = a:b()', undefined],
    ['local x = a[k]', undefined],
    ['local x = require("a" .. b)', undefined],
    ['local x = require "a" .. "b"', undefined],
  ];
  for (const [code, expected] of cases) {
    test(code.replace('\n', '\\n'), () => {
      assert.ok(syntaxOk(code), `LuaJIT accepts: ${code}`);
      assert.equal(forward(code), expected);
    });
  }
});

describe('references read backward from a name', () => {
  const cases: [string, string | undefined][] = [
    ['core.json.encode@(x)', 'core:json.encode'],
    ['obj:method@(x)', 'obj:method'],
    ['require("m").f@()', 'require m:f'],
    ['require "m".f@()', 'require m:f'],
    ['t["k"]@.x = 1', 't:k'],
    ['x = { ["k"]@ = 1 }', undefined],
    ['f().x@ = 1', undefined],
    ['t[k].x@ = 1', undefined],
    ['print(a.b@)', 'a:b'],
  ];
  for (const [marked, expected] of cases) {
    test(marked, () => {
      assert.ok(syntaxOk(marked.replace('@', '')), `LuaJIT accepts: ${marked}`);
      assert.equal(backward(marked), expected);
    });
  }
});

test('field writes: dotted, string keys and computed keys, outside brackets only', () => {
  const code = ['core.json = nil', 'core["log"].level = 1', 'core[k] = 2', 'local t = { a.b == 1 }', 'f(x.y)', 'x.y.z = 3', ''].join('\n');
  assert.ok(syntaxOk(code));
  assert.deepEqual(
    findFieldWrites(tokenize(code)).map((w) => [w.name, w.path.join('.')]),
    [
      ['core', 'json'],
      ['core', 'log.level'],
      ['core', ''],
      ['x', 'y.z'],
    ],
  );
});
